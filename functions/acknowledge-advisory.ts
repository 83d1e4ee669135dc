import { noteBody } from '../events/incident/bodies.ts';
import { advisoryIdFrom } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { acknowledgeAdvisory } from './notify/acknowledge.ts';

/** POST /advisories/{id}/receipt: a member acknowledges an advisory for its organisation. */
export const handler = httpHandler({ allow: ['member'], body: noteBody() }, async (request) => {
  const answer = await acknowledgeAdvisory(
    request.actor,
    advisoryIdFrom(request),
    request.actor.org ?? '',
    null,
    'api',
  );
  return { status: 200, body: answer };
});
