import { dateFormat } from './date-format.ts';
import type { Lang } from './i18n/index.ts';

// The auditor's moments are Japan Standard Time, whatever the browser's zone: JST has no daylight
// saving, so a fixed +09:00 is exact.
const JST_MS = 9 * 3_600_000;

/**
 * `2026-11-26T10:00:05` (what <input type="datetime-local"> holds) for an instant, in JST; with
 * `.25` when the instant has milliseconds (so that an event's own time includes the event), in the
 * form the browser normalises a value to (no zero seconds, no trailing zeros in the fraction).
 */
export function toJstInput(iso: string): string {
  const text = new Date(Date.parse(iso) + JST_MS).toISOString();
  // The browser's normalised form: no zero seconds, no trailing zeros in the fraction (.290 → .29).
  const ms = text.slice(20, 23).replace(/0+$/, '');
  const seconds = text.slice(17, 19);
  if (ms) return `${text.slice(0, 19)}.${ms}`;
  return seconds === '00' ? text.slice(0, 16) : text.slice(0, 19);
}

/** The instant of a datetime-local value read as JST; null when it is not a full date and time. */
export function fromJstInput(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d{1,3})?)?$/.exec(value);
  if (!m) return null;
  const t = Date.parse(`${m[1]}${m[2] ?? ':00'}+09:00`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** A JST calendar day (`YYYY-MM-DD`) as the instants it starts and ends at. */
export function jstDay(day: string): { start: string; end: string } | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const start = Date.parse(`${day}T00:00:00+09:00`);
  if (Number.isNaN(start)) return null;
  return { start: new Date(start).toISOString(), end: new Date(start + 86_400_000 - 1).toISOString() };
}

/** Today in JST, and the first day of its Japanese fiscal year (1 April), as `YYYY-MM-DD`. */
export function fiscalYearToDate(now: number): { from: string; to: string } {
  const today = new Date(now + JST_MS).toISOString().slice(0, 10);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return { from: `${month >= 4 ? year : year - 1}-04-01`, to: today };
}

/** An instant in JST, seconds included, with the zone named: `2026年11月26日 10:00:05 JST`. */
export function formatJst(iso: string, lang: Lang): string {
  const text = dateFormat(lang, 'jst').format(new Date(iso));
  return `${text} JST`;
}
