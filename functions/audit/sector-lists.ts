import type { Actor } from '../../events/actor.ts';
import { canSeeEntry, type OrganizationEntry } from '../../events/directory/directory.ts';
import { ValidationError } from '../../events/errors.ts';
import { isSectorId, type SectorId, sectorIds, sectorPartition } from '../../events/sector/catalog.ts';
import { canSeeSector, visibleSectors } from '../../events/sector/visibility.ts';
import { invalidCursor, readPage } from '../http/paging.ts';
import type { EventReader, Page, StreamHead } from '../store/event-store.ts';

/**
 * Whether a caller may read a stream's folded state in the audit routes. A caller that sees every
 * sector reads every stream. One granted fewer reads a stream of one sector (an incident, an advisory,
 * a sector, an activity, a plan, a survey response) when it sees that sector, an organisation when it
 * sees the entry, and a stream that spans sectors (a survey, an exercise: their events name each
 * sector's recipients or participants) only when it sees every sector the stream spans. A stream type
 * not known here stays hidden (fails closed).
 */
export function canSeeStream(actor: Actor, streamId: string, type: string, state: unknown): boolean {
  if (visibleSectors(actor).length === sectorIds.length) return true;
  if (state === null || typeof state !== 'object') return false;
  const s = state as {
    sector?: SectorId;
    sectors?: readonly SectorId[];
    org?: string;
    entry?: OrganizationEntry;
  };
  switch (type) {
    case 'incident':
    case 'advisory':
    case 'activity':
    case 'plan':
    case 'survey-response':
      return canSeeSector(actor, s.sector);
    case 'survey':
    case 'exercise':
      return (
        Array.isArray(s.sectors) && s.sectors.length > 0 && s.sectors.every((x) => canSeeSector(actor, x))
      );
    case 'sector':
      return canSeeSector(actor, streamId.slice('sector#'.length) as SectorId);
    case 'organization':
      return s.entry !== undefined && canSeeEntry(actor, s.org ?? '', s.entry);
    default:
      return false;
  }
}

/** A `?sector=` query parameter: a sector id, or undefined when absent; anything else is a 400 naming it. */
export function sectorParam(raw: string | undefined): SectorId | undefined {
  if (raw === undefined) return undefined;
  if (isSectorId(raw)) return raw;
  throw new ValidationError('sector must be a sector id', [
    { path: 'sector', message: `one of ${sectorIds.join(', ')}` },
  ]);
}

/** The cursor of a page merged over several sectors: each sector's own cursor (null: not begun), or done. */
type MergedCursor = Record<string, string | null | false>;

const encode = (c: MergedCursor) => `m.${Buffer.from(JSON.stringify(c)).toString('base64url')}`;

function decode(cursor: string | null): MergedCursor | null {
  if (cursor === null) return null;
  try {
    if (!cursor.startsWith('m.')) throw new Error('not merged');
    const parsed: unknown = JSON.parse(Buffer.from(cursor.slice(2), 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as MergedCursor;
  } catch {
    // below
  }
  throw invalidCursor();
}

/**
 * One page of heads over the list partitions of some sectors (`base` is the partition's name before
 * sectors, e.g. `incident`), newest first. One sector: one Query of its partition, with the store's
 * own cursor (so a chemical cursor from before sectors still works). Several: one Query per sector
 * not exhausted yet, merged by list key; the cursor remembers where each sector stands.
 */
export async function sectorHeadsPage<S>(
  reader: Pick<EventReader, 'listHeads' | 'cursorAfter'>,
  sectors: readonly SectorId[],
  query: { index: 'byType' | 'byOrg'; base: string; visibleTo?: string },
  options: { limit: number; cursor: string | null },
): Promise<Page<StreamHead<S>>> {
  const keyOf = (sector: SectorId) => ({
    index: query.index,
    key: sectorPartition(query.base, sector),
    ...(query.visibleTo ? { visibleTo: query.visibleTo } : {}),
  });
  if (sectors.length === 0) return { items: [], cursor: null };
  if (sectors.length === 1) {
    const [only] = sectors as [SectorId];
    return readPage(() => reader.listHeads<S>(keyOf(only), options));
  }
  const state = decode(options.cursor) ?? Object.fromEntries(sectors.map((s) => [s, null]));
  const open = sectors.filter((s) => state[s] !== false);
  const pages = await Promise.all(
    open.map(async (sector) => ({
      sector,
      page: await readPage(() =>
        reader.listHeads<S>(keyOf(sector), { limit: options.limit, cursor: state[sector] || null }),
      ),
    })),
  );
  // Newest first across sectors: the list key starts with the creation time.
  const merged = pages
    .flatMap(({ sector, page }) => page.items.map((head) => ({ sector, head })))
    .sort((a, b) => ((a.head.listSk ?? '') < (b.head.listSk ?? '') ? 1 : -1))
    .slice(0, options.limit);
  const next: MergedCursor = { ...state };
  for (const { sector, page } of pages) {
    const taken = merged.filter((m) => m.sector === sector);
    const last = taken.at(-1)?.head;
    if (taken.length === page.items.length) next[sector] = page.cursor ?? false;
    else if (last) next[sector] = reader.cursorAfter?.(keyOf(sector), last) ?? false;
  }
  const more = sectors.some((s) => next[s] !== false);
  return { items: merged.map((m) => m.head), cursor: more ? encode(next) : null };
}

/** Every head over some sectors' partitions, page by page (unordered across sectors). */
export async function* allSectorHeads<S>(
  reader: Pick<EventReader, 'listHeads'>,
  sectors: readonly SectorId[],
  query: { index: 'byType' | 'byOrg'; base: string },
  pageSize = 1000,
): AsyncIterable<StreamHead<S>> {
  for (const key of new Set(sectors.map((s) => sectorPartition(query.base, s)))) {
    let cursor: string | null = null;
    do {
      const page: Page<StreamHead<S>> = await reader.listHeads<S>(
        { index: query.index, key },
        { limit: pageSize, cursor },
      );
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }
}
