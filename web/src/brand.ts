import { apiCall } from './api.ts';
import type { SectorName } from './config.ts';
import { lang, useT } from './i18n/lang.ts';
import { brandSector } from './sector-choices.ts';
import type { Session } from './session.ts';
import { createStore, useStore } from './store.ts';

/** The names of the sector in the title, or null for the deployment's own title (set by {@link loadBrand}). */
export const brandNames = createStore<SectorName['names'] | null>(null);

/** The latest {@link loadBrand} call: an earlier one's answer, come late, is dropped. */
let loading = 0;

/**
 * Keeps {@link brandNames} true to the session: the sector's names from config.json when the local stack
 * listed them, else from GET /sectors/{id} (each caller may read its own sector), once per sign-in.
 */
export async function loadBrand(session: Session | null, known: readonly SectorName[]): Promise<void> {
  const mine = ++loading;
  const sector = brandSector(session);
  if (sector === null) {
    brandNames.set(null);
    return;
  }
  const listed = known.find((s) => s.id === sector);
  if (listed) {
    brandNames.set(listed.names);
    return;
  }
  try {
    const row = await apiCall<SectorName>('GET', `/sectors/${encodeURIComponent(sector)}`);
    if (mine === loading) brandNames.set(row.names);
  } catch {
    // The deployment's title until the next sign-in: not worth an error on every page.
    if (mine === loading) brandNames.set(null);
  }
}

/** The console's title in the current language: "<sector> incident relay", or the deployment's own. */
export function useBrand(): string {
  const t = useT();
  const names = useStore(brandNames);
  const current = useStore(lang);
  return names ? t('app.title.sector', { sector: names[current] }) : t('app.title');
}
