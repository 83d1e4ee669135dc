import { randomUUID } from 'node:crypto';
import { reportIncidentBody } from '../events/incident/report.ts';
import { DEFAULT_SECTOR } from '../events/sector/catalog.ts';
import { visibleSectors } from '../events/sector/visibility.ts';
import { sectorClocks } from './aggregates/sector-settings.ts';
import { httpHandler } from './http/http.ts';
import { incidentCommand } from './http/incident-http.ts';

/**
 * POST /incidents: a member reports an IT incident; 201 with its id, status and version. The incident
 * runs under its sector's clocks (the sector's own relay policy and preset, else the deployment's).
 */
export const handler = httpHandler({ allow: ['member'], body: reportIncidentBody() }, async (request) => {
  const incidentId = randomUUID();
  return incidentCommand(
    request,
    incidentId,
    { type: 'ReportIncident', data: { incidentId, report: request.body } },
    { status: 201, location: true, newStream: true },
    await sectorClocks(visibleSectors(request.actor)[0] ?? DEFAULT_SECTOR),
  );
});
