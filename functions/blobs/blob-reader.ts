import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type BlobReader, blobLocation, localBlobs } from './blobs.ts';

let reader: BlobReader | undefined;

/** This runtime's blob reader: the data folder, or one GetObject from the minutes bucket. */
export function blobReader(): BlobReader {
  if (reader) return reader;
  const where = blobLocation();
  if ('dir' in where) {
    reader = localBlobs(where.dir);
    return reader;
  }
  const s3 = new S3Client({});
  reader = {
    async get(key) {
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: key }));
        return Body ? Buffer.from(await Body.transformToByteArray()) : null;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
  };
  return reader;
}
