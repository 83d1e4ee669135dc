import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Checkpoint } from '../../events/audit/checkpoint.ts';
import type { HeadLeaf } from '../../events/audit/merkle.ts';
import { type CheckpointArchive, leavesNdjson } from './audit-checkpoints.ts';

// The checkpoint archive in S3, apart from the KMS signer (audit-aws.ts): a function that only
// reads checkpoints (the fiscal-year report) imports this module and holds no signing grant.

const PREFIX = 'checkpoints/';

async function text(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Body ? await Body.transformToString('utf8') : null;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw error;
  }
}

/**
 * Checkpoints in an S3 bucket with Object Lock in compliance mode (default retention set on
 * the bucket): no one, the root user included, can delete or overwrite them until it ends.
 * Puts are conditional (`If-None-Match: *`), so an existing checkpoint is never replaced.
 */
export function s3Archive(s3: S3Client, bucket: string): CheckpointArchive {
  const put = (key: string, body: string | Buffer, contentType: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        IfNoneMatch: '*',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  return {
    async put(checkpoint, leaves) {
      await put(`${PREFIX}${checkpoint.id}.leaves.ndjson`, leavesNdjson(leaves), 'application/x-ndjson');
      await put(`${PREFIX}${checkpoint.id}.json`, JSON.stringify(checkpoint), 'application/json');
    },
    async list() {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          const key = o.Key ?? '';
          if (key.endsWith('.json')) ids.push(key.slice(PREFIX.length, -'.json'.length));
        }
        token = page.NextContinuationToken;
      } while (token);
      return ids.sort();
    },
    async get(id) {
      if (!/^[\w-]+$/.test(id)) return null;
      const body = await text(s3, bucket, `${PREFIX}${id}.json`);
      if (body === null) return null;
      const leaves = (await text(s3, bucket, `${PREFIX}${id}.leaves.ndjson`)) ?? '';
      return {
        checkpoint: JSON.parse(body) as Checkpoint,
        leaves: leaves
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as HeadLeaf),
      };
    },
  };
}
