import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where attached files (activity minutes) are kept: the data folder locally, an S3 bucket in
 * AWS (infra/minutes-store.ts). A blob is named by what the log records of it (its key holds its
 * SHA-256), so the event that refers to it is the truth and a blob no event names is an orphan,
 * never read. Writing and reading are two ports, so a reading function holds no write grant.
 */
export interface BlobWriter {
  /** Stores the bytes under `key`; the same key always holds the same bytes. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
}
export interface BlobReader {
  /** The bytes under `key`, or null. */
  get(key: string): Promise<Buffer | null>;
}

const KEY = /^[a-z0-9][a-z0-9/._-]{0,250}$/;

/** The local store: `<dir>/<key>`, each file written once and read-only. */
export function localBlobs(dir: string): BlobWriter & BlobReader {
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

/** `CEPTOAR_BLOB_DIR` (local) or `MINUTES_BUCKET` (AWS): where this runtime keeps blobs. */
export function blobLocation(): { dir: string } | { bucket: string } {
  const dir = process.env.CEPTOAR_BLOB_DIR;
  if (dir) return { dir };
  const bucket = process.env.MINUTES_BUCKET;
  if (!bucket) throw new Error('attachments need CEPTOAR_BLOB_DIR (local) or MINUTES_BUCKET');
  return { bucket };
}
