import { ValidationError } from '../../events/errors.ts';

/** An exercise id: a UUID (create-exercise mints them). */
export const EXERCISE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `?exercise=` of the lists and the compliance report: absent, only real incidents and advisories;
 * an exercise id, only that exercise's; anything else (an empty value included) is 400.
 */
export function exerciseFilter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!EXERCISE_ID.test(value))
    throw new ValidationError('the query is invalid', [
      { path: 'exercise', message: 'must be an exercise id (a UUID)' },
    ]);
  return value;
}
