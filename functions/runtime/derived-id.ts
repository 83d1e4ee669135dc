import { createHash } from 'node:crypto';

/**
 * A UUID derived from a seed (SHA-256), shaped as a version 4, variant 1 UUID so every route's id
 * check accepts it: what a reaction creates gets the same id each time it runs, so a repeat finds
 * the stream it created before (idempotent, no lookup).
 */
export function derivedUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
