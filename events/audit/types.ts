/**
 * The audit trail's shapes, with no Node.js dependency, so that the web console's verifier
 * (web/src/audit-verify.ts) speaks the same types as the CLI's (events/audit/verify.ts).
 */

/** Signature algorithms a checkpoint may carry: Ed25519 (local key), ECDSA P-256 SHA-256 (KMS). */
export type CheckpointAlgorithm = 'Ed25519' | 'ECDSA_SHA_256';

/** What is signed. */
export interface CheckpointBody {
  readonly format: 'ceptoar-checkpoint/1';
  /** Sortable name, unique per checkpoint: the creation time, `:` and `.` replaced. */
  readonly id: string;
  readonly createdAt: string;
  readonly treeSize: number;
  /** Hex RFC 9162 Merkle tree head over the heads sorted by stream id. */
  readonly rootHash: string;
  readonly algorithm: CheckpointAlgorithm;
  /** Identifies the signing key (a fingerprint locally, the key ARN in AWS). */
  readonly keyId: string;
}

/** A signed checkpoint as written. */
export interface Checkpoint extends CheckpointBody {
  /** Base64 signature over the canonical JSON of the body. */
  readonly signature: string;
}

/** A stream's inclusion in a checkpoint: its head then and the audit path to the root. */
export interface InclusionProof {
  readonly checkpointId: string;
  readonly streamId: string;
  readonly version: number;
  readonly hash: string;
  readonly leafIndex: number;
  readonly path: readonly string[];
}

/** What can fail in verification. */
export type FailureKind =
  | 'checkpoint-signature'
  | 'content-hash'
  | 'chain-break'
  | 'missing-event'
  | 'unexpected-version'
  | 'unhashed-event'
  | 'truncated'
  | 'checkpoint-mismatch'
  | 'bad-proof'
  | 'missing-stream'
  | 'head-mismatch'
  | 'misplaced-event';

/** A stream type: what a stream id holds before its first `#` (`incident`, `advisory-recipient`…). */
export const STREAM_TYPE = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A stream id as the audit API and console accept it: `<type>#<id>`, e.g. `incident#<uuid>`;
 * the id may itself hold `#` (a recipient stream is `advisory-recipient#<advisory id>#<org>`).
 */
export const STREAM_ID = new RegExp(`${STREAM_TYPE.source.slice(0, -1)}#[\\w.:#-]{1,128}$`);
