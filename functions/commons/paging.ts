import { ValidationError } from '../../events/errors.ts';

/** A `limit` query parameter: a whole number in [1, max], `fallback` when absent. */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ValidationError(`limit must be a whole number from 1 to ${max}`, [
      { path: 'limit', message: 'out of range' },
    ]);
  }
  return n;
}
