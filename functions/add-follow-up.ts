import { followUpBody } from '../events/incident/bodies.ts';
import { httpHandler } from './http/http.ts';
import { incidentCommand, incidentIdFrom } from './http/incident-http.ts';

/** POST /incidents/{id}/follow-ups: the reporting member amends its report (続報). */
export const handler = httpHandler({ allow: ['member'], body: followUpBody() }, async (request) =>
  incidentCommand(
    request,
    incidentIdFrom(request),
    { type: 'AddFollowUp', data: request.body },
    { status: 201 },
  ),
);
