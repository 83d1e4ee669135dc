import { derivedUuid } from '../runtime/derived-id.ts';

/**
 * The id of the incident or advisory an inject becomes: a UUID derived from the exercise's id and
 * the inject's, so a repeated release finds the stream it created before (idempotent, no lookup).
 */
export const injectSubjectId = (exerciseId: string, injectId: string): string =>
  derivedUuid(`ceptoar-exercise:${exerciseId}:${injectId}`);
