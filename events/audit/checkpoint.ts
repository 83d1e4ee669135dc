import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { canonicalJson, checkpointSignedContent } from './canonical.ts';
import type { Checkpoint, CheckpointBody } from './types.ts';

export type { Checkpoint, CheckpointAlgorithm, CheckpointBody } from './types.ts';

/**
 * A checkpoint: the Merkle root over every stream's head at one moment, signed. Once
 * written where it cannot be rewritten, it pins every stream's history up to its head
 * then: rewriting a stream, even with a consistent new chain, no longer matches it.
 */

/** The bytes a checkpoint's signature covers. */
export function signedBytes(body: CheckpointBody): Buffer {
  return Buffer.from(canonicalJson(checkpointSignedContent(body)), 'utf8');
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
