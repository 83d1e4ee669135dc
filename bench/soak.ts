import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { IncidentState } from '../events/incident/incident.ts';
import { currentHop } from '../events/incident/incident.ts';
import { replayStream } from '../functions/commons/audit-replay.ts';
import { DynamoDbEventReader } from '../functions/commons/dynamodb-event-reader.ts';
import type { StoredEvent } from '../functions/commons/event-store.ts';
import { incidents } from '../functions/commons/incidents.ts';
import {
  type CallbackSent,
  type CheckInput,
  type CheckReport,
  checkInvariants,
  KILL_WINDOW_MS,
} from './soak-check.ts';
import { SoakStack } from './soak-stack.ts';
import { membersOf, prng, Workload } from './soak-workload.ts';
import { fmt, loadNow, machineHeader, progress, quantile, REPO_ROOT, sleep, table } from './util.ts';

// npm run soak: a bounded soak of the local stack (bench/README.md, "Soak"). `npm start` runs as a child
// process; 32 clients send a mixed workload while faults are injected on a seeded schedule; then the
// invariant checker (soak-check.ts) reads the log. SOAK_SECONDS (180), SOAK_SEED (1), SOAK_CONCURRENCY (32).

/** The kinds of fault the schedule injects. */
export const FAULT_KINDS = [
  'dynamodb-kill',
  'stream-poller-crash',
  'deliveries-outage',
  'callbacks',
  'stack-kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One injected fault and what it did. */
export interface FaultRecord {
  readonly kind: FaultKind;
  /** Seconds since the workload started. */
  readonly at: number;
  readonly detail: string;
  /** The stack's own figures for it (restart time, mid-batch, orphan JVM, callback answers). */
  readonly facts: Record<string, unknown>;
}

/** Options of {@link runSoak}. */
export interface SoakOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly concurrency?: number;
  /** Which faults, how many of each (default: scaled to `seconds`, every kind at least once). */
  readonly faults?: Partial<Record<FaultKind, number>>;
  /** How long a delivery outage lasts (default 15 s). */
  readonly outageSeconds?: number;
  /** CEPTOAR_TIME_SCALE of the stack (default 360: a 1-hour deadline passes in 10 s). */
  readonly timeScale?: number;
  readonly dataDir?: string;
  /** Runs after the check, before the stack stops (the checker's own test tampers with the log here). */
  readonly beforeStop?: (input: CheckInput) => Promise<void>;
}

/** Everything the soak measured and found. */
export interface SoakResult {
  readonly options: Required<Omit<SoakOptions, 'faults' | 'dataDir' | 'beforeStop'>> & { dataDir: string };
  readonly startedAt: Date;
  readonly load: { start: number[]; end: number[] };
  readonly stackStartMs: number;
  readonly workloadSeconds: number;
  readonly requests: number;
  readonly byKind: Record<string, { requests: number; ok: number }>;
  readonly byStatus: Record<string, number>;
  readonly attempts: number;
  readonly latency: { p50: number; p99: number; max: number };
  readonly gaveUp: number;
  readonly faults: FaultRecord[];
  readonly callbacks: CallbackSent[];
  readonly deliveryRetries: number;
  readonly queuesAtEnd: Record<string, number>;
  readonly quietAfterSeconds: number;
  readonly check: CheckReport;
  /** Violations the first pass found that a later pass, once the stack was quieter, no longer did. */
  readonly transient: number;
}

const defaultFaults = (seconds: number): Record<FaultKind, number> => ({
  'dynamodb-kill': Math.max(1, Math.round(seconds / 90)),
  'stream-poller-crash': Math.max(1, Math.round(seconds / 60)),
  'deliveries-outage': Math.max(1, Math.round(seconds / 120)),
  callbacks: Math.max(1, Math.round(seconds / 45)),
  'stack-kill': Math.max(1, Math.round(seconds / 120)),
});

/** The schedule: every fault at a seeded moment between 10 % and 75 % of the run, in time order. */
export function faultSchedule(
  seconds: number,
  seed: number,
  counts: Partial<Record<FaultKind, number>>,
): { kind: FaultKind; at: number }[] {
  const random = prng(seed ^ 0x5eed);
  const schedule: { kind: FaultKind; at: number }[] = [];
  for (const kind of FAULT_KINDS) {
    for (let i = 0; i < (counts[kind] ?? 0); i++) {
      schedule.push({ kind, at: seconds * (0.1 + 0.65 * random()) });
    }
  }
  return schedule.sort((a, b) => a.at - b.at);
}

/** Runs one soak and checks it; the stack is stopped at the end. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const concurrency = options.concurrency ?? 32;
  const timeScale = options.timeScale ?? 360;
  const outageSeconds = options.outageSeconds ?? 15;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ceptoar-soak-'));
  const startedAt = new Date();
  const loadStart = loadNow();
  const stack = await SoakStack.create(dataDir, {
    CEPTOAR_TIME_SCALE: String(timeScale),
    // Checkpoints during the run, so that the verifier anchors streams in a signed one.
    CEPTOAR_CHECKPOINT_SECONDS: String(Math.max(10, Math.round(options.seconds / 4))),
  });
  try {
    const stackStartMs = await stack.start();
    progress(`soak: stack up in ${(stackStartMs / 1000).toFixed(1)} s (data ${dataDir})`);
    const endpoints = stack.endpoints();
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamo = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: 'ap-northeast-1',
      credentials,
    });
    const sfn = new SFNClient({
      endpoint: endpoints.stepFunctions,
      region: 'ap-northeast-1',
      credentials,
      maxAttempts: 1,
    });
    const reader = new DynamoDbEventReader(dynamo, endpoints.tableName);
    const port = Number(new URL(stack.url).port);

    const t0 = Date.now();
    const until = t0 + options.seconds * 1000;
    const workload = new Workload({
      url: stack.url,
      dataDir,
      seed: options.seed,
      members: membersOf(join(REPO_ROOT, 'config', 'directory.json')),
      logFile: join(dataDir, 'soak-requests.ndjson'),
      until,
      hardStop: until + 300_000,
      retryForMs: 150_000,
      maxRequests: Math.max(1000, options.seconds * 400),
    });
    const schedule = faultSchedule(
      options.seconds,
      options.seed,
      options.faults ?? defaultFaults(options.seconds),
    );
    const faults: FaultRecord[] = [];
    const callbacks: CallbackSent[] = [];
    const random = prng(options.seed ^ 0xca11);
    const since = () => Number(((Date.now() - t0) / 1000).toFixed(1));

    async function sendCallback(kind: CallbackSent['kind'], token: string, streamId: string, output: object) {
      let answer = 'ok';
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      } catch (error) {
        answer = (error as Error).name || 'error';
      }
      callbacks.push({ kind, token, streamId, answer });
      return answer;
    }

    async function foldIncident(id: string): Promise<{ state: IncidentState | null; events: StoredEvent[] }> {
      const events: StoredEvent[] = [];
      for await (const e of reader.readEvents(`incident#${id}`)) events.push(e);
      const replay = await replayStream(`incident#${id}`, events, incidents, null);
      return { state: replay.state as IncidentState | null, events };
    }

    /** When DynamoDB Local's JVM was SIGKILLed: the checker names writes a kill may have undone. */
    const dynamoKills: number[] = [];
    async function inject(kind: FaultKind): Promise<FaultRecord> {
      const at = since();
      switch (kind) {
        case 'dynamodb-kill': {
          const status = (await stack.request({ op: 'status' })) as { dynamoPid?: number };
          const pid = status.dynamoPid;
          if (pid === undefined) return { kind, at, detail: 'no JVM pid', facts: {} };
          dynamoKills.push(Date.now());
          process.kill(pid, 'SIGKILL');
          await sleep(3000);
          const restarted = (await stack.request({ op: 'restart-dynamodb' })) as { pid?: number; ms: number };
          stack.dynamoPid = restarted.pid;
          return {
            kind,
            at,
            detail: `JVM ${pid} SIGKILLed, down 3 s, restarted in ${(restarted.ms / 1000).toFixed(1)} s`,
            facts: { restartMs: restarted.ms },
          };
        }
        case 'stream-poller-crash': {
          const out = (await stack.request({ op: 'crash-stream-poller', waitForBatchMs: 5000 })) as {
            midBatch: boolean;
            records: number;
          };
          return {
            kind,
            at,
            detail: out.midBatch
              ? `crashed with ${out.records} record(s) in the handler`
              : 'crashed between batches',
            facts: out,
          };
        }
        case 'deliveries-outage': {
          await stack.request({ op: 'refuse-deliveries', on: true });
          await sleep(outageSeconds * 1000);
          await stack.request({ op: 'refuse-deliveries', on: false });
          return {
            kind,
            at,
            detail: `SNS and SES answered 503 for ${outageSeconds} s`,
            facts: { seconds: outageSeconds },
          };
        }
        case 'callbacks': {
          // A duplicate: the task token of a wait still open, sent twice at once (as a redelivered stream
          // record would). A late one: the token of a wait whose hop has ended.
          const answers: string[] = [];
          const candidates = [...workload.incidents].sort(() => random() - 0.5).slice(0, 40);
          let duplicate = false;
          let late = false;
          for (const id of candidates) {
            if (duplicate && late) break;
            const { state } = await foldIncident(id);
            if (!state) continue;
            const hop = currentHop(state.status);
            const open = hop ? state.waits[hop] : undefined;
            if (!duplicate && hop && open) {
              const output = { incidentId: id, hop, version: state.version };
              const both = await Promise.all([
                sendCallback('duplicate', open.taskToken, `incident#${id}`, output),
                sendCallback('duplicate', open.taskToken, `incident#${id}`, output),
              ]);
              answers.push(`duplicate: ${both.join(' + ')}`);
              duplicate = true;
              continue;
            }
            const ended = Object.entries(state.waits).find(
              ([h, w]) =>
                h !== hop &&
                w &&
                state.hops[h as keyof typeof state.hops].doneAt !== null &&
                Date.now() - Date.parse(state.hops[h as keyof typeof state.hops].doneAt ?? '') > 5000,
            );
            if (!late && ended?.[1]) {
              const answer = await sendCallback('late', ended[1].taskToken, `incident#${id}`, {
                incidentId: id,
                hop: ended[0],
                version: state.version,
              });
              answers.push(`late: ${answer}`);
              late = true;
            }
          }
          return { kind, at, detail: answers.join('; ') || 'no incident waiting yet', facts: { answers } };
        }
        case 'stack-kill': {
          const pid = stack.pid;
          // The JVM goes down with the stack (or is killed after it): either way within the window.
          dynamoKills.push(Date.now());
          const killed = await stack.kill();
          const restartMs = await stack.start(300_000); // a loaded machine (load 17) took over 120 s
          return {
            kind,
            at,
            detail:
              `npm start (pid ${pid}) SIGKILLed; DynamoDB Local's JVM gone after ${(killed.jvmGoneMs / 1000).toFixed(1)} s` +
              `${killed.orphanJvm ? ' (ORPHAN: killed by the soak)' : ''}; back in ${(restartMs / 1000).toFixed(1)} s`,
            facts: { orphanJvm: killed.orphanJvm, jvmGoneMs: killed.jvmGoneMs, restartMs },
          };
        }
        default: {
          const _never: never = kind;
          return _never;
        }
      }
    }

    // The load goes on until the last scheduled fault is over (a restart can outlast the run's end).
    workload.holdOpen = true;
    const faultRunner = (async () => {
      for (const planned of schedule) {
        const wait = t0 + planned.at * 1000 - Date.now();
        if (wait > 0) await sleep(wait);
        progress(`soak: ${since()} s: injecting ${planned.kind}`);
        try {
          const record = await inject(planned.kind);
          faults.push(record);
          progress(`soak: ${planned.kind}: ${record.detail}`);
        } catch (error) {
          faults.push({
            kind: planned.kind,
            at: since(),
            detail: `FAILED: ${(error as Error).message.split('\n')[0]}`, // the first line: a failed start carries the stack output
            facts: {},
          });
          progress(`soak: ${planned.kind} failed: ${(error as Error).message}`);
        }
      }
      workload.holdOpen = false;
    })();
    await Promise.all([workload.run(concurrency), faultRunner]);
    const workloadSeconds = (Date.now() - t0) / 1000;
    progress(
      `soak: workload done after ${workloadSeconds.toFixed(0)} s, ${workload.figures.requests} requests`,
    );

    // Let the stack finish what the run caused: reactions, deliveries (retries wait out their visibility timeout).
    const q0 = Date.now();
    let queuesAtEnd: Record<string, number> = {};
    for (;;) {
      await stack
        .request({ op: 'settle' }, 60_000)
        .catch((error: Error) => progress(`soak: ${error.message}`));
      queuesAtEnd = (await stack.request({ op: 'queue-counts' })) as Record<string, number>;
      const waiting = Object.entries(queuesAtEnd).filter(([name, n]) => !name.endsWith('-dlq') && n > 0);
      if (waiting.length === 0 || Date.now() - q0 > 120_000) break;
      await sleep(1000);
    }
    const quietAfterSeconds = (Date.now() - q0) / 1000;
    progress(`soak: quiet after ${quietAfterSeconds.toFixed(0)} s; checking invariants`);

    const checkInput: CheckInput = {
      url: stack.url,
      port,
      dataDir,
      dynamoEndpoint: endpoints.dynamodb,
      tableName: endpoints.tableName,
      log: workload.log,
      callbacks,
      dynamoKills,
    };
    // Relays still waiting go on escalating while the checker reads: a stream that moved between two reads
    // looks inconsistent once. Such findings are checked again after a settle; what remains is reported.
    let check = await checkInvariants(checkInput);
    let transient = 0;
    for (let pass = 0; pass < 2 && check.violations.length > 0; pass++) {
      const before = check.violations.length;
      await stack
        .request({ op: 'settle' }, 60_000)
        .catch((error: Error) => progress(`soak: ${error.message}`));
      await sleep(2000);
      check = await checkInvariants(checkInput);
      transient += Math.max(0, before - check.violations.length);
    }
    try {
      await options.beforeStop?.(checkInput);
    } finally {
      await stack.stop();
    }
    dynamo.destroy();
    sfn.destroy();

    const byKind: Record<string, { requests: number; ok: number }> = {};
    for (const entry of workload.log) {
      const k = byKind[entry.kind] ?? { requests: 0, ok: 0 };
      byKind[entry.kind] = k;
      k.requests++;
      if (entry.status >= 200 && entry.status < 300) k.ok++;
    }
    const latencies = workload.figures.latencies;
    return {
      options: {
        seconds: options.seconds,
        seed: options.seed,
        concurrency,
        outageSeconds,
        timeScale,
        dataDir,
      },
      startedAt,
      load: { start: loadStart, end: loadNow() },
      stackStartMs,
      workloadSeconds,
      requests: workload.figures.requests,
      byKind,
      byStatus: workload.figures.byStatus,
      attempts: Object.values(workload.figures.byStatus).reduce((a, b) => a + b, 0),
      latency: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: quantile(latencies, 1) },
      gaveUp: workload.figures.gaveUp,
      faults,
      callbacks,
      deliveryRetries: stack.deliveryRetries,
      queuesAtEnd,
      quietAfterSeconds,
      check,
      transient,
    };
  } catch (error) {
    // The child must not outlive a failed run (a SIGTERM stops it and its JVM).
    await stack.stop();
    throw error;
  }
}

/** The RESULTS.md section of a soak. */
export function soakSection(r: SoakResult): string {
  const faultRows = FAULT_KINDS.map((kind) => {
    const of = r.faults.filter((f) => f.kind === kind);
    return [kind, String(of.length), of.map((f) => `${f.at} s: ${f.detail}`).join('<br>') || '-'];
  });
  const statusRows = Object.entries(r.byStatus)
    .filter(([s]) => !/^2\d\d$/.test(s))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => [s, String(n)]);
  const ok = Object.entries(r.byStatus)
    .filter(([s]) => /^2\d\d$/.test(s))
    .reduce((a, [, n]) => a + n, 0);
  const c = r.check;
  const v = c.violations;
  return [
    `## ${SOAK_TITLE}`,
    '',
    'Written by `npm run soak` (bench/soak.ts; see bench/README.md, "Soak"): `npm start` as a child process, ' +
      `${r.options.concurrency} clients in flight, faults on a seeded schedule, then the invariant checker.`,
    '',
    machineHeader(r.startedAt, r.load),
    `- SOAK_SECONDS=${r.options.seconds}, SOAK_SEED=${r.options.seed}, CEPTOAR_TIME_SCALE=${r.options.timeScale}; ` +
      `the workload ran ${r.workloadSeconds.toFixed(0)} s (requests in progress finish after the deadline), ` +
      `the stack's first start took ${(r.stackStartMs / 1000).toFixed(1)} s, and the backlog after the run ` +
      `${r.quietAfterSeconds.toFixed(0)} s.`,
    '',
    table(
      ['measure', 'value'],
      [
        ['requests (logical, each retried with its Idempotency-Key until answered)', fmt(r.requests, 0)],
        ['HTTP attempts', `${fmt(r.attempts, 0)} (${fmt(ok, 0)} answered 2xx)`],
        [
          'latency of answered attempts, p50 / p99 / max',
          `${fmt(r.latency.p50)} / ${fmt(r.latency.p99)} / ${fmt(r.latency.max)} ms`,
        ],
        ['requests given up (no answer within 150 s of retries)', String(r.gaveUp)],
        ['faults injected', String(r.faults.length)],
        ["deliveries refused and left to the queue to retry (the stack's log)", String(r.deliveryRetries)],
        [
          'messages left in the queues at the end (dead-letter queues included)',
          Object.entries(r.queuesAtEnd)
            .map(([q, n]) => `${q} ${n}`)
            .join(', '),
        ],
        [
          '**invariant violations**',
          `**${v.length}**${r.transient > 0 ? ` (and ${r.transient} seen once while the stack still moved, gone on a re-check)` : ''}`,
        ],
        [
          `commands answered 2xx whose event a SIGKILL of DynamoDB Local within ${KILL_WINDOW_MS / 1000} s undid (not counted above)`,
          c.lostInKill.length === 0 ? '0' : `${c.lostInKill.length}: ${c.lostInKill.join('; ')}`,
        ],
      ],
    ),
    '',
    'Commands per kind (answered 2xx / sent):',
    '',
    table(
      ['command', 'sent', '2xx'],
      Object.entries(r.byKind).map(([k, n]) => [k, String(n.requests), String(n.ok)]),
    ),
    '',
    'Faults by kind:',
    '',
    table(['fault', 'injected', 'what happened'], faultRows),
    '',
    'Errors seen by clients, per HTTP attempt (`network`: refused, reset or timed out while the stack or DynamoDB Local was down):',
    '',
    statusRows.length > 0 ? table(['status', 'attempts'], statusRows) : 'none',
    '',
    'The invariant checker (bench/soak-check.ts):',
    '',
    table(
      ['invariant', 'checked', 'violations'],
      [
        [
          'every command answered 2xx has its event exactly once (by id/version, title or text), none for a refused one',
          `${c.commandsChecked} commands`,
          String(v.filter((x) => x.invariant === 'exactly-once' || x.invariant === 'refused-wrote').length),
        ],
        [
          'no stream has a gap or a duplicate version; the head is at the last event',
          `${c.streams} streams, ${c.events} events`,
          String(v.filter((x) => x.invariant === 'stream-versions').length),
        ],
        [
          'every hash chain verifies (audit/verify-run.ts verifyLive, against the latest signed checkpoint)',
          `${c.chain.streams} streams, ${c.chain.events} events, ${c.chain.anchored} anchored`,
          String(v.filter((x) => x.invariant === 'hash-chain').length),
        ],
        [
          'each head = the fold of its events; each incident and advisory view = the fold',
          `${c.streams} heads, ${c.viewsRead} views`,
          String(v.filter((x) => x.invariant === 'fold-vs-head' || x.invariant === 'fold-vs-view').length),
        ],
        [
          'every message the events call for is recorded as delivered or as failed',
          `${c.deliveries.promised} incident messages; ${c.deliveries.delivered} delivered, ${c.deliveries.failedRecorded} failed (recorded)`,
          String(v.filter((x) => x.invariant === 'delivery').length),
        ],
        [
          'a task token is accepted at most once (duplicate and late callbacks)',
          `${r.callbacks.length} callbacks: ${r.callbacks.map((x) => `${x.kind} ${x.answer}`).join(', ') || 'none'}`,
          String(v.filter((x) => x.invariant === 'callback').length),
        ],
      ],
    ),
    ...(v.length > 0
      ? [
          '',
          'Violations:',
          '',
          ...v.slice(0, 50).map((x) => `- ${x.invariant} ${x.streamId ?? ''}: ${x.detail}`),
        ]
      : []),
  ].join('\n');
}

/** The heading of the soak's section in bench/RESULTS.md (bench/run.ts keeps it when it rewrites the file). */
export const SOAK_TITLE = '8. Soak: mixed load with injected faults';

/** Replaces (or appends) the soak's section of RESULTS.md, keeping every other section as it is. */
export function withSoakSection(results: string, section: string): string {
  const start = results.indexOf(`## ${SOAK_TITLE}`);
  if (start < 0) return `${results.trimEnd()}\n\n${section}\n`;
  const next = results.indexOf('\n## ', start + 3);
  return `${results.slice(0, start)}${section}\n${next < 0 ? '' : results.slice(next)}`;
}

/** The soak's section of an existing RESULTS.md, or null (bench/run.ts carries it over). */
export function soakSectionOf(results: string): string | null {
  const start = results.indexOf(`## ${SOAK_TITLE}`);
  if (start < 0) return null;
  const next = results.indexOf('\n## ', start + 3);
  return results.slice(start, next < 0 ? undefined : next).trimEnd();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const seconds = Number(process.env.SOAK_SECONDS ?? 180);
  const seed = Number(process.env.SOAK_SEED ?? 1);
  const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 32);
  if (
    !(seconds > 0 && seconds <= 3600) ||
    !Number.isInteger(seed) ||
    !(concurrency >= 1 && concurrency <= 256)
  ) {
    console.error('SOAK_SECONDS must be 1..3600, SOAK_SEED an integer, SOAK_CONCURRENCY 1..256');
    process.exit(2);
  }
  const result = await runSoak({ seconds, seed, concurrency });
  const section = soakSection(result);
  const file = new URL('./RESULTS.md', import.meta.url);
  writeFileSync(file, withSoakSection(readFileSync(file, 'utf8'), section));
  process.stdout.write(`${section}\n`);
  progress(`soak: wrote bench/RESULTS.md; data folder ${result.options.dataDir}`);
  process.exit(result.check.violations.length > 0 ? 1 : 0);
}
