import { en } from './en.ts';
import { ja, type MessageKey } from './ja.ts';

export type { MessageKey } from './ja.ts';

/** The console's languages; Japanese first (the default). */
export const languages = ['ja', 'en'] as const;
export type Lang = (typeof languages)[number];

/** One messages table per language. */
export const messages: Record<Lang, Record<MessageKey, string>> = { ja, en };

/** The message in a language with `{name}` placeholders filled. */
export function translate(
  lang: Lang,
  key: MessageKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return messages[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
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
