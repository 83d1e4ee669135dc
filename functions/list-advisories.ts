import type { AdvisoryState, MaybeAdvisory, MaybeRecipient } from '../events/advisory/advisory.ts';
import type { MaybeFork } from '../events/advisory/fork.ts';
import { advisoryListRow, type ForkListRow, forkListRow, groupsForks } from '../events/advisory/list.ts';
import { canSeeAdvisory } from '../events/advisory/visibility.ts';
import type { SectorId } from '../events/sector/catalog.ts';
import { listSectors } from '../events/sector/visibility.ts';
import {
  ADVISORY_LIST,
  advisories,
  OPEN_ADVISORIES,
  recipientId,
  recipients,
} from './aggregates/advisories.ts';
import { forks } from './aggregates/advisory-forks.ts';
import { allSectorHeads, sectorHeadsPage, sectorParam } from './audit/sector-lists.ts';
import { exerciseFilter } from './exercises/filter.ts';
import { httpHandler } from './http/http.ts';
import { booleanParam, pageLimit } from './http/paging.ts';
import { eventsTable } from './runtime/config.ts';
import { DynamoDbBatchHeadReader } from './store/batch-heads.ts';
import type { StreamHead } from './store/event-store.ts';
import { dynamoClient } from './store/reader.ts';

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
 * The parents of the page's children of advisories to several sectors, for a caller who sees
 * several sectors (NISC, a ministry, an auditor of all): one BatchGetItem for the forks' heads and
 * one per 100 of their children's heads (a child on another page, or filtered out of this one, still
 * counts in its parent's figures). None for a caller of one sector: it sees its own child only.
 */
async function parentsOf(
  visible: readonly AdvisoryState[],
  actor: Parameters<typeof forkListRow>[1],
  sectors: readonly SectorId[],
): Promise<ForkListRow[]> {
  if (!groupsForks(actor)) return [];
  const parentIds = [...new Set(visible.flatMap((s) => (s.parentId ? [s.parentId] : [])))];
  if (parentIds.length === 0) return [];
  const forkHeads = await store.loadHeads<MaybeFork>(parentIds.map((id) => forks.streamId(id)));
  const found = parentIds.flatMap((id) => {
    const state = forkHeads.get(forks.streamId(id))?.state;
    return state ? [state] : [];
  });
  const childIds = found.flatMap((f) => f.children.map((c) => advisories.streamId(c.advisoryId)));
  const childHeads = await store.loadHeads<MaybeAdvisory>(childIds);
  return found.flatMap((fork) => {
    const children = new Map(
      fork.children.map((c) => [
        c.advisoryId,
        childHeads.get(advisories.streamId(c.advisoryId))?.state ?? null,
      ]),
    );
    const row = forkListRow(fork, actor, children, sectors);
    return row ? [row] : [];
  });
}

/**
 * GET /advisories: the advisories the caller may see, newest first, paged, each with what the
 * caller has to do about it: the chain its pending hop and forward deadline, a member whether
 * its organisation is a recipient and when it acknowledged. A member's page costs one Query
 * and one BatchGetItem per 100 of its recipient heads, never a read per row. `?awaiting=true`
 * answers, in one response, every advisory not closed yet that awaits the caller's forward or
 * acknowledgement, however old (no cursor). An advisory to several sectors is one child per
 * sector: for a caller who sees several sectors, `forks` carries the parents of the page's children
 * (parentsOf) and each such child row names its `parentId`, so the console shows them as one row.
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
    const parents = await parentsOf(visible, actor, sectors);
    const grouped = new Set(parents.map((p) => p.id));
    const rows = visible.map((s) => {
      const row = advisoryListRow(
        s,
        actor,
        own.get(recipients.streamId(recipientId(s.id, org)))?.state ?? undefined,
      );
      return s.parentId && grouped.has(s.parentId) ? { ...row, parentId: s.parentId } : row;
    });
    const items = awaiting ? rows.filter((r) => r.awaiting !== null) : rows;
    const shown = new Set(items.flatMap((r) => ('parentId' in r ? [r.parentId] : [])));
    return {
      status: 200,
      body: { items, forks: parents.filter((p) => shown.has(p.id)), cursor: page.cursor },
    };
  },
);
