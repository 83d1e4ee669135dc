import { channels, entrySector, type OrganizationState } from '../events/directory/directory.ts';
import { listSectors } from '../events/sector/visibility.ts';
import { loadOrganizations } from './aggregates/directory.ts';
import { sectorParam } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/**
 * GET /directory/organizations: the organisations of the sectors the caller sees (or of the one
 * `?sector=` names among them), by id: each sector's members and secretariat (one Query of its
 * partition), its ministry and NISC, each with its kind, sector (none for a ministry or NISC),
 * names, how many contacts it has, the channels they can be reached on and whether every contact
 * has two routes. The entry itself is `GET /directory/organizations/{org}`.
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const sectors = listSectors(request.actor, sectorParam(request.query.sector));
    const found = new Map<string, OrganizationState>();
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
