import type { MessageKey } from './i18n/ja.ts';
import { createStore } from './store.ts';

/** A message carried to the next page (e.g. "report sent" after the form navigates away). */
export const flash = createStore<{ key: MessageKey; params?: Record<string, string | number> } | null>(null);
