import { ValidationError } from '../../events/errors.ts';

/** A minutes file's name as given: letters and digits of any script, spaces and . _ - ( ), 1 to 120. */
export const MINUTES_FILENAME = /^[\p{L}\p{N}._ ()-]{1,120}$/u;

/** `?filename=` of POST /activities/{id}/minutes: absent is fine (a name is made up), anything else must match. */
export function checkedMinutesFilename(value: string | undefined): string | undefined {
  if (value === undefined || MINUTES_FILENAME.test(value)) return value;
  throw new ValidationError('the query is invalid', [
    { path: 'filename', message: 'letters, digits, spaces and . _ - ( ), 1 to 120 characters' },
  ]);
}
