import {
  canSee,
  type IncidentListing,
  incidentListing,
  incidentSummary,
} from '../events/incident/visibility.ts';
import { listSectors } from '../events/sector/visibility.ts';
import { INCIDENT_LIST } from './aggregates/incidents.ts';
import { sectorHeadsPage, sectorParam } from './audit/sector-lists.ts';
import { exerciseFilter } from './exercises/filter.ts';
import { httpHandler } from './http/http.ts';
import { pageLimit, readPage } from './http/paging.ts';
import { reader } from './store/reader.ts';

/**
 * GET /incidents: the incidents the caller may see, newest first, paged with `limit` and `cursor`;
 * of the sectors it sees, or the one `?sector=` names among them. Each row names the reporting
 * stage due next (`nextStage`).
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { actor } = request;
    const limit = pageLimit(request.query.limit, 50, 200);
    const sectors = listSectors(actor, sectorParam(request.query.sector));
    const cursor = request.query.cursor ?? null;
    // A member's own organisation's reports (one sector's); the chain one partition per sector it sees.
    const page =
      actor.role === 'member'
        ? sectors.length === 0
          ? { items: [], cursor: null }
          : await readPage(() =>
              reader.listHeads<IncidentListing | null>(
                { index: 'byOrg', key: `org#${actor.org ?? ''}` },
                { limit, cursor },
              ),
            )
        : await sectorHeadsPage<IncidentListing | null>(
            reader,
            sectors,
            {
              index: 'byType',
              base: INCIDENT_LIST,
              ...(actor.role === 'ministry' || actor.role === 'nisc' ? { visibleTo: actor.role } : {}),
            },
            { limit, cursor },
          );
    // An exercise's incidents only with `?exercise=ID` (then only that exercise's): never mixed with real ones.
    const exercise = exerciseFilter(request.query.exercise);
    const now = new Date().toISOString();
    // A list item's listing, or an older head's whole state (listed itself), taken down to its listing.
    const items = page.items
      .flatMap((head) =>
        head.state === null ? [] : [head.listItem ? head.state : incidentListing(head.state)],
      )
      .filter((listing) => canSee(listing, actor) && listing.exerciseId === exercise)
      .map((listing) => incidentSummary(listing, now));
    return { status: 200, body: { items, cursor: page.cursor } };
  },
);
