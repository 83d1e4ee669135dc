import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Where attached files (activity minutes) are kept: the data folder locally, an S3 bucket in
 * AWS. A blob is named by what the log records of it (its key holds its SHA-256), so the event
 * that refers to it is the truth and a blob no event names is an orphan, never read.
 */
export interface BlobStore {
  /** Stores the bytes under `key`; the same key always holds the same bytes. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes under `key`, or null. */
  get(key: string): Promise<Buffer | null>;
}

const KEY = /^[a-z0-9][a-z0-9/._-]{0,250}$/;

/** The local store: `<dir>/<key>`. */
export function localBlobs(dir: string): BlobStore {
  const path = (key: string) => {
    if (!KEY.test(key) || key.includes('..')) throw new Error(`not a blob key: ${key}`);
    return join(dir, key);
  };
  return {
    async put(key, bytes) {
      const file = path(key);
      mkdirSync(dirname(file), { recursive: true });
      if (!existsSync(file)) writeFileSync(file, bytes, { mode: 0o444 });
    },
    async get(key) {
      const file = path(key);
      return existsSync(file) ? readFileSync(file) : null;
    },
  };
}

/** The AWS store: one S3 bucket (SSE, no public access; see infra/minutes-store.ts). */
export function s3Blobs(s3: S3Client, bucket: string): BlobStore {
  return {
    async put(key, bytes, contentType) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
    },
    async get(key) {
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Body ? Buffer.from(await Body.transformToByteArray()) : null;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
  };
}

let blobs: BlobStore | undefined;

/** This runtime's blob store: `CEPTOAR_BLOB_DIR` locally, else the `MINUTES_BUCKET`. */
export function blobStore(): BlobStore {
  if (blobs) return blobs;
  const dir = process.env.CEPTOAR_BLOB_DIR;
  if (dir) {
    blobs = localBlobs(dir);
    return blobs;
  }
  const bucket = process.env.MINUTES_BUCKET;
  if (!bucket) throw new Error('attachments need CEPTOAR_BLOB_DIR (local) or MINUTES_BUCKET');
  blobs = s3Blobs(new S3Client({}), bucket);
  return blobs;
}
