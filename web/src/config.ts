/** An organisation as the console names it (from the directory). */
export interface OrgName {
  readonly id: string;
  readonly kind: 'member' | 'secretariat' | 'ministry' | 'nisc';
  readonly name: { readonly ja: string; readonly en: string };
}

/**
 * What the console learns at start from `config.json` beside it: written by the local stack, or injected
 * at deploy time by the CDK app (infra/console-hosting.ts). Nothing environment-specific is built in.
 */
export type ConsoleConfig = {
  /** Base URL of the API; '' means the console's own origin (the local stack). */
  readonly apiUrl: string;
  /** How often open pages re-read the API, in seconds. */
  readonly pollSeconds: number;
  readonly organisations: readonly OrgName[];
} & (
  | { readonly auth: 'local' }
  | {
      readonly auth: 'cognito';
      readonly cognito: {
        /** The hosted UI's base URL, e.g. https://ceptoar-relay-123.auth.ap-northeast-1.amazoncognito.com */
        readonly domain: string;
        readonly clientId: string;
      };
    }
);

/** Parses config.json defensively: a broken deployment says so instead of half-working. */
export function parseConfig(json: unknown): ConsoleConfig {
  if (!json || typeof json !== 'object') throw new Error('config.json is not an object');
  const c = json as Record<string, unknown>;
  const apiUrl = typeof c.apiUrl === 'string' ? c.apiUrl.replace(/\/+$/, '') : '';
  const pollSeconds = typeof c.pollSeconds === 'number' && c.pollSeconds > 0 ? c.pollSeconds : 10;
  const organisations = Array.isArray(c.organisations) ? (c.organisations as OrgName[]) : [];
  if (c.auth === 'local') return { auth: 'local', apiUrl, pollSeconds, organisations };
  if (c.auth === 'cognito') {
    const cognito = c.cognito as { domain?: unknown; clientId?: unknown } | undefined;
    if (typeof cognito?.domain !== 'string' || typeof cognito.clientId !== 'string')
      throw new Error('config.json: cognito.domain and cognito.clientId are required');
    return {
      auth: 'cognito',
      apiUrl,
      pollSeconds,
      organisations,
      cognito: { domain: cognito.domain.replace(/\/+$/, ''), clientId: cognito.clientId },
    };
  }
  throw new Error('config.json: auth must be "local" or "cognito"');
}
