import { createHash } from 'node:crypto';

/**
 * The id of the incident or advisory an inject becomes: a UUID derived from the exercise's id and
 * the inject's, so a repeated release finds the stream it created before (idempotent, no lookup).
 */
export function injectSubjectId(exerciseId: string, injectId: string): string {
  const h = createHash('sha256').update(`ceptoar-exercise:${exerciseId}:${injectId}`).digest('hex');
  // Shaped as a version 4, variant 1 UUID, so every route's id check accepts it.
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
