import type { MessageKey } from './ja.ts';

export type { MessageKey } from './ja.ts';

/** The console's languages; Japanese first (the default). */
export const languages = ['ja', 'en'] as const;
export type Lang = (typeof languages)[number];

/**
 * Each language's table is its own chunk, loaded before the first render ({@link loadLanguage}) and the
 * other one right after it, so a switch works offline too: a first visit downloads one language.
 */
const tables: Partial<Record<Lang, Readonly<Record<MessageKey, string>>>> = {};
const loaders: Record<Lang, () => Promise<Readonly<Record<MessageKey, string>>>> = {
  ja: () => import('./ja.ts').then((m) => m.ja),
  en: () => import('./en.ts').then((m) => m.en),
};

/** Loads a language's messages (once); translate() needs them. */
export async function loadLanguage(lang: Lang): Promise<void> {
  tables[lang] ??= await loaders[lang]();
}

/** True when `key` names a message (every language has the same keys). */
export function isMessageKey(key: string): key is MessageKey {
  const table = tables.ja ?? tables.en;
  return table !== undefined && key in table;
}

/** The message in a language with `{name}` placeholders filled. */
export function translate(
  lang: Lang,
  key: MessageKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  const table = tables[lang];
  if (!table) throw new Error(`the ${lang} messages are not loaded (loadLanguage)`);
  return table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** A translator bound to one language. */
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** "3 h 12 min" / "3時間12分": at most the two largest units, for a duration in ms (sign ignored). */
export function formatDuration(ms: number, t: Translate): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const units: [number, MessageKey][] = [
    [Math.floor(total / 86_400), 'time.day'],
    [Math.floor((total % 86_400) / 3600), 'time.hour'],
    [Math.floor((total % 3600) / 60), 'time.minute'],
    [total % 60, 'time.second'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return t('time.second', { n: 0 });
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, key]) => t(key, { n }))
    .join(t('time.sep'));
}

/** "残り 3時間12分" before the deadline, "5分 超過" after it. */
export function formatTimeLeft(dueAt: string, now: number, t: Translate): { text: string; overdue: boolean } {
  const left = Date.parse(dueAt) - now;
  const d = formatDuration(left, t);
  return left >= 0
    ? { text: t('time.left', { d }), overdue: false }
    : { text: t('time.overdue', { d }), overdue: true };
}
