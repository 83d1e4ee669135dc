/**
 * Japan's fiscal year (年度): 1 April to 31 March, in Japan time (JST, UTC+9, no daylight saving).
 * FY 2015 runs from 2015-04-01T00:00+09:00 (2015-03-31T15:00Z) to 2016-03-31T23:59:59.999+09:00.
 */

const JST_OFFSET_MS = 9 * 3_600_000;

/** The first and last instants (UTC ISO, inclusive) of a fiscal year. */
export function fiscalYearRange(fy: number): { from: string; to: string } {
  const start = Date.UTC(fy, 3, 1) - JST_OFFSET_MS;
  const next = Date.UTC(fy + 1, 3, 1) - JST_OFFSET_MS;
  return { from: new Date(start).toISOString(), to: new Date(next - 1).toISOString() };
}

/** The fiscal year an instant falls in, read in JST. */
export function fiscalYearOf(instant: string): number {
  const jst = new Date(Date.parse(instant) + JST_OFFSET_MS);
  return jst.getUTCMonth() >= 3 ? jst.getUTCFullYear() : jst.getUTCFullYear() - 1;
}

/** The fiscal year a calendar date (YYYY-MM-DD, a day in Japan) falls in. */
export function fiscalYearOfDate(date: string): number {
  const [y, m] = date.split('-').map(Number);
  return (m ?? 1) >= 4 ? (y ?? 0) : (y ?? 0) - 1;
}

/** A calendar date (YYYY-MM-DD) in JST of an instant. */
export const jstDate = (instant: string): string =>
  new Date(Date.parse(instant) + JST_OFFSET_MS).toISOString().slice(0, 10);

/** The earliest and latest fiscal years a report may be asked for. */
export const FY_MIN = 2000;
export const FY_MAX = 2100;

/** A fiscal year from a path or query parameter, or null when it is not a year in range. */
export function parseFiscalYear(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d{4}$/.test(raw)) return null;
  const fy = Number(raw);
  return fy >= FY_MIN && fy <= FY_MAX ? fy : null;
}
