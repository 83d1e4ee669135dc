import { execFileSync } from 'node:child_process';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Archive } from '../functions/audit/audit-archive-aws.ts';
import { publishCheckpoint } from '../functions/audit/audit-checkpoints.ts';
import type { HeadEntry } from '../functions/audit/audit-log.ts';
import { fmt, table } from './util.ts';

// Section 5a: the memory a checkpoint's publication takes, by the number of streams. POST /audit/checkpoints and
// the scheduled publish-checkpoint hold every head (as listAllHeads returns them), the sorted leaves, the Merkle
// tree's levels and the leaves object's body at once; their Lambda memory (functions/manifest.ts) is set from this.

/** Stream counts measured, each in a fresh process. */
const SIZES = [100_000, 300_000, 1_000_000];

/** One measurement, in this (fresh) process: `node --import tsx bench/checkpoint-memory.ts --child N`. */
async function child(count: number): Promise<void> {
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
      if (command.input.Key?.endsWith('.leaves.ndjson'))
        leavesBytes = Buffer.byteLength(command.input.Body ?? '');
      return {};
    },
  } as unknown as S3Client;
  await publishCheckpoint({
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
      count,
      seconds: (performance.now() - t0) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      leavesMiB: leavesBytes / 2 ** 20,
    }),
  );
}

export async function checkpointMemorySection(): Promise<string> {
  const rows = SIZES.map((count) => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'bench/checkpoint-memory.ts', '--child', String(count)],
      { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
      count: number;
      seconds: number;
      peakRssMiB: number;
      leavesMiB: number;
    };
    return [
      fmt(r.count, 0),
      fmt(r.seconds, 1),
      fmt(r.peakRssMiB, 0),
      fmt(r.leavesMiB, 0),
      r.peakRssMiB < 512 ? 'yes' : 'no',
      r.peakRssMiB < 2048 ? 'yes' : 'no',
    ];
  });
  return [
    'A checkpoint published over N streams, each N in a fresh `node --import tsx` process: the heads as',
    "`listAllHeads` returns them (ids as long as an advisory recipient's), then `publishCheckpoint` with the S3",
    "archive's own `put` and a client that only measures the leaves object's body (the SDK's serialisation of it",
    "is not counted), and a signer that signs nothing. Peak RSS is the process's (`maxRSS`: Node and the",
    'TypeScript loader included). POST /audit/checkpoints and the scheduled publish hold all of this at once.',
    '',
    table(
      ['streams', 'seconds', 'peak RSS MiB', 'leaves object MiB', 'under 512 MiB', 'under 2,048 MiB'],
      rows,
    ),
  ].join('\n');
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]));
