import { ValidationError } from '../../events/errors.ts';
import { UUID } from '../http/uuid.ts';

/**
 * `?exercise=` of the lists and the compliance report: absent, only real incidents and advisories;
 * an exercise id, only that exercise's; anything else (an empty value included) is 400.
 */
export function exerciseFilter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!UUID.test(value))
    throw new ValidationError('the query is invalid', [
      { path: 'exercise', message: 'must be an exercise id (a UUID)' },
    ]);
  return value;
}
