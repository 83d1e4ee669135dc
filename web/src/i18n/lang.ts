import { createStore, useStore } from '../store.ts';
import { type Lang, languages, loadLanguage, type Translate, translate } from './index.ts';

const LANG_KEY = 'ceptoar.lang';

const saved = localStorage.getItem(LANG_KEY);
/** The console's language: Japanese unless the person switched (kept on this device). */
export const lang = createStore<Lang>(
  (languages as readonly string[]).includes(saved ?? '') ? (saved as Lang) : 'ja',
);

const apply = () => {
  document.documentElement.lang = lang.get();
  localStorage.setItem(LANG_KEY, lang.get());
};
lang.subscribe(apply);
apply();

/** The translator of the current language; the component re-renders on a switch. */
export function useT(): Translate {
  const current = useStore(lang);
  return (key, params) => translate(current, key, params);
}

/** Switches the language once its messages are loaded (they usually are: the other language is prefetched). */
export async function switchLanguage(next: Lang): Promise<void> {
  await loadLanguage(next);
  lang.set(next);
}

/** Before the first render: the current language's messages; after it, the other's in the background. */
export async function loadLanguages(): Promise<void> {
  await loadLanguage(lang.get());
  for (const other of languages) if (other !== lang.get()) void loadLanguage(other).catch(() => undefined);
}
