import type { AdvisoryState, MaybeAdvisory, MaybeRecipient } from '../events/advisory/advisory.ts';
import { advisoryListRow } from '../events/advisory/list.ts';
import { canSeeAdvisory } from '../events/advisory/visibility.ts';
import type { SectorId } from '../events/sector/catalog.ts';
import { listSectors } from '../events/sector/visibility.ts';
import { ADVISORY_LIST, OPEN_ADVISORIES, recipientId, recipients } from './commons/advisories.ts';
import { DynamoDbBatchHeadReader } from './commons/batch-heads.ts';
import { eventsTable } from './commons/config.ts';
import type { StreamHead } from './commons/event-store.ts';
import { httpHandler } from './commons/http.ts';
import { booleanParam, pageLimit } from './commons/paging.ts';
import { dynamoClient } from './commons/reader.ts';
import { allSectorHeads, sectorHeadsPage, sectorParam } from './commons/sector-lists.ts';
import { exerciseFilter } from './exercises/filter.ts';

const store = new DynamoDbBatchHeadReader(dynamoClient, eventsTable);

/** At most this many open advisories are read for `?awaiting=true`. */
const OPEN_LIMIT = 2000;

/** Every advisory of the sectors not closed yet (the sparse OPEN_ADVISORIES index, one partition per sector). */
async function openAdvisories(sectors: readonly SectorId[]): Promise<StreamHead<MaybeAdvisory>[]> {
  const heads: StreamHead<MaybeAdvisory>[] = [];
  for await (const head of allSectorHeads<MaybeAdvisory>(
    store,
    sectors,
    { index: 'byOrg', base: OPEN_ADVISORIES },
    100,
  )) {
    heads.push(head);
    if (heads.length >= OPEN_LIMIT) break;
  }
  return heads;
}

/**
 * GET /advisories: the advisories the caller may see, newest first, paged, each with what the
 * caller has to do about it: the chain its pending hop and forward deadline, a member whether
 * its organisation is a recipient and when it acknowledged. A member's page costs one Query
 * and one BatchGetItem per 100 of its recipient heads, never a read per row. `?awaiting=true`
 * answers, in one response, every advisory not closed yet that awaits the caller's forward or
 * acknowledgement, however old (no cursor).
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { actor } = request;
    const limit = pageLimit(request.query.limit, 50, 200);
    const drill = booleanParam(request.query.drill, 'drill');
    const awaiting = booleanParam(request.query.awaiting, 'awaiting') === true;
    const sectors = listSectors(actor, sectorParam(request.query.sector));
    const exercise = exerciseFilter(request.query.exercise);
    const page = awaiting
      ? { items: await openAdvisories(sectors), cursor: null }
      : await sectorHeadsPage<MaybeAdvisory>(
          store,
          sectors,
          { index: 'byType', base: ADVISORY_LIST },
          { limit, cursor: request.query.cursor ?? null },
        );
    // Filtered after the Query (TLP rights, drill), so a page may hold fewer rows than `limit`.
    const visible = page.items
      .map((head) => head.state)
      .filter((s): s is AdvisoryState => s !== null && canSeeAdvisory(s, actor))
      .filter((s) => drill === null || s.drill === drill)
      // An exercise's advisories only with `?exercise=ID`: never mixed with real ones or drills.
      .filter((s) => s.exerciseId === exercise);
    const org = actor.role === 'member' ? (actor.org ?? '') : '';
    const ownIds = visible
      .filter((s) => org !== '' && s.recipients.includes(org))
      .map((s) => recipients.streamId(recipientId(s.id, org)));
    const own = ownIds.length > 0 ? await store.loadHeads<MaybeRecipient>(ownIds) : new Map();
    const rows = visible.map((s) =>
      advisoryListRow(s, actor, own.get(recipients.streamId(recipientId(s.id, org)))?.state ?? undefined),
    );
    const items = awaiting ? rows.filter((r) => r.awaiting !== null) : rows;
    return { status: 200, body: { items, cursor: page.cursor } };
  },
);
