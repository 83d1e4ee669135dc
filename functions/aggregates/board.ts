import type { Actor } from '../../events/actor.ts';
import type { AdvisoryState, MaybeAdvisory } from '../../events/advisory/advisory.ts';
import { advisorySummary, advisoryView, canSeeAdvisory } from '../../events/advisory/visibility.ts';
import { type SectorId, sectorIds } from '../../events/sector/catalog.ts';
import { listSectors } from '../../events/sector/visibility.ts';
import { sectorHeadsPage } from '../audit/sector-lists.ts';
import type { EventReader } from '../store/event-store.ts';
import { ADVISORY_LIST } from './advisories.ts';

/**
 * One page of the electronic bulletin board: the advisories the caller (null: the public)
 * may see, newest first. Pages are read from the index and filtered by TLP, so a page may
 * hold fewer rows than `limit`; the cursor still moves on.
 */
export async function boardPage(
  reader: EventReader,
  actor: Actor | null,
  limit: number,
  cursor: string | null,
  sector?: SectorId,
) {
  // The public sees every sector's TLP:CLEAR advisories; a caller the sectors it sees.
  const sectors = actor === null ? (sector ? [sector] : sectorIds) : listSectors(actor, sector);
  const page = await sectorHeadsPage<MaybeAdvisory>(
    reader,
    sectors,
    { index: 'byType', base: ADVISORY_LIST },
    { limit, cursor },
  );
  const items = page.items
    .map((head) => head.state)
    // An exercise's injects are not bulletins: they stay on the exercise's own lists.
    .filter((s): s is AdvisoryState => s !== null && !s.exerciseId && canSeeAdvisory(s, actor))
    // The public board carries the text too: TLP:CLEAR may be shared without limit.
    .map((s) => (actor === null ? advisoryView(s, null, []) : advisorySummary(s)));
  return { items, cursor: page.cursor };
}
