import type { ConsoleConfig } from './config.ts';
import { authorizeUrl, codeChallenge, codeVerifier, tokenRequestBody } from './pkce.ts';
import { createStore } from './store.ts';

/** The roles the API knows (events/actor.ts). */
export const roles = ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** Who is signed in: the ID token and the claims the console reads from it (the API verifies them). */
export interface Session {
  readonly token: string;
  readonly sub: string;
  readonly role: Role;
  readonly org: string | undefined;
  /** The token's sector (`custom:sector`): a member's or secretariat's own; NISC's or an auditor's only when granted one. */
  readonly sector: string | undefined;
  /** Expiry, epoch ms. */
  readonly expiresAt: number;
}

const SESSION_KEY = 'ceptoar.session';
const PKCE_KEY = 'ceptoar.pkce';

/** The claims of a Cognito ID token or a local token (same shape), or null when it is not one. */
export function sessionFromToken(token: string): Session | null {
  try {
    const part = token.split('.')[1];
    if (!part) return null;
    const json = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
      ),
    ) as Record<string, unknown>;
    const groups = json['cognito:groups'];
    const role = (Array.isArray(groups) ? groups : []).find((g): g is Role =>
      (roles as readonly unknown[]).includes(g),
    );
    if (typeof json.sub !== 'string' || !role || typeof json.exp !== 'number') return null;
    const text = (claim: string) =>
      typeof json[claim] === 'string' && json[claim] !== '' ? (json[claim] as string) : undefined;
    return {
      token,
      sub: json.sub,
      role,
      org: text('custom:org'),
      sector: text('custom:sector'),
      expiresAt: json.exp * 1000,
    };
  } catch {
    return null;
  }
}

function restore(): Session | null {
  const token = sessionStorage.getItem(SESSION_KEY);
  const session = token ? sessionFromToken(token) : null;
  return session && session.expiresAt > Date.now() ? session : null;
}

/** The signed-in person, kept for this tab only (sessionStorage), never across a browser restart. */
export const session = createStore<Session | null>(restore());
session.subscribe(() => {
  const s = session.get();
  if (s) sessionStorage.setItem(SESSION_KEY, s.token);
  else sessionStorage.removeItem(SESSION_KEY);
});

async function problemDetail(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { detail?: string };
    return body.detail ?? String(res.status);
  } catch {
    return String(res.status);
  }
}

/** Local stack: a token for the chosen role, organisation and sector from POST /local/token. */
export async function signInLocal(
  config: ConsoleConfig,
  role: Role,
  org: string | undefined,
  sector?: string,
) {
  const res = await fetch(`${config.apiUrl}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, ...(org ? { org } : {}), ...(sector ? { sector } : {}) }),
  });
  if (!res.ok) throw new Error(await problemDetail(res));
  const { token } = (await res.json()) as { token: string };
  const next = sessionFromToken(token);
  if (!next) throw new Error('the token carries no role');
  session.set(next);
}

/** Where Cognito sends the browser back to. */
export const redirectUri = () => `${location.origin}/app/auth/callback`;

/** AWS: off to the Cognito hosted UI with a PKCE challenge; the verifier waits in this tab. */
export async function startCognitoSignIn(config: Extract<ConsoleConfig, { auth: 'cognito' }>) {
  const verifier = codeVerifier();
  const state = codeVerifier();
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  location.assign(
    authorizeUrl({
      domain: config.cognito.domain,
      clientId: config.cognito.clientId,
      redirectUri: redirectUri(),
      challenge: await codeChallenge(verifier),
      state,
    }),
  );
}

/** AWS: back from the hosted UI; trade the code for tokens and keep the ID token (it carries the groups). */
export async function finishCognitoSignIn(
  config: Extract<ConsoleConfig, { auth: 'cognito' }>,
  query: URLSearchParams,
) {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  const code = query.get('code');
  if (!saved || !code || query.get('state') !== saved.state) throw new Error('the sign-in did not match');
  const res = await fetch(`${config.cognito.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({
      clientId: config.cognito.clientId,
      redirectUri: redirectUri(),
      code,
      verifier: saved.verifier,
    }),
  });
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
  const { id_token: idToken } = (await res.json()) as { id_token?: string };
  const next = idToken ? sessionFromToken(idToken) : null;
  if (!next) throw new Error('the ID token carries no role');
  session.set(next);
}

/** Forgets the session; in AWS also ends the hosted UI's. */
export function signOut(config: ConsoleConfig) {
  session.set(null);
  if (config.auth === 'cognito') {
    const query = new URLSearchParams({ client_id: config.cognito.clientId, logout_uri: redirectUri() });
    location.assign(`${config.cognito.domain}/logout?${query}`);
  }
}

/** Roles that may issue an advisory (POST /advisories). */
export const issuerRoles: readonly Role[] = ['nisc', 'ministry', 'secretariat'];
