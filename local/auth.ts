import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { roles } from '../events/actor.ts';
import {
  DEFAULT_MINISTRY,
  ministryIds,
  ministryOf,
  ministryOfOrg,
  type SectorId,
  sectorIds,
} from '../events/sector/catalog.ts';
import * as z from '../events/zod.ts';

/** Issuer and audience of local tokens; the AWS stack uses Cognito's instead. */
const ISSUER = 'ceptoar-relay-local';
const AUDIENCE = 'ceptoar-relay';

/** The body of POST /local/token. A member names its organisation. */
export const tokenRequest = z
  .strictObject({
    role: z.enum(roles),
    org: z.optional(
      z
        .string()
        .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an organisation id such as asahi-petrochem')),
    ),
    sub: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    /** The sector: a secretariat's (default chemical); NISC's or an auditor's one (default every one). */
    sector: z.optional(z.enum(sectorIds)),
  })
  .check(
    z.refine((r) => r.role !== 'member' || r.org !== undefined, {
      path: ['org'],
      message: 'a member token needs an org',
    }),
    z.refine((r) => r.role !== 'ministry' || r.org === undefined || ministryOfOrg(r.org) !== null, {
      path: ['org'],
      message: `a ministry token names its ministry: ${ministryIds.join(', ')}`,
    }),
    z.refine(
      (r) =>
        r.role !== 'ministry' ||
        r.sector === undefined ||
        ministryOf[r.sector] === ministryOfOrg(r.org ?? DEFAULT_MINISTRY),
      { path: ['sector'], message: 'must be a sector the ministry oversees' },
    ),
  );
export type TokenRequest = z.output<typeof tokenRequest>;

/** The HMAC key for local tokens, made once per data folder so tokens survive a restart. */
export function localSigningKey(dataDir: string): Uint8Array {
  return Buffer.from(readFileSync(localKeyFile(dataDir, 'local-token.key'), 'utf8').trim(), 'base64');
}

/** A file of the data folder holding 32 random bytes in base64, made once (a key that survives restarts). */
function localKeyFile(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return file;
}

/** The file holding the HMAC key of advisory acknowledgement links, made once per data folder. */
export const localAckKeyFile = (dataDir: string): string => localKeyFile(dataDir, 'ack-link.key');

/** The file holding the master secret of the organisations' webhook keys, made once per data folder. */
export const localWebhookKeyFile = (dataDir: string): string => localKeyFile(dataDir, 'webhook-master.key');

/**
 * The sector a token request carries, given the sector of its organisation in the directory (null:
 * not there, or a ministry or NISC): a member's, or a secretariat's that names its organisation, is
 * that organisation's, and naming another is a mistake; anyone else's is the one it names. Returns
 * the field error instead when the request contradicts the directory.
 */
export function tokenSector(
  request: TokenRequest,
  orgSector: SectorId | null,
): { sector: SectorId | undefined } | { error: string } {
  const ofOrg = request.role === 'member' || (request.role === 'secretariat' && request.org !== undefined);
  if (!ofOrg || orgSector === null) return { sector: request.sector };
  if (request.sector !== undefined && request.sector !== orgSector)
    return { error: `the organisation ${request.org} is of the sector ${orgSector}` };
  return { sector: orgSector };
}

/**
 * Signs a token with the same claims Cognito puts in an ID token: sub, cognito:groups, custom:org,
 * custom:sector (only when the request names one: a token without it is chemical's, as before sectors).
 */
export async function issueLocalToken(key: Uint8Array, request: TokenRequest): Promise<string> {
  const sub = request.sub ?? `local-${request.role}${request.org ? `-${request.org}` : ''}`;
  return new SignJWT({
    'cognito:groups': [request.role],
    ...(request.org ? { 'custom:org': request.org } : {}),
    ...(request.sector ? { 'custom:sector': request.sector } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(key);
}

/** Verifies a bearer token as the HTTP API's JWT authorizer would; null when it does not verify. */
export async function verifyLocalToken(
  key: Uint8Array,
  token: string,
): Promise<Record<string, unknown> | null> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}
