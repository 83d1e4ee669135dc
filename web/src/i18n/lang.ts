import { createStore, useStore } from '../store.ts';
import { type Lang, languages, type Translate, translate } from './index.ts';

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
