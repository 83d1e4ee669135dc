import { errors, jwtVerify, SignJWT } from 'jose';
import { UnauthorizedError } from '../../events/errors.ts';
import { secretKey } from '../runtime/secret-key.ts';

const ISSUER = 'ceptoar-relay';
const AUDIENCE = 'ceptoar-ack';

/** What an acknowledgement link is bound to: one contact of one recipient organisation, one advisory. */
export interface AckClaims {
  readonly advisoryId: string;
  readonly org: string;
  readonly contactId: string;
}

/**
 * The HMAC key of acknowledgement links: in AWS the Secrets Manager secret the stack creates
 * (ACK_KEY_SECRET_ARN), locally a file in the data folder (CEPTOAR_ACK_KEY_FILE). Read once.
 */
export const ackKey = secretKey('acknowledgement key', 'ACK_KEY_SECRET_ARN', 'CEPTOAR_ACK_KEY_FILE');

/** Signs a acknowledgement link's token (HS256), valid until `expiresAt`. */
export async function signAckToken(
  secret: Uint8Array,
  claims: AckClaims,
  expiresAt: string,
): Promise<string> {
  return new SignJWT({ adv: claims.advisoryId, org: claims.org, cid: claims.contactId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(Math.floor(Date.parse(expiresAt) / 1000))
    .sign(secret);
}

/** Verifies a link's token; a forged, altered or expired one is a 401 that says which. */
export async function verifyAckToken(secret: Uint8Array, token: string): Promise<AckClaims> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const { adv, org, cid } = payload as Record<string, unknown>;
    if (typeof adv !== 'string' || typeof org !== 'string' || typeof cid !== 'string') {
      throw new UnauthorizedError('this acknowledgement link is not valid');
    }
    return { advisoryId: adv, org, contactId: cid };
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new UnauthorizedError('this acknowledgement link has expired');
    if (error instanceof UnauthorizedError) throw error;
    throw new UnauthorizedError('this acknowledgement link is not valid');
  }
}
