import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Checkpoint } from '../../events/audit/checkpoint.ts';
import type { HeadLeaf } from '../../events/audit/merkle.ts';
import type { CheckpointArchive, CheckpointSigner } from './audit-checkpoints.ts';

/** Checkpoints are signed by a KMS ECC_NIST_P256 key (ECDSA_SHA_256); the private key never leaves KMS. */
export function kmsSigner(kms: KMSClient, keyId: string): CheckpointSigner {
  let publicPem: Promise<string> | undefined;
  return {
    algorithm: 'ECDSA_SHA_256',
    keyId,
    publicKeyPem: () => {
      publicPem ??= kms.send(new GetPublicKeyCommand({ KeyId: keyId })).then(({ PublicKey }) => {
        if (!PublicKey) throw new Error(`KMS returned no public key for ${keyId}`);
        return createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
      });
      return publicPem;
    },
    sign: async (data) => {
      const { Signature } = await kms.send(
        new SignCommand({
          KeyId: keyId,
          SigningAlgorithm: 'ECDSA_SHA_256',
          // The signed body is a few hundred bytes, well inside RAW's 4 KB: KMS hashes it itself.
          MessageType: 'RAW',
          Message: data,
        }),
      );
      if (!Signature) throw new Error('KMS returned no signature');
      return Buffer.from(Signature);
    },
  };
}

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
  const put = (key: string, body: string, contentType: string) =>
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
      await put(
        `${PREFIX}${checkpoint.id}.leaves.ndjson`,
        leaves.map((l) => `${JSON.stringify(l)}\n`).join(''),
        'application/x-ndjson',
      );
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
