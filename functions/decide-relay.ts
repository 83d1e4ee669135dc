import { decisionBody } from '../events/incident/bodies.ts';
import { httpHandler } from './http/http.ts';
import { incidentCommand, incidentIdFrom } from './http/incident-http.ts';

/** POST /incidents/{id}/decision: the secretariat approves the relay or returns the report. */
export const handler = httpHandler({ allow: ['secretariat'], body: decisionBody() }, async (request) =>
  incidentCommand(
    request,
    incidentIdFrom(request),
    { type: 'DecideRelay', data: request.body },
    { status: 200 },
  ),
);
