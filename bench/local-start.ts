import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Actor } from '../events/actor.ts';
import { GENESIS_HASH } from '../events/audit/hash.ts';
import { decide, type IncidentCommand } from '../events/incident/decide.ts';
import type {
  IncidentEvent,
  MaybeIncident,
  NotificationPurpose,
  Recorded,
} from '../events/incident/incident.ts';
import { relayPolicy } from '../events/policy.ts';
import { appendRequestOf } from '../functions/commons/command-runner.ts';
import { eventItems } from '../functions/commons/dynamodb-event-store.ts';
import { headPutInput } from '../functions/commons/head-item.ts';
import { incidents } from '../functions/commons/incidents.ts';
import { messagesFor } from '../functions/commons/reactions.ts';
import { ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { ensureIndexes } from '../local/ensure-indexes.ts';
import { ensureOpenIndex } from '../local/open-index.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { LOCAL_TABLE, STREAM_CHECKPOINT_FILE } from '../local/stack.ts';
import { startStreamPoller } from '../local/streams.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { fmt, loadNow, median, pool, progress, REPO_ROOT, sleep, table } from './util.ts';

// Section "local-start": the time from starting the local stack to GET /health 200 on a data folder holding
// N closed incidents, against an empty one. Recovery reads only the sparse byOpen index (local/recover.ts), so
// closed incidents should cost nothing; the goal is within 2× of the empty folder at 100,000.

/** How many closed incidents; CEPTOAR_BENCH_CLOSED overrides (comma-separated for several sizes). */
const SIZES = (process.env.CEPTOAR_BENCH_CLOSED ?? '100000').split(',').map(Number);
const RUNS = 3;
const GOAL = 2;
const HEALTH_TIMEOUT_MS = 600_000;

const REGION = 'ap-northeast-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const MEMBER: Actor = { kind: 'user', sub: 'u-bench-1', role: 'member', org: 'asahi-petrochem' };
const SECRETARIAT: Actor = { kind: 'user', sub: 'u-sec-1', role: 'secretariat' };
const MINISTRY: Actor = { kind: 'user', sub: 'u-meti-1', role: 'ministry' };
const NISC: Actor = { kind: 'user', sub: 'u-nisc-1', role: 'nisc' };
const NOTIFIER: Actor = { kind: 'system', sub: 'system:notifier' };
const policy = relayPolicy();
const directory = seedDirectory();

/**
 * One closed incident as the store writes it: the relay walked through its four hops and closed by the pure
 * `decide`, every message its events called for recorded as delivered, then the items of one append of those
 * events (eventItems, the store's own builder) and its head (headPutInput, with openPk absent: nothing open).
 */
function closedIncident(n: number, t0: number): WriteRequest[] {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const now = new Date(t0 + n * 1000).toISOString();
  const events: IncidentEvent[] = [];
  let state: MaybeIncident = null;
  const apply = (command: IncidentCommand, actor: Actor) => {
    for (const event of decide(command, state, { now, actor, policy })) {
      events.push(event);
      state = incidents.evolve(state, { ...event, version: events.length, recordedAt: now, actor });
    }
  };
  apply(
    {
      type: 'ReportIncident',
      data: {
        incidentId: id,
        report: {
          title: `Closed incident ${n}`,
          description: 'Ransomware on a file server; contained and restored from backups.',
          category: 'cyber_attack',
          severity: 'high',
          occurredAt: now,
          detectedAt: now,
          affectedSystems: ['business_it'],
          tlp: 'AMBER',
          contact: { name: 'Duty officer', email: 'duty@asahi-petrochem.ceptoar.example' },
        },
      },
    },
    MEMBER,
  );
  apply({ type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT);
  apply({ type: 'AcknowledgeReceipt', data: {} }, MINISTRY);
  apply({ type: 'AcknowledgeReceipt', data: {} }, NISC);
  apply({ type: 'CloseIncident', data: {} }, SECRETARIAT);
  const planned = events.flatMap((event, i) =>
    messagesFor(
      { ...event, version: i + 1, recordedAt: now, actor: MEMBER } as Recorded<IncidentEvent>,
      state as never,
      {
        directory,
        publicUrl: 'http://localhost:3000',
      },
    ),
  );
  for (const m of planned) {
    apply(
      {
        type: 'RecordNotification',
        data: {
          key: m.key,
          purpose: m.purpose as NotificationPurpose,
          channel: m.channel,
          to: m.to,
          outcome: { ok: true, messageId: `bench-${m.key}` },
        },
      },
      NOTIFIER,
    );
  }
  const request = appendRequestOf(incidents, id, { version: 0, events, state }, MEMBER, now, undefined);
  const { items, lastHash } = eventItems(LOCAL_TABLE, request, GENESIS_HASH);
  const head = request.head;
  if (!head) throw new Error('a new stream has a head');
  const headItem = headPutInput(
    LOCAL_TABLE,
    {
      streamId: request.streamId,
      streamType: request.streamType,
      version: events.length,
      hash: lastHash,
      updatedAt: now,
      ...head,
    },
    0,
  ).Item;
  if (head.awaiting?.length || head.projection.open)
    throw new Error(`incident ${n} is not closed: ${head.awaiting}`);
  return [
    ...items.map((i) => ({ PutRequest: { Item: i.Put?.Item ?? {} } })),
    { PutRequest: { Item: headItem ?? {} } },
  ];
}

async function batchWrite(client: DynamoDBClient, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const { UnprocessedItems } = await client.send(
      new BatchWriteItemCommand({ RequestItems: { [LOCAL_TABLE]: pending } }),
    );
    pending = UnprocessedItems?.[LOCAL_TABLE] ?? [];
    if (pending.length > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
  }
}

/**
 * A data folder as the local stack leaves it after `count` closed incidents: the table with its indexes and
 * the open-index marker (as a folder this release created), the items written by BatchWriteItem, and the
 * stream read to its end by a poller that does nothing, so that its checkpoint lies past them (the stack's
 * poller would otherwise react to every one of them at start).
 */
async function generateFolder(dataDir: string, count: number): Promise<{ items: number; seconds: number }> {
  const t0 = performance.now();
  const log = { info: () => {}, warn: (m: string) => progress(`dynamodb: ${m}`) };
  const dynamo = await startDynamoLocal({ dbPath: join(dataDir, 'dynamodb'), log, startTimeoutMs: 180_000 });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials });
  try {
    await ensureTable(client, eventTableSpec(LOCAL_TABLE));
    await ensureIndexes(client, eventTableSpec(LOCAL_TABLE), log);
    await ensureOpenIndex(client, LOCAL_TABLE, log);
    const poller = await startStreamPoller({
      dynamoEndpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE,
      checkpointFile: join(dataDir, STREAM_CHECKPOINT_FILE),
      handler: async () => ({ batchItemFailures: [] }),
      batchSize: 1000,
      name: 'bench-generator',
    });
    const epoch = Date.parse('2026-01-01T00:00:00.000Z');
    let written = 0;
    const perBlock = 1000;
    for (let from = 0; from < count; from += perBlock) {
      const requests = Array.from({ length: Math.min(perBlock, count - from) }, (_, i) =>
        closedIncident(from + i, epoch),
      ).flat();
      const chunks: WriteRequest[][] = [];
      for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
      await pool(chunks, 4, (chunk) => batchWrite(client, chunk));
      written += requests.length;
      if ((from + perBlock) % 2_000 === 0)
        progress(`local-start: ${from + perBlock} closed incidents written (${written} items)`);
    }
    await poller.idle();
    await poller.stop();
    return { items: written, seconds: (performance.now() - t0) / 1000 };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

/** Starts the stack on `dataDir` in a child process (free ports) and times spawn → first GET /health 200. */
async function timeStart(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/local-stack-child.ts'), dataDir],
    {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  // The child prints {"url"} once startLocalStack returned; /health is then polled for its 200.
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start in time: ${stderr}`)), HEALTH_TIMEOUT_MS);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const match = /"url":"([^"]+)"/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the stack exited ${code}: ${stderr}`)));
  });
  for (;;) {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    await sleep(20);
  }
  const ms = performance.now() - t0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.write('stop\n');
  await exited;
  return ms;
}

export async function localStartSection(): Promise<string> {
  const loadStart = loadNow();
  const folders: {
    label: string;
    closed: number;
    dir: string;
    generated?: { items: number; seconds: number };
  }[] = [
    { label: 'empty folder', closed: 0, dir: mkdtempSync(join(tmpdir(), 'ceptoar-bench-start-empty-')) },
  ];
  try {
    for (const closed of SIZES) {
      const dir = mkdtempSync(join(tmpdir(), `ceptoar-bench-start-${closed}-`));
      folders.push({ label: `${fmt(closed, 0)} closed incidents`, closed, dir });
    }
    for (const folder of folders.slice(1)) {
      progress(`local-start: generating ${folder.label}`);
      folder.generated = await generateFolder(folder.dir, folder.closed);
      progress(
        `local-start: ${folder.label}: ${folder.generated.items} items in ${fmt(folder.generated.seconds)} s`,
      );
    }
    // One untimed start of each first: it seeds the directory and builds nothing afterwards.
    for (const folder of folders) await timeStart(folder.dir);
    const times = new Map(folders.map((f) => [f.label, [] as number[]]));
    // Interleaved: empty, then each size, RUNS rounds.
    for (let round = 0; round < RUNS; round++) {
      for (const folder of folders) {
        const ms = await timeStart(folder.dir);
        times.get(folder.label)?.push(ms);
        progress(`local-start: ${folder.label} round ${round + 1}: ${fmt(ms, 0)} ms`);
      }
    }
    const empty = median(times.get('empty folder') ?? []);
    const rows = folders.map((f) => {
      const samples = times.get(f.label) ?? [];
      const ratio = median(samples) / empty;
      return [
        f.label,
        f.generated ? `${fmt(f.generated.items, 0)} (${fmt(f.generated.seconds, 0)} s to generate)` : '—',
        samples.map((s) => fmt(s, 0)).join(', '),
        fmt(median(samples), 0),
        f.closed === 0 ? '1.00' : `${fmt(ratio, 2)} ${ratio <= GOAL ? '(met)' : '(**missed**)'}`,
      ];
    });
    const loadEnd = loadNow();
    return [
      'Time from spawning the local stack (`bench/local-stack-child.ts`: `startLocalStack`, free ports) to the',
      'first `GET /health` 200, on a data folder of closed incidents against an empty one; one untimed start of',
      `each first (it seeds the directory), then ${RUNS} interleaved rounds; median. Each closed incident is the`,
      "relay walked by the pure `decide` (reported, approved, ministry's and NISC's receipts, closed) with every",
      'message its events called for recorded as delivered, written by BatchWriteItem as the items of one append',
      "(the store's own `eventItems`) and its head (`headPutInput`); the stream is read past them before the",
      `first start. Goal: within ${GOAL}× of the empty folder.`,
      '',
      table(
        ['data folder', 'items generated', `start → /health 200, ms (${RUNS} runs)`, 'median ms', '× empty'],
        rows,
      ),
      '',
      `Load average (1/5/15 min) at the section's start ${loadStart.map((l) => fmt(l, 2)).join(' / ')}, at its end ${loadEnd.map((l) => fmt(l, 2)).join(' / ')}.`,
    ].join('\n');
  } finally {
    for (const folder of folders) rmSync(folder.dir, { recursive: true, force: true });
  }
}
