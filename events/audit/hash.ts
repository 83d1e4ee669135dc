import { hash } from 'node:crypto';
import { canonicalJson, type HashedContent, hashedContent } from './canonical.ts';

/**
 * The hash chain of a stream (docs/ARCHITECTURE.md, "Tamper evidence"). Every event's
 * hash is SHA-256 over the RFC 8785 canonical JSON of its content, the previous event's
 * hash included, so changing, removing, inserting or reordering any event changes every
 * hash after it.
 */

export { canonicalJson, GENESIS_HASH, type HashedContent } from './canonical.ts';

/** Lower-case hex SHA-256 of a UTF-8 string. */
export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

/** The hash of an event: SHA-256 of the canonical JSON of exactly the {@link HashedContent} fields. */
export function eventHash(event: HashedContent): string {
  return sha256Hex(canonicalJson(hashedContent(event)));
}

/**
 * Hashes a batch appended at once: the first links to `prevHash`, each next one to the
 * one before it. Returns the hashes in order.
 */
export function chainHashes(
  prevHash: string,
  events: readonly Omit<HashedContent, 'prevHash'>[],
): { prevHash: string; hash: string }[] {
  let prev = prevHash;
  return events.map((event) => {
    const hash = eventHash({ ...event, prevHash: prev });
    const link = { prevHash: prev, hash };
    prev = hash;
    return link;
  });
}

/**
 * The table partition of a stream's time entries (`time#<streamId>`, sort key the version): the
 * items the byTime index lists for events written without time index keys (functions/store/time-index.ts).
 * Their index partitions are the stream's audit group's (events/audit/partitions.ts).
 */
export const TIME_ENTRY_PREFIX = 'time#';

/** `<recordedAt>#<streamId>#<version, zero-padded>`: sorts as the global recorded order. */
export const timeSortKey = (recordedAt: string, streamId: string, version: number): string =>
  `${recordedAt}#${streamId}#${String(version).padStart(10, '0')}`;
