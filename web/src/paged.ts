import type { Page } from './api.ts';

/**
 * Pages of a list, newest first, up to `pages` of them: a page filtered by TLP may come back short (even
 * empty) with a cursor, so pages are read until `pages` non-empty ones or the end.
 */
export async function loadPages<T>(
  path: (cursor: string | null) => string,
  pages: number,
  call: (path: string) => Promise<Page<T>>,
): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let filled = 0;
  do {
    const page: Page<T> = await call(path(cursor));
    items.push(...page.items);
    if (page.items.length > 0) filled++;
    cursor = page.cursor;
  } while (cursor && filled < pages);
  return { items, more: cursor !== null };
}
