import { randomUUID } from 'node:crypto';
import { reportIncidentBody } from '../events/incident/report.ts';
import { httpHandler } from './commons/http.ts';
import { incidentCommand } from './commons/incident-http.ts';

/** POST /incidents: a member reports an IT incident; 201 with its id, status and version. */
export const handler = httpHandler({ allow: ['member'], body: reportIncidentBody }, async (request) => {
  const incidentId = randomUUID();
  return incidentCommand(
    request,
    incidentId,
    { type: 'ReportIncident', data: { incidentId, report: request.body } },
    { status: 201, location: true },
  );
});
