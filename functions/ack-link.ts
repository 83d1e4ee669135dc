import { systemActor } from '../events/actor.ts';
import { ackKey, verifyAckToken } from './commons/ack-link.ts';
import { acknowledgeAdvisory } from './commons/acknowledge.ts';
import { publicHandler } from './commons/public-http.ts';

/**
 * GET /ack/{token}: the one-click acknowledgement link in every advisory message. No login:
 * the signed token binds one contact of one recipient organisation to one advisory, and
 * expires. A forged, altered or expired token is refused and writes nothing; a second
 * click answers 200 "already acknowledged" and writes nothing.
 */
export const handler = publicHandler(async (event) => {
  const claims = await verifyAckToken(await ackKey(), event.pathParameters?.token ?? '');
  const actor = systemActor(`ack-link:${claims.contactId}`);
  const answer = await acknowledgeAdvisory(actor, claims.advisoryId, claims.org, claims.contactId, 'link');
  return { status: 200, body: { ...answer, contactId: claims.contactId } };
});
