import { noteBody } from '../events/incident/bodies.ts';
import { httpHandler } from './http/http.ts';
import { incidentCommand, incidentIdFrom } from './http/incident-http.ts';

/** POST /incidents/{id}/receipt: the ministry, then NISC, acknowledges the relayed report. */
export const handler = httpHandler({ allow: ['ministry', 'nisc'], body: noteBody() }, async (request) =>
  incidentCommand(
    request,
    incidentIdFrom(request),
    { type: 'AcknowledgeReceipt', data: request.body },
    { status: 200 },
  ),
);
