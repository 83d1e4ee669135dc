import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Archive } from '../functions/audit/audit-archive-aws.ts';
import {
  checkpointReader,
  inclusionProofs,
  publishCheckpoint,
} from '../functions/audit/audit-checkpoints.ts';
import type { HeadEntry } from '../functions/audit/audit-log.ts';
import { fmt, table } from './util.ts';

// Section 5a: the memory a checkpoint's publication takes, by the number of streams. POST /audit/checkpoints and
// the scheduled publish-checkpoint hold every head (as listAllHeads returns them), the sorted leaves, the Merkle
// tree's levels and the leaves object's body at once; their Lambda memory (functions/manifest.ts) is set from this.

/** Stream counts measured, each in a fresh process. */
const SIZES = [100_000, 300_000, 1_000_000];

/**
 * One publication, in this (fresh) process: `node --import tsx bench/checkpoint-memory.ts --child N DIR`; the
 * two objects it would put are written into DIR for {@link readChild}.
 */
async function child(count: number, dir: string): Promise<void> {
  const t0 = performance.now();
  // Heads as listAllHeads builds them from the byHead index: ids the length of an advisory recipient's
  // (`advisory-recipient#<uuid>#<org>`, the most numerous streams), each string its own.
  const heads: HeadEntry[] = Array.from({ length: count }, (_, i) => ({
    streamId: `advisory-recipient#${String(i).padStart(8, '0')}-0000-4000-8000-000000000000#org-${i % 2000}`,
    version: 1 + (i % 7),
    hash: i.toString(16).padStart(8, '0').repeat(8),
    streamType: `advisory-recipient${''}`,
    updatedAt: new Date(Date.UTC(2026, 11, 5, 0, 0, i % 60)).toISOString(),
  }));
  let leavesBytes = 0;
  // The S3 archive's own put (audit-archive-aws.ts builds the leaves object's body), with a client that only
  // measures what it is given: the SDK's own serialisation of the body is not in these figures.
  const s3 = {
    send: async (command: { input: { Key?: string; Body?: string | Uint8Array } }) => {
      const { Key = '', Body = '' } = command.input;
      if (Key.endsWith('.leaves.ndjson')) leavesBytes = Buffer.byteLength(Body);
      writeFileSync(join(dir, Key.slice(Key.lastIndexOf('/') + 1)), Body);
      return {};
    },
  } as unknown as S3Client;
  const checkpoint = await publishCheckpoint({
    heads,
    signer: {
      algorithm: 'Ed25519',
      keyId: 'bench',
      publicKeyPem: async () => '',
      sign: async () => Buffer.alloc(64),
    },
    archive: s3Archive(s3, 'bench'),
    now: '2026-12-05T00:00:00.000Z',
  });
  console.log(
    JSON.stringify({
      id: checkpoint.id,
      seconds: (performance.now() - t0) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      leavesMiB: leavesBytes / 2 ** 20,
    }),
  );
}

/**
 * One reading, in a fresh process: `--read DIR ID`. What GET /audit/checkpoints/{id} and its proof do on a cold
 * container: the S3 archive's own `get` (the leaves object as one string, a line parsed per leaf) through the
 * checkpoint reader, the tree built, one stream's inclusion proof; the client serves the objects from DIR.
 */
async function readChild(dir: string, id: string): Promise<void> {
  const t0 = performance.now();
  const s3 = {
    send: async (command: { input: { Key?: string } }) => {
      const key = command.input.Key ?? '';
      const bytes = readFileSync(join(dir, key.slice(key.lastIndexOf('/') + 1)));
      return { Body: { transformToString: async () => bytes.toString('utf8') } };
    },
  } as unknown as S3Client;
  const loaded = await checkpointReader(s3Archive(s3, 'bench')).get(id);
  if (!loaded) throw new Error(`checkpoint ${id} not read back`);
  const last = loaded.leaves.at(-1)?.streamId ?? '';
  const proofs = inclusionProofs(loaded.checkpoint, loaded.leaves, new Set([last]), loaded.tree());
  if (!proofs.has(last)) throw new Error('no proof');
  console.log(
    JSON.stringify({
      seconds: (performance.now() - t0) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

export async function checkpointMemorySection(): Promise<string> {
  const run = (args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', 'bench/checkpoint-memory.ts', ...args], {
        encoding: 'utf8',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      })
        .trim()
        .split('\n')
        .at(-1) ?? '{}',
    ) as { id: string; seconds: number; peakRssMiB: number; leavesMiB: number };
  const under = (limit: number, ...mib: number[]) => mib.map((m) => (m < limit ? 'yes' : 'no')).join(' / ');
  const rows = SIZES.map((count) => {
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-checkpoint-'));
    try {
      const published = run(['--child', String(count), dir]);
      const read = run(['--read', dir, published.id]);
      return [
        fmt(count, 0),
        fmt(published.seconds, 1),
        fmt(published.peakRssMiB, 0),
        fmt(published.leavesMiB, 0),
        fmt(read.seconds, 1),
        fmt(read.peakRssMiB, 0),
        under(512, published.peakRssMiB, read.peakRssMiB),
        under(2048, published.peakRssMiB, read.peakRssMiB),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return [
    'A checkpoint published over N streams, each N in a fresh `node --import tsx` process: the heads as',
    "`listAllHeads` returns them (ids as long as an advisory recipient's), then `publishCheckpoint` with the S3",
    "archive's own `put` and a client that only measures the leaves object's body and keeps it in a folder (the",
    "SDK's serialisation of it is not counted), and a signer that signs nothing. Then, in another fresh process,",
    "what a cold container does for a page of that checkpoint or a proof: the S3 archive's own `get` through the",
    'checkpoint reader (the object as one string, a line parsed per leaf), the whole tree, one inclusion proof.',
    "Peak RSS is the process's (`maxRSS`: Node and the TypeScript loader included).",
    '',
    table(
      [
        'streams',
        'publish s',
        'publish peak RSS MiB',
        'leaves object MiB',
        'read s',
        'read peak RSS MiB',
        'under 512 MiB (publish / read)',
        'under 2,048 MiB (publish / read)',
      ],
      rows,
    ),
  ].join('\n');
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]), process.argv[4] ?? '.');
if (process.argv[2] === '--read') await readChild(process.argv[3] ?? '.', process.argv[4] ?? '');
