import { type ShareBody, shareBody } from '../events/advisory/body.ts';
import type { AdvisoryCommand } from '../events/advisory/decide.ts';
import { NotFoundError, ValidationError } from '../events/errors.ts';
import { canSee } from '../events/incident/visibility.ts';
import { sectorOr } from '../events/sector/catalog.ts';
import { previewAdvisory, previewRequested } from './aggregates/advisory-preview.ts';
import { loadDirectory } from './aggregates/directory.ts';
import { incidents } from './aggregates/incidents.ts';
import { advisoryCommand, newAdvisoryId, rosterOf } from './http/advisory-http.ts';
import { type HttpRequest, httpHandler } from './http/http.ts';
import { incidentIdFrom } from './http/incident-id.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/**
 * POST /incidents/{id}/share: the secretariat turns an incident into an advisory to the other
 * members. The text is the secretariat's edit; it is refused (400, naming the field) while it
 * still names the reporting company, its people or its addresses. The recipients never get
 * the incident's id: only the secretariat's view of the advisory links back to it.
 * `?preview=true` runs every check and the same decision, writes nothing, and answers 200
 * with what a recipient member would see and how many organisations would receive it.
 */
export const handler = httpHandler({ allow: ['secretariat'], body: shareBody() }, async (request) => {
  const preview = previewRequested(request.query.preview);
  const command = await shareCommand(request);
  if (preview) return previewAdvisory(command, request.actor);
  return advisoryCommand(request, command.data.advisoryId, command, {
    status: 201,
    location: true,
    newStream: true,
  });
});

/** The advisory a share would issue, once the text is checked for traces of the reporter. */
async function shareCommand(
  request: HttpRequest<ShareBody>,
): Promise<Extract<AdvisoryCommand, { type: 'IssueAdvisory' }>> {
  const incidentId = incidentIdFrom(request);
  const { state: incident } = await loadAggregate(reader, incidents, incidentId);
  if (incident === null || !canSee(incident, request.actor)) throw new NotFoundError('no such incident');
  const sector = sectorOr(incident.sector);
  const directory = await loadDirectory(reader, sector);
  const reporterOrg = directory.organizations[incident.org];
  const identifying = [
    incident.org,
    reporterOrg?.name.ja,
    reporterOrg?.name.en,
    incident.report.contact.name,
    incident.report.contact.email,
    incident.report.contact.phone,
    incident.reportedBy,
    incidentId,
    ...(reporterOrg?.contacts ?? []).flatMap((c) => [c.name, c.email, c.phone, c.webhook, c.login]),
  ].filter((s): s is string => typeof s === 'string' && s.trim().length >= 3);
  const fields = (['title', 'body'] as const).flatMap((field) => {
    const text = request.body[field].toLowerCase();
    return identifying.some((s) => text.includes(s.toLowerCase()))
      ? [{ path: field, message: 'still identifies the reporting company; edit it out' }]
      : [];
  });
  if (fields.length > 0) throw new ValidationError('the shared text identifies the reporter', fields);
  const advisoryId = newAdvisoryId();
  return {
    type: 'IssueAdvisory',
    data: {
      advisoryId,
      title: request.body.title,
      body: request.body.body,
      tlp: request.body.tlp,
      severity: incident.severity,
      ackWithinHours: request.body.ackWithinHours,
      audience: 'all',
      drill: false,
      sourceIncidentId: incidentId,
      excludeOrgs: [incident.org],
      sector,
      roster: rosterOf(directory, sector),
    },
  };
}
