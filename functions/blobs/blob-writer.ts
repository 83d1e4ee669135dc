import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type BlobWriter, blobLocation, localBlobs } from './blobs.ts';

let writer: BlobWriter | undefined;

/** This runtime's blob writer: the data folder, or one PutObject to the minutes bucket. */
export function blobWriter(): BlobWriter {
  if (writer) return writer;
  const where = blobLocation();
  if ('dir' in where) {
    writer = localBlobs(where.dir);
    return writer;
  }
  const s3 = new S3Client({});
  writer = {
    async put(key, bytes, contentType) {
      await s3.send(
        new PutObjectCommand({ Bucket: where.bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
    },
  };
  return writer;
}
