import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  BatchWriteItemCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type EventDetail, EventStore, EventType } from '@castore/core';
import {
  DynamoDBSingleTableEventStorageAdapter,
  EVENT_TABLE_EVENT_STORE_ID_KEY,
  EVENT_TABLE_INITIAL_EVENT_INDEX_NAME,
  EVENT_TABLE_PK,
  EVENT_TABLE_SK,
  EVENT_TABLE_TIMESTAMP_KEY,
} from '@castore/event-storage-adapter-dynamodb';
import type { Actor } from '../events/actor.ts';
import { type DecisionContext, decide, type IncidentCommand } from '../events/incident/decide.ts';
import {
  decisionState,
  evolve,
  type IncidentEvent,
  type IncidentEventType,
  type MaybeIncident,
  type Recorded,
} from '../events/incident/incident.ts';
import type { Report } from '../events/incident/report.ts';
import { relayPolicy } from '../events/policy.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { DynamoDbBatchHeadReader } from '../functions/store/batch-heads.ts';
import { runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import { projectHead, projectHeads } from '../functions/store/head-projection.ts';
import { ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { fmt, median, progress, table } from './util.ts';

/** Commands run concurrently, each worker on its own streams (no write conflicts by construction). */
const CONCURRENCY = 4;
/** Measured commands per worker and store, per stream length. */
const PER_WORKER = 80;
/** Commands per worker in one block; blocks of the two stores alternate. */
const BLOCK = 10;
/**
 * Stream lengths and how many measured commands each stream takes. Few commands per stream keep a
 * stream near its nominal length while it is measured (it grows by at most 10 %, see the table).
 */
const SIZES = [
  { events: 10, commandsPerStream: 1 },
  { events: 100, commandsPerStream: 4 },
  { events: 1000, commandsPerStream: 40 },
] as const;
/** Warm-up (not measured): seconds at the start, then commands per worker and store before each size. */
const GLOBAL_WARMUP_S = 15;
/** Operations per raw-operation calibration run. */
const CALIBRATION_OPS = 200;
const SIZE_WARMUP_PER_WORKER = 10;

const MEMBER: Actor = { kind: 'user', sub: 'u-bench-member', role: 'member', org: 'asahi-petrochem' };
const POLICY = relayPolicy();
// What an operator writes in follow-ups: sentences of these words, drawn by a seeded generator, so that
// every follow-up differs as real ones do (the same text repeated would let gzip shrink a head of 100
// follow-ups to almost nothing, and the projection's write units with it; bench/RESULTS.md section 1).
const WORDS = (
  'restored historian offline backup monitoring DCS network segment isolated engineering workstations ' +
  'rotated domain admin credentials vendor confirmed patch level lateral movement seen since firewall logs ' +
  'reviewed SOC hours integrity verified second site operators switched manual control unit ministry briefed ' +
  'phone ransomware note encrypted shares file server VPN gateway disabled accounts forensic image taken ' +
  'memory dump collected indicators shared CEPTOAR secretariat plant safety systems unaffected production ' +
  'resumed partially customers informed shipment delayed insurer notified police report filed malware sample ' +
  'submitted antivirus signatures updated EDR deployed endpoints scanned clean infected hosts reimaged ' +
  'passwords reset multi-factor enforced remote access suspended supplier connection cut backup tapes ' +
  'checked restore tested successfully timeline reconstructed initial access phishing email attachment macro ' +
  'user clicked Tuesday morning detection alert escalated night shift incident commander appointed'
).split(' ');

let wordSeed = 20261206;
/** The next pseudo-random number in [0, 1) (mulberry32: deterministic, so every run writes the same text). */
function nextRandom(): number {
  wordSeed = (wordSeed + 0x6d2b79f5) | 0;
  let t = Math.imul(wordSeed ^ (wordSeed >>> 15), 1 | wordSeed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Text of about `chars` characters: sentences of drawn words, each follow-up's its own. */
function followUpText(chars: number): string {
  const words: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = WORDS[Math.floor(nextRandom() * WORDS.length)] as string;
    words.push(word);
    length += word.length + 1;
  }
  return `${words.join(' ').slice(0, chars - 1)}.`;
}

/** A follow-up of about 86 characters (as the bench's single text was until 2026-12-06), a new text each call. */
const followUp = (chars = 86): IncidentCommand => ({
  type: 'AddFollowUp',
  data: { description: followUpText(chars), recoveryStatus: 'mitigating' },
});

function report(now: number): Report {
  return {
    title: 'Ransomware on the Chiba plant historian',
    description: 'Files on the historian server were encrypted at 09:40 JST; the DCS is isolated.',
    category: 'cyber_attack',
    severity: 'high',
    occurredAt: new Date(now - 3_600_000).toISOString(),
    detectedAt: new Date(now - 3_000_000).toISOString(),
    affectedSystems: ['business_it', 'plant_control'],
    tlp: 'AMBER',
    contact: { name: '山田 太郎', email: 'yamada@asahi-petrochem.ceptoar.example', phone: '+81312345678' },
  };
}

const context = (now = new Date().toISOString()): DecisionContext => ({ now, actor: MEMBER, policy: POLICY });

/** A stream's history made by the pure domain: IncidentReported, then follow-ups up to `length` events. */
function history(
  id: string,
  length: number,
  makeFollowUp: () => IncidentCommand = followUp,
): { events: IncidentEvent[]; states: MaybeIncident[]; at: string } {
  const at = new Date().toISOString();
  const ctx = context(at);
  const events: IncidentEvent[] = [];
  const states: MaybeIncident[] = [];
  let state: MaybeIncident = null;
  for (let v = 1; v <= length; v++) {
    const command: IncidentCommand =
      v === 1
        ? { type: 'ReportIncident', data: { incidentId: id, report: report(Date.parse(at)) } }
        : makeFollowUp();
    const [event, ...rest] = decide(command, state, ctx);
    if (event === undefined || rest.length > 0) throw new Error('prefill: expected exactly one event');
    state = evolve(state, { ...event, version: v, recordedAt: at, actor: MEMBER });
    events.push(event);
    states.push(state);
  }
  return { events, states, at };
}

// ---- Castore: the same domain behind @castore/core's EventStore and its DynamoDB single-table adapter.

const EVENT_STORE_ID = 'incident';
const incidentEventTypes = [
  'IncidentReported',
  'FollowUpAdded',
  'RelayApproved',
  'RelayReturned',
  'ReceiptAcknowledged',
  'IncidentClosed',
  'RelayWaitStarted',
  'HopDeadlineMissed',
  'RelayStalled',
  'NotificationDelivered',
  'NotificationFailed',
] as const satisfies readonly IncidentEventType[];

type CastoreDetail = EventDetail<IncidentEventType, unknown, { actor: Actor }>;
/** Castore's aggregate: its id and version around our folded state. */
interface CastoreIncident {
  aggregateId: string;
  version: number;
  state: MaybeIncident;
}

/** The reducer is our `evolve`, exactly as ours folds a stored event (incidents.upcast). */
function castoreReducer(aggregate: CastoreIncident | undefined, event: CastoreDetail): CastoreIncident {
  const recorded = {
    type: event.type,
    data: event.payload,
    version: event.version,
    recordedAt: event.timestamp,
    actor: event.metadata.actor,
  } as Recorded<IncidentEvent>;
  return {
    aggregateId: event.aggregateId,
    version: event.version,
    state: evolve(aggregate?.state ?? null, recorded),
  };
}

function castoreStore(client: DynamoDBClient, tableName: string) {
  return new EventStore({
    eventStoreId: EVENT_STORE_ID,
    eventTypes: incidentEventTypes.map(
      (type) => new EventType<IncidentEventType, unknown, { actor: Actor }>({ type }),
    ),
    reducer: castoreReducer,
    eventStorageAdapter: new DynamoDBSingleTableEventStorageAdapter({ tableName, dynamoDBClient: client }),
  });
}
type CastoreStore = ReturnType<typeof castoreStore>;

/** The table layout the adapter's README prescribes, plus the same NEW_IMAGE stream our table has. */
function castoreTableSpec(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: EVENT_TABLE_PK, AttributeType: 'S' },
      { AttributeName: EVENT_TABLE_SK, AttributeType: 'N' },
      { AttributeName: EVENT_TABLE_EVENT_STORE_ID_KEY, AttributeType: 'S' },
      { AttributeName: EVENT_TABLE_TIMESTAMP_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: EVENT_TABLE_PK, KeyType: 'HASH' },
      { AttributeName: EVENT_TABLE_SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: EVENT_TABLE_INITIAL_EVENT_INDEX_NAME,
        KeySchema: [
          { AttributeName: EVENT_TABLE_EVENT_STORE_ID_KEY, KeyType: 'HASH' },
          { AttributeName: EVENT_TABLE_TIMESTAMP_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}

// ---- The two implementations of one command: load, decide (pure, shared), append.

interface Contender {
  readonly name: 'ours' | 'ours (no cache)' | 'castore';
  /** Writes a stream of `length` events (not measured), its follow-ups made by `followUp` (default followUp). */
  prefill(id: string, length: number, followUp?: () => IncidentCommand): Promise<void>;
  /** One AddFollowUp command, end to end. */
  command(id: string): Promise<void>;
  /** The stream's current version, read back from the store. */
  version(id: string): Promise<number>;
}

function oursContender(store: DynamoDbEventStore, name: 'ours' | 'ours (no cache)' = 'ours'): Contender {
  return {
    name,
    async prefill(id, length, followUp) {
      const { events, states, at } = history(id, length, followUp);
      // One TransactWriteItems holds at most 100 items: 98 events, the head and its list item.
      for (let from = 0; from < events.length; from += 98) {
        const chunk = events.slice(from, from + 98);
        const state = states[from + chunk.length - 1] ?? null;
        await store.append({
          streamId: incidents.streamId(id),
          streamType: incidents.streamType,
          expectedVersion: from,
          events: chunk,
          actor: MEMBER,
          recordedAt: at,
          schemaVersion: incidents.eventSchema,
          decision: { state: decisionState(state), stateSchema: incidents.stateSchema },
          // Written with every chunk here (setup, not measured), so the head is the stream's too.
          head: { state, stateSchema: incidents.stateSchema, projection: incidents.project(state) },
        });
      }
    },
    async command(id) {
      const result = await runCommand(store, incidents, id, followUp(), context());
      if (result.events.length !== 1)
        throw new Error(`ours: expected one event, got ${result.events.length}`);
    },
    async version(id) {
      // The newest event as the table holds it (heads are projected by another function, not run here).
      store.forget(incidents.streamId(id));
      return (await store.loadDecision(incidents.streamId(id)))?.version ?? 0;
    },
  };
}

function castoreContender(store: CastoreStore): Contender {
  return {
    name: 'castore',
    async prefill(id, length, followUp) {
      const { events, at } = history(id, length, followUp);
      // pushEventGroup is one TransactWriteItems: at most 100 events.
      for (let from = 0; from < events.length; from += 100) {
        const grouped = events.slice(from, from + 100).map((event, i) =>
          store.groupEvent({
            aggregateId: id,
            version: from + i + 1,
            type: event.type,
            payload: event.data,
            metadata: { actor: MEMBER },
            timestamp: at,
          }),
        );
        const [first, second, ...rest] = grouped;
        if (first === undefined || second === undefined)
          throw new Error('castore prefill: chunks of 2+ events');
        await EventStore.pushEventGroup(first, second, ...rest);
      }
    },
    async command(id) {
      const ctx = context();
      // getAggregate reads every event of the stream (paged Query) and folds it with the reducer.
      const { aggregate } = await store.getAggregate(id);
      const events = decide(followUp(), aggregate?.state ?? null, ctx);
      if (events.length !== 1) throw new Error(`castore: expected one event, got ${events.length}`);
      let prev = aggregate;
      let version = aggregate?.version ?? 0;
      for (const event of events) {
        // A conditional PutItem on (aggregateId, version): fails when that version already exists.
        const { nextAggregate } = await store.pushEvent(
          {
            aggregateId: id,
            version: ++version,
            type: event.type,
            payload: event.data,
            metadata: { actor: ctx.actor },
            timestamp: ctx.now,
          },
          prev ? { prevAggregate: prev } : {},
        );
        prev = nextAggregate;
      }
    },
    async version(id) {
      const { events } = await store.getEvents(id, { reverse: true, limit: 1 });
      return events[0]?.version ?? 0;
    },
  };
}

// ---- Measurement

/** Wall time and per-command latencies of measured blocks, and the DynamoDB calls they made. */
interface Tally {
  commands: number;
  seconds: number;
  latenciesMs: number[];
  calls: Map<string, number[]>;
  /** CPU time of this Node process (user + system) during the blocks. */
  nodeCpuMs: number;
  /** CPU time of the DynamoDB Local JVM during the blocks (NaN when /proc is not readable). */
  jvmCpuMs: number;
  /** Read and write capacity units as DynamoDB would bill them (see billedUnits), table and indexes. */
  rcu: number;
  wcu: number;
}

const newTally = (): Tally => ({
  commands: 0,
  seconds: 0,
  latenciesMs: [],
  calls: new Map(),
  nodeCpuMs: 0,
  jvmCpuMs: 0,
  rcu: 0,
  wcu: 0,
});

const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface Consumed {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/**
 * The capacity units DynamoDB bills for one call, from the ConsumedCapacity (INDEXES) that DynamoDB Local
 * returns: its table part (1 KB write units, 4 KB strongly consistent read units) plus every index it
 * wrote. DynamoDB bills a transactional write twice (2 WCU per KB); DynamoDB Local reports it once, so
 * the table part of TransactWriteItems is doubled here.
 */
function billedUnits(command: string, consumed: Consumed | Consumed[] | undefined): number {
  const all = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  let units = 0;
  for (const c of all) {
    const indexes = Object.values(c.GlobalSecondaryIndexes ?? {}).reduce(
      (sum, i) => sum + (i.CapacityUnits ?? 0),
      0,
    );
    const tablePart = c.Table?.CapacityUnits ?? (c.CapacityUnits ?? 0) - indexes;
    units += (command === 'TransactWriteItems' ? 2 : 1) * tablePart + indexes;
  }
  return units;
}

/** CPU time (user + system) of a process from /proc/<pid>/stat, in ms; NaN when unavailable. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15 (clock ticks).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** Times every DynamoDB call of a client (serialize, send, parse, retries) while a tally is attached. */
function timedClient(endpoint: string): { client: DynamoDBClient; attach(tally: Tally | null): void } {
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let current: Tally | null = null;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const tally = current;
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      // Every call says what it consumed, so that a command's capacity units can be added up.
      if (tally && (READS.has(name) || WRITES.has(name)))
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
      const t0 = performance.now();
      let output: { output?: { ConsumedCapacity?: Consumed | Consumed[] } } | undefined;
      try {
        output = (await next(args)) as typeof output;
        return output as Awaited<ReturnType<typeof next>>;
      } finally {
        if (tally) {
          const list = tally.calls.get(name) ?? [];
          list.push(performance.now() - t0);
          tally.calls.set(name, list);
          const units = billedUnits(name, output?.output?.ConsumedCapacity);
          if (READS.has(name)) tally.rcu += units;
          else tally.wcu += units;
        }
      }
    },
    { step: 'initialize', name: 'benchTiming' },
  );
  return {
    client,
    attach: (tally) => {
      current = tally;
    },
  };
}

interface Runner {
  readonly contender: Contender;
  readonly attach: (tally: Tally | null) => void;
  /** The DynamoDB Local JVM's pid, to account its CPU time to the blocks. */
  readonly jvmPid: number | undefined;
}

/** One block: every worker runs its targets one after another; the workers run at once. */
async function runBlock(
  runner: Runner,
  targetsByWorker: readonly (readonly string[])[],
  tally: Tally | null,
) {
  runner.attach(tally);
  const cpu0 = process.cpuUsage();
  const jvm0 = processCpuMs(runner.jvmPid);
  const started = performance.now();
  const latencies: number[] = [];
  await Promise.all(
    targetsByWorker.map(async (targets) => {
      for (const id of targets) {
        const t0 = performance.now();
        await runner.contender.command(id);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const jvm = processCpuMs(runner.jvmPid) - jvm0;
  runner.attach(null);
  if (tally) {
    tally.commands += latencies.length;
    tally.seconds += seconds;
    tally.latenciesMs.push(...latencies);
    tally.nodeCpuMs += (cpu.user + cpu.system) / 1000;
    tally.jvmCpuMs += jvm;
  }
}

const newIds = (workers: number, perWorker: number): string[][] =>
  Array.from({ length: workers }, () => Array.from({ length: perWorker }, () => randomUUID()));

async function prefillAll(contender: Contender, ids: readonly string[], length: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const id = ids[next++];
        if (id === undefined) return;
        await contender.prefill(id, length);
      }
    }),
  );
}

/** Each worker's command targets: its streams in turn, `perStream` commands on each. */
const targetsOf = (streamsByWorker: string[][], perStream: number): string[][] =>
  streamsByWorker.map((streams) => streams.flatMap((id) => Array.from({ length: perStream }, () => id)));

const blockOf = (targets: string[][], block: number): string[][] =>
  targets.map((t) => t.slice(block * BLOCK, (block + 1) * BLOCK));

interface SizeResult {
  events: number;
  commandsPerStream: number;
  ours: Tally;
  oursNoCache: Tally;
  castore: Tally;
  /** Bytes of the decision state a command reads and writes, and of the head (the view's whole state). */
  decisionJsonBytes: number;
  headJsonBytes: number;
  /** One head projection per command (the worst case: a stream batch of one event). */
  projection: Tally;
}

const perSecond = (t: Tally) => t.commands / t.seconds;

/** How many streams per length the head projection is sampled on. */
const PROJECTION_SAMPLES = 8;

/**
 * One client per store, configured alike, so that each one's DynamoDB calls can be timed and counted apart,
 * and the two tables: ours (eventTableSpec) and Castore's.
 */
async function twoTables(endpoint: string) {
  const oursClient = timedClient(endpoint);
  const noCacheClient = timedClient(endpoint);
  const castoreClient = timedClient(endpoint);
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const oursTable = `bench-ours-${suffix}`;
  const castoreTable = `bench-castore-${suffix}`;
  await ensureTable(oursClient.client, eventTableSpec(oursTable));
  await ensureTable(castoreClient.client, castoreTableSpec(castoreTable), { ttlAttribute: null });
  return { oursClient, noCacheClient, castoreClient, oursTable, castoreTable, suffix };
}

/** Section 1: load-decide-append throughput of our store against Castore on one DynamoDB Local. */
export async function eventStoreSection(): Promise<string> {
  const dynamo = await startDynamoLocal({ inMemory: true });
  const { oursClient, noCacheClient, castoreClient, oursTable, castoreTable, suffix } = await twoTables(
    dynamo.endpoint,
  );
  try {
    // The warm container: it appended to (or read) each stream before, so it holds its decision state.
    const oursStore = new DynamoDbEventStore(oursClient.client, oursTable);
    // A container that never saw the stream: every command reads the decision state (one Query).
    const noCacheStore = new DynamoDbEventStore(noCacheClient.client, oursTable, { decisionCacheSize: 0 });
    const jvmPid = isJava(dynamo.pid) ? dynamo.pid : undefined;
    const ours: Runner = { contender: oursContender(oursStore), attach: oursClient.attach, jvmPid };
    const oursNoCache: Runner = {
      contender: oursContender(noCacheStore, 'ours (no cache)'),
      attach: noCacheClient.attach,
      jvmPid,
    };
    const castore: Runner = {
      contender: castoreContender(castoreStore(castoreClient.client, castoreTable)),
      attach: castoreClient.attach,
      jvmPid,
    };
    const runners = [ours, oursNoCache, castore] as const;

    // DynamoDB Local's JVM needs thousands of requests before its JIT settles: warm up for a fixed time.
    progress(`event store: warm-up (${GLOBAL_WARMUP_S} s, not measured)`);
    const warmStreams = new Map<Runner, string[][]>();
    for (const runner of runners) {
      const ids = newIds(CONCURRENCY, BLOCK);
      await prefillAll(runner.contender, ids.flat(), 10);
      warmStreams.set(runner, ids);
    }
    const warmUntil = performance.now() + GLOBAL_WARMUP_S * 1000;
    while (performance.now() < warmUntil) {
      for (const runner of runners) await runBlock(runner, warmStreams.get(runner) ?? [], null);
    }

    progress('event store: calibrating raw DynamoDB Local operations');
    const calibrationTable = `bench-calibration-${suffix}`;
    await ensureTable(oursClient.client, eventTableSpec(calibrationTable));
    const calibration = await calibrate(oursClient.client, calibrationTable);

    // One cell per (stream length, store). Every stream is written first; then the cells' blocks run
    // interleaved, forwards and backwards in turn, so that drift in the machine's load falls on all alike.
    interface Cell {
      size: (typeof SIZES)[number];
      runner: Runner;
      warm: string[][];
      measured: string[][];
      targets: string[][];
      tally: Tally;
    }
    const cells: Cell[] = [];
    for (const size of SIZES) {
      const streamsPerWorker = PER_WORKER / size.commandsPerStream;
      if (!Number.isInteger(streamsPerWorker) || PER_WORKER % BLOCK !== 0) {
        throw new Error('commandsPerStream and BLOCK must divide PER_WORKER');
      }
      progress(
        `event store: writing ${runners.length * CONCURRENCY * (streamsPerWorker + 1)} streams of ${size.events} events (not measured)`,
      );
      for (const runner of runners) {
        const warm = newIds(CONCURRENCY, 1);
        const measured = newIds(CONCURRENCY, streamsPerWorker);
        await prefillAll(runner.contender, [...warm, ...measured].flat(), size.events);
        const version = await runner.contender.version(measured[0]?.[0] ?? '');
        if (version !== size.events) {
          throw new Error(`${runner.contender.name}: prefilled ${version}, not ${size.events}`);
        }
        const targets = targetsOf(measured, size.commandsPerStream);
        cells.push({ size, runner, warm, measured, targets, tally: newTally() });
      }
    }
    progress('event store: warm-up on streams of each length (not measured)');
    for (const cell of cells) await runBlock(cell.runner, targetsOf(cell.warm, SIZE_WARMUP_PER_WORKER), null);
    progress(
      `event store: measuring ${PER_WORKER * CONCURRENCY} commands in each of ${cells.length} cells, interleaved`,
    );
    const loadBefore = loadavg()[0] ?? Number.NaN;
    const reads0 = { ...oursStore.decisionReads };
    for (let block = 0; block < PER_WORKER / BLOCK; block++) {
      const order = block % 2 === 0 ? cells : [...cells].reverse();
      for (const cell of order) await runBlock(cell.runner, blockOf(cell.targets, block), cell.tally);
    }
    const hits = {
      cached: oursStore.decisionReads.cached - reads0.cached,
      read: oursStore.decisionReads.read - reads0.read,
    };
    const load: [number, number] = [loadBefore, loadavg()[0] ?? Number.NaN];
    // Every measured command appended exactly one event: check it on the stores themselves.
    for (const cell of cells) {
      const expected = cell.size.events + cell.size.commandsPerStream;
      for (const id of cell.measured.flat()) {
        const version = await cell.runner.contender.version(id);
        if (version !== expected) {
          throw new Error(
            `${cell.runner.contender.name}: stream at version ${version}, expected ${expected}`,
          );
        }
      }
    }
    const cellOf = (size: (typeof SIZES)[number], runner: Runner) => {
      const cell = cells.find((c) => c.size === size && c.runner === runner);
      if (!cell) throw new Error('unreachable: a cell is missing');
      return cell;
    };
    const results: SizeResult[] = [];
    for (const size of SIZES) {
      const ourCell = cellOf(size, ours);
      const sample = ourCell.measured.flat().slice(0, PROJECTION_SAMPLES);
      progress(`event store: head projection on ${sample.length} streams of ${size.events} events`);
      const projection = await measureProjection(oursStore, oursClient, oursTable, sample);
      const streamId = incidents.streamId(sample[0] ?? '');
      oursStore.forget(streamId);
      const decision = await oursStore.loadDecision(streamId);
      const head = await oursStore.loadHead(streamId);
      const result: SizeResult = {
        events: size.events,
        commandsPerStream: size.commandsPerStream,
        ours: ourCell.tally,
        oursNoCache: cellOf(size, oursNoCache).tally,
        castore: cellOf(size, castore).tally,
        decisionJsonBytes: Buffer.byteLength(JSON.stringify(decision?.state ?? null)),
        headJsonBytes: Buffer.byteLength(JSON.stringify(head?.state ?? null)),
        projection,
      };
      results.push(result);
      progress(
        `event store: ${size.events} events: ours ${fmt(perSecond(result.ours))} cmd/s, ` +
          `no cache ${fmt(perSecond(result.oursNoCache))}, castore ${fmt(perSecond(result.castore))} cmd/s`,
      );
    }
    return render(results, calibration, jvmPid !== undefined, load, hits);
  } finally {
    oursClient.client.destroy();
    noCacheClient.client.destroy();
    castoreClient.client.destroy();
    await dynamo.stop();
  }
}

/** Streams per store and length in the capacity section (capacity units are deterministic: a few suffice). */
const CAPACITY_STREAMS = 8;
/** The capacity section's extra row: follow-ups of 4 KB each before the measured command's own. */
/** Follow-ups of 4 KB of text each, every one its own. */
const longFollowUp = () => followUp(4096);

/**
 * Section 1's capacity units alone (`npm run bench -- event-store-capacity`): the same three stores and
 * `AddFollowUp` commands, counted and not timed, so that it can run on a busy machine (what DynamoDB would
 * bill does not depend on the load). No warm-up, no interleaving; every stream is read back afterwards.
 * Also a row of streams of 100 events whose follow-ups each hold 4 KB of text: what a command reads and
 * writes must not grow with earlier follow-ups either.
 */
export async function eventStoreCapacitySection(): Promise<string> {
  const dynamo = await startDynamoLocal({ inMemory: true });
  const { oursClient, noCacheClient, castoreClient, oursTable, castoreTable } = await twoTables(
    dynamo.endpoint,
  );
  try {
    const oursStore = new DynamoDbEventStore(oursClient.client, oursTable);
    const noCacheStore = new DynamoDbEventStore(noCacheClient.client, oursTable, { decisionCacheSize: 0 });
    const runners: Runner[] = [
      { contender: oursContender(oursStore), attach: oursClient.attach, jvmPid: undefined },
      {
        contender: oursContender(noCacheStore, 'ours (no cache)'),
        attach: noCacheClient.attach,
        jvmPid: undefined,
      },
      {
        contender: castoreContender(castoreStore(castoreClient.client, castoreTable)),
        attach: castoreClient.attach,
        jvmPid: undefined,
      },
    ];
    const cases = [
      ...SIZES.map((size) => ({ label: String(size.events), events: size.events, followUp })),
      { label: '100, follow-ups of 4 KB', events: 100, followUp: longFollowUp },
    ];
    const rows: CapacityRow[] = [];
    for (const c of cases) {
      progress(`event store capacity: ${c.label} events`);
      const tallies: Tally[] = [];
      let oursIds: string[] = [];
      for (const runner of runners) {
        const ids = Array.from({ length: CAPACITY_STREAMS }, () => randomUUID());
        for (const id of ids) await runner.contender.prefill(id, c.events, c.followUp);
        const tally = newTally();
        await runBlock(runner, [ids], tally);
        for (const id of ids) {
          const version = await runner.contender.version(id);
          if (version !== c.events + 1)
            throw new Error(
              `${runner.contender.name}: stream at version ${version}, expected ${c.events + 1}`,
            );
        }
        if (runner.contender.name === 'ours') oursIds = ids;
        tallies.push(tally);
      }
      const [ours, oursNoCache, castore] = tallies as [Tally, Tally, Tally];
      const projection = await measureProjection(oursStore, oursClient, oursTable, oursIds);
      rows.push({ label: c.label, ours, oursNoCache, castore, projection });
    }
    const report = capacityReport(rows);
    return [
      `${CAPACITY_STREAMS} \`AddFollowUp\` commands per store and row, one per stream, one at a time, on streams written`,
      'beforehand (not counted) by each store itself, on one in-memory DynamoDB Local; counted, not timed (run with',
      '`npm run bench -- event-store-capacity`). The stores are those of the throughput table: **ours** with the',
      "container's cache (the store wrote the stream), **ours (no cache)** reading the newest event item (Query,",
      'Limit 1, consistent), **castore** reading every event. Each stream is read back afterwards: one event per command.',
      '',
      ...report.lines,
      '',
      '**Goals** (issue 11), capacity:',
      '',
      ...report.goals,
    ].join('\n');
  } finally {
    oursClient.client.destroy();
    noCacheClient.client.destroy();
    castoreClient.client.destroy();
    await dynamo.stop();
  }
}

/**
 * What the stream projection (stream-reactor's projectHeads) costs per command, at worst (a stream batch holding
 * one event): on each sampled stream, bring the head up to date (not counted), then one command (not counted)
 * and projectHeads on a batch of its one stream record (counted: the event's time index entry, the head's
 * BatchGetItem, the conditional PutItems of the list item and the head; the event is the record's, not read again).
 */
async function measureProjection(
  store: DynamoDbEventStore,
  client: { client: DynamoDBClient; attach(tally: Tally | null): void },
  table: string,
  ids: readonly string[],
): Promise<Tally> {
  // stream-reactor's reader: the batch's heads in one BatchGetItem.
  const reader = new DynamoDbBatchHeadReader(client.client, table);
  const tally = newTally();
  for (const id of ids) {
    const streamId = incidents.streamId(id);
    await projectHead(client.client, table, reader, incidents, streamId, Number.MAX_SAFE_INTEGER);
    const { version } = await runCommand(store, incidents, id, followUp(), context());
    // The record DynamoDB Streams would hand over: the new event item as written.
    const { Item } = await client.client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: streamId }, sk: { N: String(version) } } }),
    );
    const batch = {
      Records: [{ eventName: 'INSERT' as const, dynamodb: { NewImage: Item as never, SequenceNumber: '1' } }],
    };
    client.attach(tally);
    const t0 = performance.now();
    const { batchItemFailures } = await projectHeads(client.client, table, reader, batch);
    tally.latenciesMs.push(performance.now() - t0);
    client.attach(null);
    if (batchItemFailures.length > 0) throw new Error(`projection failed on ${streamId}`);
    tally.commands++;
  }
  return tally;
}

function isJava(pid: number | undefined): boolean {
  try {
    return pid !== undefined && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'java';
  } catch {
    return false;
  }
}

interface Calibration {
  operation: string;
  opsPerSecond: [number, number];
  p50Ms: number;
}

/**
 * The raw DynamoDB operations both stores are built from, on the same DynamoDB Local, at concurrency 1 and
 * at the benchmark's concurrency: what the emulator charges for each, independent of either store.
 */
async function calibrate(client: DynamoDBClient, tableName: string): Promise<Calibration[]> {
  const item = (pk: string, sk: number, bytes: number) => ({
    pk: { S: pk },
    sk: { N: String(sk) },
    data: { S: 'x'.repeat(bytes) },
  });
  await client.send(new PutItemCommand({ TableName: tableName, Item: item('calib', 0, 3_000) }));
  for (let sk = 1; sk <= 100; sk += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [tableName]: Array.from({ length: 25 }, (_, i) => ({
            PutRequest: { Item: item('calib', sk + i, 250) },
          })),
        },
      }),
    );
  }
  const query = (to: number) =>
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': { S: 'calib' }, ':from': { N: '1' }, ':to': { N: String(to) } },
      ConsistentRead: true,
    });
  let fresh = 0;
  const operations: [string, () => Promise<unknown>][] = [
    [
      'GetItem (3 KB item, consistent)',
      () =>
        client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: 'calib' }, sk: { N: '0' } },
            ConsistentRead: true,
          }),
        ),
    ],
    ['Query of 10 items (250 B each, consistent)', () => client.send(query(10))],
    ['Query of 100 items (250 B each, consistent)', () => client.send(query(100))],
    [
      'PutItem, conditional (new key)',
      () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: item(`put-${fresh++}`, 1, 250),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
    ],
    [
      'TransactWriteItems of 2 conditional Puts (new keys)',
      () => {
        const pk = `tx-${fresh++}`;
        return client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: item(pk, 1, 250),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: item(pk, 0, 3_000),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      },
    ],
  ];
  const results: Calibration[] = [];
  for (const [operation, run] of operations) {
    const rates: number[] = [];
    let p50Ms = Number.NaN;
    for (const concurrency of [1, CONCURRENCY]) {
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = 0; i < CALIBRATION_OPS / concurrency; i++) {
            const t0 = performance.now();
            await run();
            latencies.push(performance.now() - t0);
          }
        }),
      );
      rates.push(latencies.length / ((performance.now() - started) / 1000));
      p50Ms = median(latencies);
    }
    results.push({ operation, opsPerSecond: [rates[0] ?? Number.NaN, rates[1] ?? Number.NaN], p50Ms });
  }
  return results;
}

/** "GetItem 1× 3.1 ms": calls per command and the median duration of one call, per operation. */
function callSummary(tally: Tally): string {
  return [...tally.calls.entries()]
    .map(
      ([name, durations]) =>
        `${name} ${fmt(durations.length / tally.commands, 0)}× ${fmt(median(durations), 1)} ms`,
    )
    .join(', ');
}

/** DynamoDB on-demand list prices per million request units (us-east-1, after the November 2024 cut). */
const PRICE_PER_MILLION = { read: 0.125, write: 0.625 };
/** A sector's year, as the issue sizes it: 10,000 incidents of 100 events each, one command per event. */
const YEAR_COMMANDS = 10_000 * 100;

/** One row of the capacity table: a stream length (and what its follow-ups hold), the three stores and the projection. */
interface CapacityRow {
  readonly label: string;
  readonly ours: Tally;
  readonly oursNoCache: Tally;
  readonly castore: Tally;
  readonly projection: Tally;
}

/** The capacity table, the monthly cost of a sector's year at the 100-event figures, and the capacity goals. */
function capacityReport(rows: readonly CapacityRow[]): { lines: string[]; goals: string[] } {
  const units = (t: Tally) => `${fmt(t.rcu / t.commands, 1)} / ${fmt(t.wcu / t.commands, 1)}`;
  const total = (t: Tally) => (t.rcu + t.wcu) / t.commands;
  const monthly = (reads: number, writes: number) =>
    ((YEAR_COMMANDS / 12) * (reads * PRICE_PER_MILLION.read + writes * PRICE_PER_MILLION.write)) / 1e6;
  const cost = (t: Tally, plus?: Tally) =>
    monthly(
      t.rcu / t.commands + (plus ? plus.rcu / plus.commands : 0),
      t.wcu / t.commands + (plus ? plus.wcu / plus.commands : 0),
    );
  const r100 = rows.find((r) => r.label === '100');
  const cuGoal = (withProjection: boolean) =>
    rows
      .map((r) => {
        const ours = total(r.oursNoCache) + (withProjection ? total(r.projection) : 0);
        return `${r.label}: ${fmt(ours, 1)} vs ${fmt(total(r.castore), 1)} ${ours <= total(r.castore) ? 'met' : '**missed**'}`;
      })
      .join('; ');
  return {
    lines: [
      'Capacity units per command, read / write, as DynamoDB would bill them: every call made with',
      '`ReturnConsumedCapacity: INDEXES`, table and index units added up (DynamoDB Local reports them; it counts a',
      'transactional write once where DynamoDB bills it twice, so TransactWriteItems is doubled here). "projection" is',
      `what the stream projection (stream-reactor's projectHeads) spends to follow one command, measured alone on ${PROJECTION_SAMPLES} streams per length at its`,
      "worst (a stream batch of one event): the event's entry in the audit time index (BatchWriteItem, and its copy in",
      "byTime), the head read by BatchGetItem (the batch's heads together), the event folded from the stream record (not",
      "read again), PutItem of the incident's list item and its copies in the byType and byOrg indexes, PutItem of the",
      'head and its copy in byHead. It runs off the command path, after the command answered.',
      '',
      table(
        [
          'events',
          'ours',
          'ours (no cache)',
          'castore',
          'projection',
          'no cache: total',
          'no cache + projection: total',
          'castore: total',
          'projection p50 ms',
        ],
        rows.map((r) => [
          r.label,
          units(r.ours),
          units(r.oursNoCache),
          units(r.castore),
          units(r.projection),
          fmt(total(r.oursNoCache), 1),
          fmt(total(r.oursNoCache) + total(r.projection), 1),
          fmt(total(r.castore), 1),
          fmt(median(r.projection.latenciesMs), 1),
        ]),
      ),
      '',
      r100
        ? `A sector's year (10,000 incidents of 100 events, ${fmt(YEAR_COMMANDS / 12, 0)} commands a month) on on-demand ` +
          `pricing ($${PRICE_PER_MILLION.read} per million read units, $${PRICE_PER_MILLION.write} per million write units, ` +
          'us-east-1, as in the README), at the 100-event figures: ours (no cache) ' +
          `$${fmt(cost(r100.oursNoCache), 2)} a month, with the projection $${fmt(cost(r100.oursNoCache, r100.projection), 2)}; ` +
          `castore $${fmt(cost(r100.castore), 2)}. Storage and streams are not included.`
        : '',
    ],
    goals: [
      `- Capacity units per command ≤ Castore's, command path (no cache): ${cuGoal(false)}.`,
      `- The same with the stream projection added: ${cuGoal(true)}.`,
    ],
  };
}

function render(
  results: SizeResult[],
  calibration: Calibration[],
  jvmMeasured: boolean,
  load: [number, number],
  hits: { cached: number; read: number },
): string {
  const ratio = (a: Tally, b: Tally) => perSecond(a) / perSecond(b);
  const rows = results.map((r) => [
    `${r.events} → ${r.events + r.commandsPerStream}`,
    fmt(perSecond(r.ours)),
    fmt(perSecond(r.oursNoCache)),
    fmt(perSecond(r.castore)),
    `${fmt(ratio(r.ours, r.castore), 2)}×`,
    `${fmt(ratio(r.oursNoCache, r.castore), 2)}×`,
    fmt(median(r.ours.latenciesMs), 1),
    fmt(median(r.oursNoCache.latenciesMs), 1),
    fmt(median(r.castore.latenciesMs), 1),
  ]);
  const perCommand = (t: Tally, ms: number) => fmt(ms / t.commands, 2);
  const cpu = (t: Tally) =>
    `${perCommand(t, t.nodeCpuMs)} / ${jvmMeasured ? perCommand(t, t.jvmCpuMs) : 'n/a'}`;
  const detail = results.map((r) => [
    String(r.events),
    callSummary(r.ours),
    callSummary(r.oursNoCache),
    callSummary(r.castore),
    cpu(r.ours),
    cpu(r.oursNoCache),
    cpu(r.castore),
    fmt(r.decisionJsonBytes / 1024, 1),
    fmt(r.headJsonBytes / 1024, 1),
  ]);
  const capacity = capacityReport(results.map((r) => ({ ...r, label: String(r.events) })));
  const calibrationRows = calibration.map((c) => [
    c.operation,
    fmt(c.opsPerSecond[0], 0),
    fmt(c.opsPerSecond[1], 0),
    fmt(c.p50Ms, 2),
  ]);
  const at = (n: number) => results.find((r) => r.events === n);
  const r10 = at(10);
  const r100 = at(100);
  const r1000 = at(1000);
  const commands = results[0]?.ours.commands ?? 0;
  const goal = (label: string, pick: (r: SizeResult) => Tally) => {
    const ratioAt = (r: SizeResult | undefined, min: number) => {
      const v = r ? ratio(pick(r), r.castore) : Number.NaN;
      return `${v >= min ? 'met' : 'missed'} (${fmt(v, 2)}×)`;
    };
    const flat = r10 && r1000 ? perSecond(pick(r1000)) / perSecond(pick(r10)) : Number.NaN;
    return [
      `- **${label}**: ≥ 1.0× at 10 events: **${ratioAt(r10, 1.0)}**; ≥ 1.5× at 100: **${ratioAt(r100, 1.5)}**; ` +
        `≥ 6× at 1000: **${ratioAt(r1000, 6)}**; flat (at 1000 ≥ 0.9 × at 10): **${flat >= 0.9 ? 'met' : 'missed'}** (${fmt(flat, 2)}).`,
    ];
  };
  const hitRate = hits.cached + hits.read > 0 ? hits.cached / (hits.cached + hits.read) : Number.NaN;
  return [
    `Each row: ${commands} \`AddFollowUp\` commands per store, ${CONCURRENCY} at a time: each of ${CONCURRENCY} workers`,
    'runs its commands one after another on its own streams (so no command ever conflicts). The three stores share one',
    'in-memory DynamoDB Local. "events in stream" is a stream\'s length before → after its measured commands.',
    'All streams are written first, then warmed up (not measured: ' +
      `${GLOBAL_WARMUP_S} s on short streams, then ${SIZE_WARMUP_PER_WORKER * CONCURRENCY} commands per store and length).`,
    `Then the nine cells (3 lengths × 3 stores) run in blocks of ${BLOCK} commands per worker, interleaved, forwards`,
    'and backwards in turn, so that drift and bursts of other load on the machine fall on every cell alike.',
    "cmd/s = commands / summed wall time of the cell's blocks. Every follow-up, written beforehand or measured,",
    'carries a text of its own (about 86 characters of words drawn by a seeded generator), as real ones do.',
    '',
    '- **ours**: `runCommand(store, incidents, id, AddFollowUp, ctx)` on `DynamoDbEventStore`: the decision state',
    "  from the container's cache (this store wrote the stream before), `decide`, one PutItem of the event",
    '  conditional on its version being free, carrying the new decision state.',
    `  Cache hits during the measured blocks: ${hits.cached} of ${hits.cached + hits.read} (${fmt(hitRate * 100, 1)} %).`,
    '- **ours (no cache)**: the same on a store with `decisionCacheSize: 0`, as a container that never saw the',
    '  stream: one Query of the newest event item (Limit 1, consistent) before `decide`, then the same PutItem.',
    '- **castore**: `EventStore` (@castore/core 2.4.2) with `DynamoDBSingleTableEventStorageAdapter`: `getAggregate`',
    '  (Query of every event, folded with our `evolve`), the same `decide`, then `pushEvent` of version + 1',
    "  (PutItem conditional on that version not existing). Own table with the adapter's key schema and",
    '  `initialEvents` GSI; both tables have a NEW_IMAGE stream.',
    '- Afterwards every measured stream is read back from its store: each command appended exactly one event.',
    '',
    table(
      [
        'events in stream',
        'ours cmd/s',
        'ours (no cache) cmd/s',
        'castore cmd/s',
        'ours / castore',
        'no cache / castore',
        'ours p50 ms',
        'no cache p50 ms',
        'castore p50 ms',
      ],
      rows,
    ),
    '',
    'Where the time goes: DynamoDB calls per command × median duration of one call (client side); CPU ms per',
    "command of this Node process / of the DynamoDB Local JVM (the two share the machine's cores); the size of",
    'the decision state a command reads and writes, and of the head the projection writes (the whole state,',
    'every follow-up included).',
    '',
    table(
      [
        'events',
        'ours: DynamoDB calls',
        'no cache: DynamoDB calls',
        'castore: DynamoDB calls',
        'ours CPU ms/cmd: Node / JVM',
        'no cache CPU ms/cmd',
        'castore CPU ms/cmd',
        'decision state (JSON KiB)',
        'head (JSON KiB)',
      ],
      detail,
    ),
    '',
    ...capacity.lines,
    '',
    'The raw operations on this DynamoDB Local (200 each, at concurrency 1 and 4):',
    '',
    table(
      ['operation', 'ops/s at 1', `ops/s at ${CONCURRENCY}`, `p50 ms at ${CONCURRENCY}`],
      calibrationRows,
    ),
    '',
    `Load average (1 min) of the machine: ${fmt(load[0], 1)} when the measurement started, ${fmt(load[1], 1)} when it ended.`,
    '',
    '**Goals** (issue 11), judged on both of ours:',
    '',
    ...goal('ours', (r) => r.ours),
    ...goal('ours (no cache)', (r) => r.oursNoCache),
    ...capacity.goals,
  ].join('\n');
}
