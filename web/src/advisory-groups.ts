import type { AdvisoryRow, ForkRow } from './advisory-api.ts';

// Pure: the advisory list's grouping, apart from advisory-api.ts (which calls the API), so a unit test reads it.

/** One entry of the advisory list: an advisory, or an advisory to several sectors with its children on the list. */
export type AdvisoryEntry =
  | { readonly kind: 'advisory'; readonly row: AdvisoryRow }
  | { readonly kind: 'fork'; readonly fork: ForkRow; readonly children: readonly AdvisoryRow[] };

/**
 * Groups the children of an advisory to several sectors under their parent, at the place of the
 * first of them; a row whose parent is not known stays a row of its own. Keeps the order otherwise.
 */
export function groupByFork(
  rows: readonly AdvisoryRow[],
  forks: ReadonlyMap<string, ForkRow>,
): AdvisoryEntry[] {
  const entries: AdvisoryEntry[] = [];
  const groups = new Map<string, AdvisoryRow[]>();
  for (const row of rows) {
    const fork = row.parentId ? forks.get(row.parentId) : undefined;
    if (fork === undefined) {
      entries.push({ kind: 'advisory', row });
      continue;
    }
    const children = groups.get(fork.id);
    if (children) children.push(row);
    else {
      const first = [row];
      groups.set(fork.id, first);
      entries.push({ kind: 'fork', fork, children: first });
    }
  }
  return entries;
}
