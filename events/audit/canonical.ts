import canonicalize from 'canonicalize';

/**
 * The exact bytes the audit trail hashes and signs, with no Node.js dependency: the Lambda
 * functions, the auditor CLI and the web console's in-browser verifier all build them here,
 * so that what the browser recomputes cannot drift from what the server wrote.
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

/** Exactly the {@link HashedContent} fields of an event (whatever else the object carries). */
export const hashedContent = (event: HashedContent): HashedContent => ({
  streamId: event.streamId,
  version: event.version,
  type: event.type,
  data: event.data,
  recordedAt: event.recordedAt,
  actor: event.actor,
  schemaVersion: event.schemaVersion,
  prevHash: event.prevHash,
});

/** A Merkle leaf's content: a stream's head (events/audit/merkle.ts hashes it with the 0x00 prefix). */
export const leafContent = (leaf: { streamId: string; version: number; hash: string }) => ({
  streamId: leaf.streamId,
  version: leaf.version,
  hash: leaf.hash,
});

/**
 * `canonicalJson(leafContent(leaf))`, written out for the one shape a leaf has: RFC 8785 orders the
 * keys hash < streamId < version and writes a well-formed string as JSON.stringify does and a safe
 * integer as its digits. A checkpoint hashes one leaf per stream (a million and more); anything off
 * that shape (a lone surrogate, a version that is not a safe integer) goes through canonicalJson,
 * which refuses or writes it. test/audit-canonical.unit.test.ts holds the two equal.
 */
export function leafJson(leaf: { streamId: string; version: number; hash: string }): string {
  const { streamId, version, hash } = leaf;
  return Number.isSafeInteger(version) &&
    typeof streamId === 'string' &&
    typeof hash === 'string' &&
    (streamId as unknown as WellFormed).isWellFormed() &&
    (hash as unknown as WellFormed).isWellFormed()
    ? `{"hash":${JSON.stringify(hash)},"streamId":${JSON.stringify(streamId)},"version":${version}}`
    : canonicalJson(leafContent(leaf));
}

/** What a checkpoint's signature covers (events/audit/checkpoint.ts), signature excluded. */
export const checkpointSignedContent = (body: {
  format: string;
  id: string;
  createdAt: string;
  treeSize: number;
  rootHash: string;
  algorithm: string;
  keyId: string;
}) => ({
  format: body.format,
  id: body.id,
  createdAt: body.createdAt,
  treeSize: body.treeSize,
  rootHash: body.rootHash,
  algorithm: body.algorithm,
  keyId: body.keyId,
});

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
