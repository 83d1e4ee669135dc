import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { kmsSigner, s3Archive } from './audit-aws.ts';
import {
  type CheckpointArchive,
  type CheckpointSigner,
  localArchive,
  localSigner,
} from './audit-checkpoints.ts';

/** Where checkpoints are signed and kept: `CEPTOAR_CHECKPOINT_DIR` locally, else `CHECKPOINT_BUCKET` and `CHECKPOINT_KEY_ID`. */
export interface CheckpointSetup {
  readonly signer: CheckpointSigner;
  readonly archive: CheckpointArchive;
}

let setup: CheckpointSetup | undefined;

/** The checkpoint signer and archive of this runtime, made on first use. */
export function checkpointSetup(): CheckpointSetup {
  if (setup) return setup;
  const dir = process.env.CEPTOAR_CHECKPOINT_DIR;
  if (dir) {
    setup = { signer: localSigner(dir), archive: localArchive(dir) };
    return setup;
  }
  const bucket = process.env.CHECKPOINT_BUCKET;
  const keyId = process.env.CHECKPOINT_KEY_ID;
  if (!bucket || !keyId) {
    throw new Error(
      'checkpoints need CEPTOAR_CHECKPOINT_DIR (local) or CHECKPOINT_BUCKET and CHECKPOINT_KEY_ID',
    );
  }
  setup = { signer: kmsSigner(new KMSClient({}), keyId), archive: s3Archive(new S3Client({}), bucket) };
  return setup;
}
