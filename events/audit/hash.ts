import { createHash, hash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The hash chain of a stream (docs/ARCHITECTURE.md, "Tamper evidence"). Every event's
 * hash is SHA-256 over the RFC 8785 canonical JSON of its content, the previous event's
 * hash included, so changing, removing, inserting or reordering any event changes every
 * hash after it.
 */

/** The predecessor of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's hash covers: everything stored about it except the hash itself. */
export interface HashedContent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: unknown;
  readonly recordedAt: string;
  readonly actor: unknown;
  readonly schemaVersion: number;
  readonly prevHash: string;
}

/**
 * RFC 8785 canonical JSON; throws on values JSON cannot carry (NaN, lone surrogates).
 *
 * Plain JSON values (what JSON.parse gives, which is all an event holds) take a direct
 * path: sorted keys (UTF-16 order), ECMAScript number and string serialisation, exactly as
 * the `canonicalize` package does (test/audit-canonical.unit.test.ts checks it on generated
 * values), at a fraction of its cost, which matters when verifying a million events.
 * Anything else (toJSON, undefined in arrays) goes to the package itself.
 */
export function canonicalJson(value: unknown): string {
  const text = plain(value);
  if (text !== undefined) return text;
  const fallback = canonicalize(value);
  if (fallback === undefined) throw new Error('value has no JSON form');
  return fallback;
}

/** String.prototype.isWellFormed (ES2024; Node 20 has it, the project's lib target does not). */
interface WellFormed {
  isWellFormed(): boolean;
}

/** The canonical form of a plain JSON value, or undefined when it is not one (then the package decides). */
function plain(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      if (!(value as unknown as WellFormed).isWellFormed()) throw new Error('Lone surrogate is not allowed');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new Error(Number.isNaN(value) ? 'NaN is not allowed' : 'Infinity is not allowed');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = plain(value[i]);
          if (item === undefined) return undefined;
          out += i === 0 ? item : `,${item}`;
        }
        return `${out}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = record[key];
        if (v === undefined) continue;
        const item = plain(v);
        if (item === undefined) return undefined;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/** Lower-case hex SHA-256 of a UTF-8 string. */
export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

/** The hash of an event: SHA-256 of the canonical JSON of exactly the {@link HashedContent} fields. */
export function eventHash(event: HashedContent): string {
  return sha256Hex(
    canonicalJson({
      streamId: event.streamId,
      version: event.version,
      type: event.type,
      data: event.data,
      recordedAt: event.recordedAt,
      actor: event.actor,
      schemaVersion: event.schemaVersion,
      prevHash: event.prevHash,
    }),
  );
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

/** Number of partitions the time index and the head index are spread over. */
export const AUDIT_SHARDS = 16;

/** The shard of a stream: stable, spread evenly, so no one partition takes every write. */
export function shardOf(streamId: string): number {
  return (createHash('sha256').update(streamId, 'utf8').digest()[0] ?? 0) % AUDIT_SHARDS;
}

/**
 * Time index keys of an event (GSI `byTime`): one of {@link AUDIT_SHARDS} partitions by
 * stream, sorted by time within it. A period is one range query per shard, merged; no
 * partition takes more than its share of the writes, and an empty stretch of time costs
 * nothing to skip (a partition per day would cost a query per empty day).
 */
export function timeIndexKeys(
  streamId: string,
  version: number,
  recordedAt: string,
): { tPk: string; tSk: string } {
  return { tPk: timePartition(shardOf(streamId)), tSk: timeSortKey(recordedAt, streamId, version) };
}

/** `t#<shard>`. */
export const timePartition = (shard: number): string => `t#${shard}`;

/** `<recordedAt>#<streamId>#<version, zero-padded>`: sorts as the global recorded order. */
export const timeSortKey = (recordedAt: string, streamId: string, version: number): string =>
  `${recordedAt}#${streamId}#${String(version).padStart(10, '0')}`;

/** Head index keys of a stream (GSI `byHead`): every stream's head, sharded. */
export const headIndexKeys = (streamId: string): { hPk: string; hSk: string } => ({
  hPk: `h#${shardOf(streamId)}`,
  hSk: streamId,
});
