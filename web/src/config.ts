/** An organisation as the console names it (from the directory). */
export interface OrgName {
  readonly id: string;
  readonly kind: 'member' | 'secretariat' | 'ministry' | 'nisc';
  readonly name: { readonly ja: string; readonly en: string };
  /** A member's or secretariat's sector; none is chemical's (a directory from before sectors). */
  readonly sector?: string;
}

/** A sector as the local sign-in names it. */
export interface SectorName {
  readonly id: string;
  readonly names: { readonly ja: string; readonly en: string };
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
  /** The sectors the local stack seeded, for its sign-in's pickers (none in AWS: Cognito says who one is). */
  readonly sectors: readonly SectorName[];
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
  const sectors = Array.isArray(c.sectors) ? (c.sectors as SectorName[]) : [];
  if (c.auth === 'local') return { auth: 'local', apiUrl, pollSeconds, organisations, sectors };
  if (c.auth === 'cognito') {
    const cognito = c.cognito as { domain?: unknown; clientId?: unknown } | undefined;
    if (typeof cognito?.domain !== 'string' || typeof cognito.clientId !== 'string')
      throw new Error('config.json: cognito.domain and cognito.clientId are required');
    return {
      auth: 'cognito',
      apiUrl,
      pollSeconds,
      organisations,
      sectors,
      cognito: { domain: cognito.domain.replace(/\/+$/, ''), clientId: cognito.clientId },
    };
  }
  throw new Error('config.json: auth must be "local" or "cognito"');
}
