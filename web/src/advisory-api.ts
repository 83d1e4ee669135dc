import type { forkView } from '../../events/advisory/fork.ts';
import type { AdvisoryListRow, ForkListRow } from '../../events/advisory/list.ts';
import type { advisorySummary, advisoryView } from '../../events/advisory/visibility.ts';
import { apiCall, type Page } from './api.ts';
import { loadPages } from './paged.ts';

/** A row of GET /advisories (`parentId`: a child of a `forks` row). */
export type AdvisoryRow = AdvisoryListRow & { readonly parentId?: string };
/** GET /advisories `forks`: the parent of an advisory to several sectors, for a caller of several sectors. */
export type ForkRow = ForkListRow;
type AdvisoryPage = Page<AdvisoryRow> & { readonly forks?: readonly ForkRow[] };
/** A row of GET /board. */
export type BoardRow = ReturnType<typeof advisorySummary>;
type View = ReturnType<typeof advisoryView>;
/** GET /advisories/{id}: the chain's view (hops, rate, every recipient). */
export type ChainAdvisoryView = Extract<View, { hops: unknown }>;
/** GET /advisories/{id}: a member's view (its own recipient row). */
export type MemberAdvisoryView = Extract<View, { recipient: unknown }>;
/** GET /advisories/{id} as either, or GET /public/board's rows (content only). */
export type AdvisoryView = View;
/** A recipient row of the chain's view. */
export type RecipientRow = ChainAdvisoryView['recipients'][number];

/** GET /advisories/{id} of an advisory to several sectors: each sector's chain and transmission, and overall. */
export type ForkAdvisoryView = ReturnType<typeof forkView>;
export const isForkView = (v: AdvisoryView | ForkAdvisoryView): v is ForkAdvisoryView =>
  'kind' in v && v.kind === 'fork';

export const isChainView = (v: AdvisoryView): v is ChainAdvisoryView => 'hops' in v;
export const isMemberView = (v: AdvisoryView): v is MemberAdvisoryView => 'recipient' in v;

/** `?drill=` as the lists offer it. */
export type DrillFilter = 'all' | 'real' | 'drill';
const drillQuery: Record<DrillFilter, string> = { all: '', real: '&drill=false', drill: '&drill=true' };

const PAGE = 50;
const cursorQuery = (cursor: string | null) => (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');

/**
 * Every open advisory awaiting the caller (`?awaiting=true`: one response, however old), and the
 * first `pages` pages of the rest, newest first.
 */
export async function loadAdvisoryLists(pages: number, drill: DrillFilter) {
  const [awaiting, list] = await Promise.all([
    apiCall<Page<AdvisoryRow>>('GET', `/advisories?awaiting=true${drillQuery[drill]}`),
    loadAdvisories(pages, drill),
  ]);
  const ids = new Set(awaiting.items.map((r) => r.id));
  return {
    awaiting: awaiting.items,
    others: list.items.filter((r) => !ids.has(r.id)),
    forks: list.forks,
    more: list.more,
  };
}

/** GET /advisories, the first `pages` pages, with the parents (`forks`) of the children they hold. */
export async function loadAdvisories(pages: number, drill: DrillFilter) {
  const forks = new Map<string, ForkRow>();
  const list = await loadPages<AdvisoryRow>(
    (c) => `/advisories?limit=${PAGE}${drillQuery[drill]}${cursorQuery(c)}`,
    pages,
    async (p) => {
      const page = await apiCall<AdvisoryPage>('GET', p);
      for (const fork of page.forks ?? []) forks.set(fork.id, fork);
      return page;
    },
  );
  return { ...list, forks };
}

/** GET /board, the first `pages` pages. */
export const loadBoard = (pages: number) =>
  loadPages<BoardRow>(
    (c) => `/board?limit=${PAGE}${cursorQuery(c)}`,
    pages,
    (p) => apiCall<Page<BoardRow>>('GET', p),
  );

/** GET /public/board without a token, the first `pages` pages. */
export const loadPublicBoard = (apiUrl: string, pages: number) =>
  loadPages<AdvisoryView>(
    (c) => `/public/board?limit=${PAGE}${cursorQuery(c)}`,
    pages,
    async (path) => {
      const res = await fetch(`${apiUrl}${path}`, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      return (await res.json()) as Page<AdvisoryView>;
    },
  );
