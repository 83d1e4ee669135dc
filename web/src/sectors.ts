import { apiCall } from './api.ts';
import type { SectorName } from './config.ts';
import { usePoll } from './hooks.ts';

/** A row of GET /sectors, as the console uses it: a sector's id and names, as config.json lists them too. */
export type SectorRow = SectorName;

/** The sectors the caller may see (GET /sectors), read once per page. */
export const useSectors = () => usePoll(() => apiCall<{ items: SectorRow[] }>('GET', '/sectors'), [], false);

/** A sector's name in `lang` among `rows` (GET /sectors' or config.json's), its id when they do not list it. */
export const sectorName = (
  rows: readonly SectorRow[] | undefined,
  id: string,
  lang: keyof SectorRow['names'],
): string => rows?.find((s) => s.id === id)?.names[lang] ?? id;
