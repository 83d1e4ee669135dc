import { S3Client } from '@aws-sdk/client-s3';
import { s3Archive } from '../audit/audit-archive-aws.ts';
import { type CheckpointArchive, localArchive } from '../audit/audit-checkpoints.ts';

let archive: CheckpointArchive | undefined;

/** The checkpoints a report reads (never signs): `CEPTOAR_CHECKPOINT_DIR` locally, else `CHECKPOINT_BUCKET`. */
export function reportArchive(): CheckpointArchive {
  if (archive) return archive;
  const dir = process.env.CEPTOAR_CHECKPOINT_DIR;
  const bucket = process.env.CHECKPOINT_BUCKET;
  if (dir) archive = localArchive(dir);
  else if (bucket) archive = s3Archive(new S3Client({}), bucket);
  else throw new Error('reports need CEPTOAR_CHECKPOINT_DIR (local) or CHECKPOINT_BUCKET');
  return archive;
}
