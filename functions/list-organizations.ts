import { channels, entrySector, type OrganizationState } from '../events/directory/directory.ts';
import { listSectors } from '../events/sector/visibility.ts';
import { loadChainOrganizations, loadOrganizations } from './aggregates/directory.ts';
import { sectors as sectorsAggregate } from './aggregates/sectors.ts';
import { sectorParam } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/**
 * GET /directory/organizations: the organisations of the sectors the caller sees (or of the one
 * `?sector=` names among them), by id: each sector's members and secretariat (one Query of its
 * partition), its ministry and NISC, each with its kind, sector (none for a ministry or NISC),
 * names, how many contacts it has, the channels they can be reached on and whether every contact
 * has two routes. The entry itself is `GET /directory/organizations/{org}`. A member lists its own
 * organisation and those its reports and advisories pass through (its sector's secretariat, its
 * ministry, NISC), never another member: the names its console shows, wherever it is deployed.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { actor } = request;
    const sectors = listSectors(actor, sectorParam(request.query.sector));
    const found = new Map<string, OrganizationState>();
    const member = actor.kind === 'user' && actor.role === 'member' ? (actor.org ?? '') : null;
    if (member !== null) {
      // A member sees one sector, its own (none when `?sector=` names another).
      for (const sector of sectors) {
        const { state } = await loadAggregate(reader, sectorsAggregate, sector);
        const chain = { member, secretariat: state?.entry.secretariat };
        for (const [org, entry] of await loadChainOrganizations(reader, sector, chain)) found.set(org, entry);
      }
    } else
      for (const orgs of await Promise.all(sectors.map((sector) => loadOrganizations(reader, sector))))
        for (const [org, state] of orgs) found.set(org, state);
    const items = [...found.values()].map((state) => {
      const { entry } = state;
      return {
        org: state.org,
        kind: entry.kind,
        sector: entrySector(entry),
        member: entry.kind === 'member',
        name: entry.name,
        contacts: entry.contacts.length,
        channels: channels.filter((ch) => entry.contacts.some((c) => c.primary === ch || c.secondary === ch)),
        twoRoutes: entry.contacts.every((c) => c.secondary !== undefined),
        updatedAt: state.updatedAt,
        version: state.version,
      };
    });
    items.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
    return { status: 200, body: { items } };
  },
);
