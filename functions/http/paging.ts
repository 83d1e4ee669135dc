import { ValidationError } from '../../events/errors.ts';
import { InvalidCursorError } from '../store/dynamodb-event-reader.ts';

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

/** The 400 of a cursor the route did not issue. */
export const invalidCursor = () =>
  new ValidationError('invalid cursor', [{ path: 'cursor', message: 'invalid' }]);

/** Runs a paged read; a cursor the store did not issue is the caller's mistake (400), not a 500. */
export async function readPage<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw invalidCursor();
    }
    throw error;
  }
}

/** A `true`/`false` query parameter; null when absent, a 400 naming it otherwise. */
export function booleanParam(raw: string | undefined, name: string): boolean | null {
  if (raw === undefined) return null;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ValidationError(`${name} must be true or false`, [{ path: name, message: 'true or false' }]);
}
