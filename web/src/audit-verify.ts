import {
  canonicalJson,
  checkpointSignedContent,
  GENESIS_HASH,
  hashedContent,
  leafContent,
} from '../../events/audit/canonical.ts';
import type { Checkpoint, FailureKind, InclusionProof } from '../../events/audit/types.ts';

/**
 * The auditor's own check of one stream, in the browser: every hash recomputed from the raw
 * events (WebCrypto SHA-256 over the same RFC 8785 bytes the server hashed,
 * events/audit/canonical.ts), the chain followed link by link, the stream's head found in the
 * checkpoint's Merkle tree by its audit path, and the checkpoint's signature checked. It
 * mirrors events/audit/verify.ts (the CLI's LogVerifier) for a single stream; a unit test runs
 * both on the same data, tampered too, so the two cannot disagree silently.
 */

/** An event as GET /audit/streams/{id} returns it. */
export interface AuditEvent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly actor: unknown;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly prevHash: string | null;
  readonly hash: string | null;
}

/** What GET /audit/checkpoints/{id}/proof answers: the checkpoint, its public key, the proof. */
export interface CheckpointEvidence {
  readonly checkpoint: Checkpoint;
  readonly publicKey: string;
  readonly proof: InclusionProof;
}

/** The failure kinds a single stream can show (the rest concern whole logs and export files). */
export type StreamFailureKind = Exclude<FailureKind, 'missing-stream' | 'head-mismatch' | 'misplaced-event'>;

/** One thing that does not hold, with the version it concerns. */
export interface StreamFailure {
  readonly kind: StreamFailureKind;
  readonly version?: number;
  /** For missing-event: the first missing version; for unexpected-version and chain-break: the one before. */
  readonly other?: number;
}

/** The outcome for one stream. */
export interface StreamVerification {
  readonly streamId: string;
  readonly events: number;
  readonly lastVersion: number;
  readonly failures: readonly StreamFailure[];
  /** The checkpoint the stream was checked against, when there is one. */
  readonly checkpoint: {
    readonly id: string;
    readonly createdAt: string;
    readonly algorithm: string;
    readonly keyId: string;
    readonly signatureValid: boolean;
    /** The version the checkpoint recorded for this stream. */
    readonly version: number;
    /** True when the signature holds, the proof leads to the root and the stream matches it. */
    readonly anchored: boolean;
  } | null;
  readonly ok: boolean;
}

/** At most this many failures per stream, as the CLI keeps: one tampered event should not drown the rest. */
const MAX_FAILURES = 5;

const encoder = new TextEncoder();
const subtle = () => globalThis.crypto.subtle;

const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const sha256 = async (...parts: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> => {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await subtle().digest('SHA-256', joined));
};

/** SHA-256 hex of an event's canonical content, as events/audit/hash.ts eventHash computes it. */
export async function eventHashInBrowser(event: AuditEvent & { prevHash: string }): Promise<string> {
  return toHex(await sha256(encoder.encode(canonicalJson(hashedContent(event)))));
}

const LEAF = new Uint8Array([0x00]);
const NODE = new Uint8Array([0x01]);

/** RFC 9162 §2.1.3.2, as events/audit/merkle.ts verifyInclusion, with WebCrypto. */
export async function verifyInclusionInBrowser(
  proof: InclusionProof,
  size: number,
  root: string,
): Promise<boolean> {
  const { leafIndex: index, path } = proof;
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = await sha256(LEAF, encoder.encode(canonicalJson(leafContent(proof))));
  for (const hex of path) {
    if (!/^[0-9a-f]{64}$/.test(hex)) return false;
    const p = fromHex(hex);
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(NODE, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = await sha256(NODE, r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && toHex(r) === root;
}

/** The SPKI bytes of a PEM public key. */
const pemBody = (pem: string) =>
  fromBase64(pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, ''));

/** SHA-256 of a PEM public key's SPKI bytes, hex: what an auditor compares with the key published out of band. */
export async function keyFingerprint(publicKeyPem: string): Promise<string> {
  return toHex(await sha256(pemBody(publicKeyPem)));
}

/** A DER ECDSA signature (what KMS returns) as WebCrypto's r‖s, each `size` bytes. */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array<ArrayBuffer> | null {
  // SEQUENCE { INTEGER r, INTEGER s }; a P-256 signature is short enough for one-byte lengths.
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(size * 2);
  let at = 2;
  for (const half of [0, 1]) {
    if (der[at] !== 0x02) return null;
    const len = der[at + 1] ?? 0;
    let int = der.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    while (int.length > size && int[0] === 0) int = int.subarray(1);
    if (int.length > size) return null;
    out.set(int, half * size + (size - int.length));
  }
  return at === der.length ? out : null;
}

/** The checkpoint's signature under the PEM public key, with its algorithm (Ed25519, or ECDSA P-256 from KMS). */
export async function verifyCheckpointInBrowser(
  checkpoint: Checkpoint,
  publicKeyPem: string,
): Promise<boolean> {
  try {
    const data = encoder.encode(canonicalJson(checkpointSignedContent(checkpoint)));
    const signature = fromBase64(checkpoint.signature);
    const spki = pemBody(publicKeyPem);
    switch (checkpoint.algorithm) {
      case 'Ed25519': {
        const key = await subtle().importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
        return await subtle().verify({ name: 'Ed25519' }, key, signature, data);
      }
      case 'ECDSA_SHA_256': {
        const raw = derToP1363(signature);
        if (!raw) return false;
        const key = await subtle().importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
          'verify',
        ]);
        return await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, data);
      }
      default: {
        const _never: never = checkpoint.algorithm;
        return _never;
      }
    }
  } catch {
    // A key of another type, a malformed key or signature: it does not verify.
    return false;
  }
}

/**
 * Verifies one stream's events, oldest first, and, when given, its checkpoint evidence:
 * the same checks, in the same order, as LogVerifier's beginStream/event/endStream.
 */
export async function verifyStreamInBrowser(
  streamId: string,
  events: readonly AuditEvent[],
  evidence?: CheckpointEvidence,
): Promise<StreamVerification> {
  const failures: StreamFailure[] = [];
  const fail = (f: StreamFailure) => {
    if (failures.length < MAX_FAILURES) failures.push(f);
  };
  let lastVersion = 0;
  let lastHash = GENESIS_HASH;
  let hashAtProof: string | undefined;
  const proof = evidence?.proof;
  for (const event of events) {
    const expected = lastVersion + 1;
    if (event.version > expected) fail({ kind: 'missing-event', version: event.version, other: expected });
    else if (event.version < expected)
      fail({ kind: 'unexpected-version', version: event.version, other: lastVersion });
    if (event.hash === null || event.prevHash === null) {
      fail({ kind: 'unhashed-event', version: event.version });
    } else {
      const actual = await eventHashInBrowser({ ...event, prevHash: event.prevHash });
      if (actual !== event.hash) fail({ kind: 'content-hash', version: event.version });
      else if (event.prevHash !== lastHash && event.version === expected)
        fail({ kind: 'chain-break', version: event.version, other: lastVersion });
    }
    if (proof && event.version === proof.version) hashAtProof = event.hash ?? undefined;
    lastVersion = Math.max(lastVersion, event.version);
    lastHash = event.hash ?? lastHash;
  }
  let checkpoint: StreamVerification['checkpoint'] = null;
  if (evidence && proof) {
    const c = evidence.checkpoint;
    const signatureValid = await verifyCheckpointInBrowser(c, evidence.publicKey);
    if (!signatureValid) failures.push({ kind: 'checkpoint-signature' });
    const included =
      proof.streamId === streamId &&
      proof.checkpointId === c.id &&
      (await verifyInclusionInBrowser(proof, c.treeSize, c.rootHash));
    let matches = false;
    if (!included) fail({ kind: 'bad-proof', version: proof.version });
    else if (lastVersion < proof.version) fail({ kind: 'truncated', version: lastVersion + 1 });
    else if (hashAtProof !== proof.hash) fail({ kind: 'checkpoint-mismatch', version: proof.version });
    else matches = true;
    checkpoint = {
      id: c.id,
      createdAt: c.createdAt,
      algorithm: c.algorithm,
      keyId: c.keyId,
      signatureValid,
      version: proof.version,
      anchored: signatureValid && matches,
    };
  }
  return { streamId, events: events.length, lastVersion, failures, checkpoint, ok: failures.length === 0 };
}
