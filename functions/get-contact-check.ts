import { NotFoundError } from '../events/errors.ts';
import { sectorOr } from '../events/sector/catalog.ts';
import { canSeeSector } from '../events/sector/visibility.ts';
import { advisories, loadRecipients } from './aggregates/advisories.ts';
import { loadDirectory } from './aggregates/directory.ts';
import { advisoryIdFrom } from './http/advisory-id.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/**
 * GET /contact-checks/{id}: per member organisation and contact, which channels the test
 * message reached and whether (and when) the contact confirmed it. Only the check's own
 * sector's secretariat and the auditors who see that sector read it; for anyone else it is 404.
 */
export const handler = httpHandler({ allow: ['secretariat', 'auditor'] }, async (request) => {
  const id = advisoryIdFrom(request);
  const { state } = await loadAggregate(reader, advisories, id);
  // Another sector's contact check is not there for the caller (404), like its advisories.
  if (state === null || !state.contactCheck || !canSeeSector(request.actor, state.sector))
    throw new NotFoundError('no such contact check');
  const [recipients, directory] = await Promise.all([
    loadRecipients(reader, id),
    loadDirectory(reader, sectorOr(state.sector)),
  ]);
  const byOrg = new Map(recipients.map((r) => [r.org, r]));
  const organizations = state.recipients.map((org) => {
    const r = byOrg.get(org);
    const contactIds = new Set([
      ...(directory.organizations[org]?.contacts ?? []).map((c) => c.id),
      ...(r?.deliveries ?? []).map((d) => d.contactId),
    ]);
    const contacts = [...contactIds].map((contactId) => {
      const confirmation = r?.acknowledgements.find((a) => a.contactId === contactId);
      return {
        contactId,
        reached: (r?.deliveries ?? [])
          .filter((d) => d.contactId === contactId)
          .map(({ channel, ok, at, purpose }) => ({ channel, ok, at, purpose })),
        confirmedAt: confirmation?.at ?? null,
      };
    });
    return { org, contacts, allConfirmed: contacts.every((c) => c.confirmedAt !== null) };
  });
  const total = organizations.flatMap((o) => o.contacts);
  return {
    status: 200,
    body: {
      id,
      status: state.status,
      createdAt: state.createdAt,
      dueAt: state.ackDueAt,
      contacts: total.length,
      confirmed: total.filter((c) => c.confirmedAt !== null).length,
      organizations,
    },
  };
});
