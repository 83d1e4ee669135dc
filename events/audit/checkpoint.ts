import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { canonicalJson } from './hash.ts';

/**
 * A checkpoint: the Merkle root over every stream's head at one moment, signed. Once
 * written where it cannot be rewritten, it pins every stream's history up to its head
 * then: rewriting a stream, even with a consistent new chain, no longer matches it.
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

/** The bytes a checkpoint's signature covers. */
export function signedBytes(body: CheckpointBody): Buffer {
  return Buffer.from(
    canonicalJson({
      format: body.format,
      id: body.id,
      createdAt: body.createdAt,
      treeSize: body.treeSize,
      rootHash: body.rootHash,
      algorithm: body.algorithm,
      keyId: body.keyId,
    }),
    'utf8',
  );
}

/** A checkpoint id from its creation time: `2026-11-26T06-50-00-000Z`. */
export const checkpointId = (createdAt: string): string => createdAt.replace(/[:.]/g, '-');

/** True when the signature verifies under the PEM (SPKI) public key with the checkpoint's algorithm. */
export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    const signature = Buffer.from(checkpoint.signature, 'base64');
    const data = signedBytes(checkpoint);
    switch (checkpoint.algorithm) {
      case 'Ed25519':
        return key.asymmetricKeyType === 'ed25519' && verifySignature(null, data, key, signature);
      case 'ECDSA_SHA_256':
        // KMS returns DER-encoded ECDSA signatures, node's default encoding.
        return key.asymmetricKeyType === 'ec' && verifySignature('sha256', data, key, signature);
      default: {
        const _never: never = checkpoint.algorithm;
        return _never;
      }
    }
  } catch {
    return false;
  }
}
