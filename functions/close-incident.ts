import { noteBody } from '../events/incident/bodies.ts';
import { httpHandler } from './http/http.ts';
import { incidentCommand, incidentIdFrom } from './http/incident-http.ts';

/** POST /incidents/{id}/close: the secretariat or the reporting member closes a relayed incident. */
export const handler = httpHandler({ allow: ['secretariat', 'member'], body: noteBody() }, async (request) =>
  incidentCommand(
    request,
    incidentIdFrom(request),
    { type: 'CloseIncident', data: request.body },
    { status: 200 },
  ),
);
