import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DirectSource } from '../audit/source.ts';
import { verifyLive } from '../audit/verify-run.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { localArchive, localSigner } from '../functions/audit/audit-checkpoints.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import { ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { eventTableSpec } from '../local/table-spec.ts';

const run = promisify(execFile);

/** One step of bench/audit-worker.ts in its own process, so its peak RSS is its own. */
async function step(
  ...args: string[]
): Promise<{ events: number; ms: number; maxRssMb: number; ok?: boolean; failures?: number }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/audit-worker.ts', ...args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
}

const rate = (events: number, ms: number) => Math.round(events / (ms / 1000));
const fmt = (n: number) => n.toLocaleString('en-US');

function reported(s: number, at: string) {
  const id = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
  return {
    incidentId: id,
    org: `member-${s % 11}`,
    reportedBy: 'u-member',
    report: {
      title: `障害 ${s}`,
      description: 'DCS と上位系の通信が断続的に途絶。',
      category: 'system_failure',
      severity: 'high',
      occurredAt: at,
      detectedAt: at,
      affectedSystems: ['plant_control'],
      tlp: 'AMBER',
      contact: { name: '担当者', email: 'contact@member.example' },
    },
    secretariatDueAt: at,
  };
}

/** A live population on DynamoDB Local, written through the real store (hashes and all). */
async function live(streams: number, perStream: number) {
  const dynamo = await startDynamoLocal({ inMemory: true });
  try {
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-northeast-1', credentials });
    await ensureTable(client, eventTableSpec('bench-audit'));
    const store = new DynamoDbEventStore(client, 'bench-audit');
    const actor = { kind: 'system', sub: 'system:bench' } as const;
    const t0 = Date.parse('2026-04-01T00:00:00.000Z');
    const batch = 25;
    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let s = lane; s < streams; s += 8) {
          const streamId = `incident#00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
          for (let v = 0; v < perStream; v += batch) {
            const recordedAt = new Date(t0 + s * 60_000 + v * 1000).toISOString();
            const events = Array.from({ length: Math.min(batch, perStream - v) }, (_, i) =>
              v + i === 0
                ? { type: 'IncidentReported', data: reported(s, recordedAt) }
                : {
                    type: 'NotificationDelivered',
                    data: {
                      key: `${v + i}:relay:c:email`,
                      purpose: 'relay',
                      channel: 'email',
                      to: 'x@member.example',
                      messageId: `<${s}.${v + i}@ses>`,
                    },
                  },
            );
            await store.append({
              streamId,
              streamType: 'incident',
              expectedVersion: v,
              events,
              actor,
              recordedAt,
              schemaVersion: 1,
              decision: { state: null, stateSchema: 1 },
              head: {
                state: null,
                stateSchema: 1,
                projection: { listPk: 'bench', listSk: `${recordedAt}#${s}` },
              },
            });
          }
        }
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-live-'));
    const signer = localSigner(dir);
    const source = new DirectSource(client, 'bench-audit', localArchive(dir), signer, () =>
      signer.publicKeyPem(),
    );
    await source.publishCheckpoint();
    let started = performance.now();
    const outcome = await verifyLive(source);
    const verifyMs = performance.now() - started;
    started = performance.now();
    let replayed = 0;
    for (const head of await source.heads()) {
      const r = await replayStream(head.streamId, source.streamEvents(head.streamId), incidents, null);
      replayed += r.version;
    }
    const replayMs = performance.now() - started;
    rmSync(dir, { recursive: true, force: true });
    return { outcome, verifyMs, replayed, replayMs };
  } finally {
    await dynamo.stop();
  }
}

/**
 * The audit bench: verify and replay an export of 1,000,000 events in 10,000 streams
 * (valid chains, a signed checkpoint, a proof per stream), streaming the file, with peak
 * RSS at 250,000 and 1,000,000 events; then --live verification and replay on DynamoDB Local.
 * Returns the markdown section for bench/RESULTS.md.
 */
export async function runAuditBench(
  options: { liveStreams?: number; livePerStream?: number } = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-audit-'));
  const rows: string[] = [];
  // The machine is shared: the load around the run says how far the figures can be trusted.
  const loadBefore = loadavg()[0] ?? 0;
  try {
    for (const [streams, perStream] of [
      [2_500, 100],
      [10_000, 100],
    ] as const) {
      const file = join(dir, `export-${streams}.ndjson`);
      const gen = await step('generate', file, String(streams), String(perStream));
      const mb = Math.round(statSync(file).size / 1e6);
      const verify = await step('verify', file, `${file}.pub.pem`);
      if (!verify.ok || verify.failures !== 0)
        throw new Error(`the generated export did not verify: ${JSON.stringify(verify)}`);
      const replay = await step('replay', file);
      rows.push(
        `| ${fmt(gen.events)} events, ${fmt(streams)} streams (${mb} MB) | verify | ${fmt(rate(verify.events, verify.ms))} | ${(verify.ms / 1000).toFixed(1)} s | ${verify.maxRssMb} MB |`,
        `| | replay (fold every stream) | ${fmt(rate(replay.events, replay.ms))} | ${(replay.ms / 1000).toFixed(1)} s | ${replay.maxRssMb} MB |`,
      );
      rmSync(file, { force: true });
    }
    const liveStreams = options.liveStreams ?? 200;
    const livePerStream = options.livePerStream ?? 50;
    const l = await live(liveStreams, livePerStream);
    if (!l.outcome.ok)
      throw new Error(
        `the live population did not verify: ${JSON.stringify(l.outcome.failures.slice(0, 3))}`,
      );
    rows.push(
      `| --live: ${fmt(l.outcome.events)} events, ${fmt(liveStreams)} streams on DynamoDB Local | verify | ${fmt(rate(l.outcome.events, l.verifyMs))} | ${(l.verifyMs / 1000).toFixed(1)} s | (in process) |`,
      `| | replay | ${fmt(rate(l.replayed, l.replayMs))} | ${(l.replayMs / 1000).toFixed(1)} s | (in process) |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    '## Audit: verify and replay',
    '',
    'Export files are streamed (never loaded whole); files over 64 MB are verified on worker threads,',
    'one byte range each. Peak RSS is the whole process (Node itself, the TypeScript loader, workers).',
    'Goal: 200,000 events/s, memory flat as the file grows.',
    `${availableParallelism()} cores; 1-minute load average ${loadBefore.toFixed(1)} before the run, ${(loadavg()[0] ?? 0).toFixed(1)} after.`,
    '',
    '| population | step | events/s | time | peak RSS |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${await runAuditBench()}\n`);
}
