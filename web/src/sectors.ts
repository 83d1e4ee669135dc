import { apiCall } from './api.ts';
import { usePoll } from './hooks.ts';

/** A row of GET /sectors, as the console uses it. */
export interface SectorRow {
  readonly id: string;
  readonly names: { readonly ja: string; readonly en: string };
}

/** The sectors the caller may see (GET /sectors), read once per page. */
export const useSectors = () => usePoll(() => apiCall<{ items: SectorRow[] }>('GET', '/sectors'), [], false);
