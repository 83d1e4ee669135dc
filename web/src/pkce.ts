// OAuth 2.0 authorization code flow with PKCE (RFC 7636) for Cognito's hosted UI: the console is a
// public client and keeps no secret. Pure functions over Web Crypto, so Node's test runner can check them.

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** A fresh code verifier: 32 random bytes, base64url (43 characters, within RFC 7636's 43..128). */
export function codeVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The hosted UI's authorize URL for a sign-in that returns to `redirectUri`. */
export function authorizeUrl(options: {
  domain: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  state: string;
}): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: 'openid email profile',
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
    state: options.state,
  });
  return `${options.domain}/oauth2/authorize?${query}`;
}

/** The token request's form body that trades the code (and the verifier) for tokens. */
export function tokenRequestBody(options: {
  clientId: string;
  redirectUri: string;
  code: string;
  verifier: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    code: options.code,
    code_verifier: options.verifier,
  });
}
