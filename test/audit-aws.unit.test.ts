import { generateKeyPairSync, sign } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyCheckpointSignature } from '../events/audit/checkpoint.ts';
import { kmsSigner, s3Archive } from '../functions/audit/audit-aws.ts';
import { publishCheckpoint } from '../functions/audit/audit-checkpoints.ts';
import { startCheckpointTimer } from '../local/checkpoints.ts';
import { T0 } from './support/fixtures.ts';

const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  kms.reset();
  s3.reset();
});

const KEY_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/0b7e1d2c-3a4f-4e5d-9c6b-7a8f9e0d1c2b';
const HEADS = [
  { streamId: 'incident#b', version: 3, hash: 'b'.repeat(64) },
  { streamId: 'advisory#a', version: 1, hash: 'a'.repeat(64) },
];

/** KMS as it behaves: ECDSA P-256 with SHA-256 over the RAW message, DER signatures, SPKI DER public key. */
function fakeKms() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  kms.on(GetPublicKeyCommand).resolves({ PublicKey: publicKey.export({ type: 'spki', format: 'der' }) });
  kms
    .on(SignCommand)
    .callsFake((input: { Message: Uint8Array; MessageType: string; SigningAlgorithm: string }) => {
      expect(input).toMatchObject({ MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
      return { Signature: sign('sha256', Buffer.from(input.Message), privateKey) };
    });
}

describe('checkpoints in AWS: KMS signer and Object Lock bucket', () => {
  it('signs with KMS so that the checkpoint verifies under the key’s public half', async () => {
    fakeKms();
    const puts: { Key?: string; IfNoneMatch?: string; Body?: unknown }[] = [];
    s3.on(PutObjectCommand).callsFake((input) => {
      puts.push(input);
      return {};
    });
    const signer = kmsSigner(new KMSClient({}), KEY_ARN);
    const archive = s3Archive(new S3Client({}), 'checkpoints-bucket');
    const checkpoint = await publishCheckpoint({ heads: HEADS, signer, archive, now: T0 });
    expect(checkpoint).toMatchObject({ algorithm: 'ECDSA_SHA_256', keyId: KEY_ARN, treeSize: 2 });
    expect(verifyCheckpointSignature(checkpoint, await signer.publicKeyPem())).toBe(true);
    expect(verifyCheckpointSignature({ ...checkpoint, treeSize: 3 }, await signer.publicKeyPem())).toBe(
      false,
    );
    // Leaves first, then the checkpoint; never overwriting an existing object.
    expect(puts.map((p) => [p.Key, p.IfNoneMatch])).toEqual([
      [`checkpoints/${checkpoint.id}.leaves.ndjson`, '*'],
      [`checkpoints/${checkpoint.id}.json`, '*'],
    ]);
    expect(String(puts[0]?.Body).split('\n')[0]).toBe(JSON.stringify(HEADS[1]));
  });

  it('lists checkpoints oldest first and reads one back with its leaves', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'checkpoints/2026-11-26T01-05-00-000Z.json' },
        { Key: 'checkpoints/2026-11-26T01-05-00-000Z.leaves.ndjson' },
        { Key: 'checkpoints/2026-11-26T01-00-00-000Z.json' },
      ],
    });
    // The SDK's stream body, as far as the archive uses it.
    const body = (text: string) => ({ transformToString: async () => text }) as never;
    s3.on(GetObjectCommand, { Key: 'checkpoints/2026-11-26T01-05-00-000Z.json' }).resolves({
      Body: body('{"id":"2026-11-26T01-05-00-000Z"}'),
    });
    s3.on(GetObjectCommand, { Key: 'checkpoints/2026-11-26T01-05-00-000Z.leaves.ndjson' }).resolves({
      Body: body(`${JSON.stringify(HEADS[0])}\n`),
    });
    const archive = s3Archive(new S3Client({}), 'checkpoints-bucket');
    expect(await archive.list()).toEqual(['2026-11-26T01-00-00-000Z', '2026-11-26T01-05-00-000Z']);
    expect(await archive.get('2026-11-26T01-05-00-000Z')).toEqual({
      checkpoint: { id: '2026-11-26T01-05-00-000Z' },
      leaves: [HEADS[0]],
    });
    expect(await archive.get('../../etc/passwd')).toBeNull();
  });
});

describe('the local checkpoint timer', () => {
  it('publishes on every tick, one at a time, and nothing after it stops', async () => {
    vi.useFakeTimers();
    try {
      const publish = vi.fn(async () => ({ id: 'x', treeSize: 0 }));
      const timer = startCheckpointTimer({ seconds: 300, publish, log: { info: () => {}, warn: () => {} } });
      await vi.advanceTimersByTimeAsync(300_000 * 3);
      expect(publish).toHaveBeenCalledTimes(3);
      await timer.stop();
      await vi.advanceTimersByTimeAsync(300_000 * 3);
      expect(publish).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps going after a failed run, and says so', async () => {
    vi.useFakeTimers();
    try {
      const warn = vi.fn();
      const publish = vi
        .fn()
        .mockRejectedValueOnce(new Error('disk full'))
        .mockResolvedValue({ id: 'y', treeSize: 1 });
      const timer = startCheckpointTimer({ seconds: 60, publish, log: { info: () => {}, warn } });
      await vi.advanceTimersByTimeAsync(120_000);
      await timer.stop();
      expect(publish).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('disk full'));
    } finally {
      vi.useRealTimers();
    }
  });
});
