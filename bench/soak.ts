import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { IncidentState } from '../events/incident/incident.ts';
import { currentHop } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import { MAX_ATTEMPTS } from '../functions/notify/delivery-retry.ts';
import { DynamoDbEventReader } from '../functions/store/dynamodb-event-reader.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import {
  type CallbackSent,
  type CheckInput,
  type CheckReport,
  checkInvariants,
  KILL_ANSWER_LAG_MS,
  KILL_WINDOW_MS,
} from './soak-check.ts';
import { SoakStack } from './soak-stack.ts';
import { membersOf, prng, Workload } from './soak-workload.ts';
import { fmt, loadNow, machineHeader, progress, quantile, REPO_ROOT, sleep, table } from './util.ts';

// npm run soak: a bounded soak of the local stack (bench/README.md, "Soak"). `npm start` runs as a child
// process; 32 clients send a mixed workload while faults are injected on a seeded schedule; then the
// invariant checker (soak-check.ts) reads the log once the stack is idle again (or SOAK_DRAIN_SECONDS ran out).
// SOAK_SECONDS (180), SOAK_SEED (1), SOAK_CONCURRENCY (32), SOAK_DRAIN_SECONDS (900).

/** How long the callbacks fault waits for a workflow to record its wait (the reactor lags under load). */
const WAIT_FOR_WORKFLOW_MS = 120_000;

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
  /** False when the fault found nothing to act on (the summary names it; `npm run soak` then exits 1). */
  readonly injected: boolean;
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
  /**
   * How long the stack may take after the workload to work through what the run left (stream records,
   * deliveries, retries) before the checker reads the log (default 900 s). The time it took is a figure.
   */
  readonly drainSeconds?: number;
  /** Runs after the check, before the stack stops (the checker's own test tampers with the log here). */
  readonly beforeStop?: (input: CheckInput) => Promise<void>;
}

/** Everything the soak measured and found. */
export interface SoakResult {
  readonly options: Required<Omit<SoakOptions, 'faults' | 'dataDir' | 'beforeStop' | 'drainSeconds'>> & {
    dataDir: string;
    drainSeconds: number;
  };
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
  /** The stack was idle (stream read to its end, every queue empty) before the check; false: the bound ran out. */
  readonly drained: boolean;
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
  const drainSeconds = options.drainSeconds ?? 900;
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

    /** Sends one SendTaskSuccess for a recorded wait; records what the endpoint answered. */
    async function sendCallback(sent: Omit<CallbackSent, 'answer'>, output: object): Promise<string> {
      let answer = 'ok';
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken: sent.token, output: JSON.stringify(output) }));
      } catch (error) {
        answer = (error as Error).name || 'error';
      }
      callbacks.push({ ...sent, answer });
      return answer;
    }

    /** What a callback is about: the wait whose token it sends, as the stream recorded it. */
    const about = (
      kind: CallbackSent['kind'],
      workflow: CallbackSent['workflow'],
      streamId: string,
      version: number,
      wait: { attempt: number; dueAt: string; taskToken: string },
      hop?: string,
    ): Omit<CallbackSent, 'answer'> => ({
      kind,
      workflow,
      ...(hop ? { hop } : {}),
      attempt: wait.attempt,
      dueAt: wait.dueAt,
      token: wait.taskToken,
      streamId,
      version,
    });

    /** Polls `probe` (every 250 ms, at most `ms`) until it returns something. */
    async function poll<T>(ms: number, probe: () => Promise<T | null>): Promise<T | null> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = await probe();
        if (found !== null || Date.now() > deadline) return found;
        await sleep(250);
      }
    }

    /**
     * Duplicated and late Step Functions callbacks (bench/README.md, "Soak"). The workload holds one
     * incident before the secretariat's approval, so its relay waits at the secretariat's hop with a
     * recorded task token: that token is sent twice at once (one may be accepted: the workflow wakes
     * early, finds the hop pending and waits again; the other must be refused), and so is the token of
     * its reporting stages' wait. Once the secretariat approved and the hop's wait ended, its token is
     * sent again (late), and so is the stage wait's token of an incident closed more than 5 s ago.
     */
    async function injectCallbacks(at: number): Promise<FaultRecord> {
      const answers: string[] = [];
      const first = callbacks.length;
      const held = await (heldForCallbacks.shift() ?? Promise.resolve(null));
      if (!held) {
        return {
          kind: 'callbacks',
          at,
          detail: 'no incident session stopped before its approval for it: nothing sent',
          injected: false,
          facts: { sent: 0 },
        };
      }
      const streamId = `incident#${held.id}`;
      let waited = false;
      try {
        // The stream reactor starts the relay workflow: on a loaded machine, after a fault, a minute late.
        const waiting = await poll(WAIT_FOR_WORKFLOW_MS, async () => {
          const { state } = await foldIncident(held.id);
          const wait = state?.waits.secretariat;
          return state && wait && currentHop(state.status) === 'secretariat' ? { state, wait } : null;
        });
        if (!waiting) {
          answers.push(
            `relay of ${held.id} recorded no wait at the secretariat within ${WAIT_FOR_WORKFLOW_MS / 1000} s`,
          );
        } else {
          const { state, wait } = waiting;
          const sent = about('duplicate', 'relay', streamId, state.version, wait, 'secretariat');
          const output = { incidentId: held.id, hop: 'secretariat', version: state.version };
          const both = await Promise.all([sendCallback(sent, output), sendCallback(sent, output)]);
          answers.push(
            `relay wait (secretariat, attempt ${wait.attempt}) twice at once: ${both.join(' + ')}`,
          );
          waited = true;
          if (both.includes('ok')) {
            const again = await poll(60_000, async () => {
              const w = (await foldIncident(held.id)).state?.waits.secretariat;
              return w && w.taskToken !== wait.taskToken ? w : null;
            });
            answers.push(
              again
                ? `the workflow woke, found the hop pending and waited again (attempt ${again.attempt}, deadline ${again.dueAt === wait.dueAt ? 'unchanged' : `moved to ${again.dueAt}`})`
                : 'no new wait recorded within 60 s',
            );
          }
          const stage = (await foldIncident(held.id)).state;
          const stageWait = stage?.stageWait;
          if (stage && stageWait) {
            const stageSent = about('duplicate', 'stage', streamId, stage.version, stageWait);
            const output2 = { stagesOf: held.id, version: stage.version };
            const pair = await Promise.all([
              sendCallback(stageSent, output2),
              sendCallback(stageSent, output2),
            ]);
            answers.push(`stage wait (${stageWait.wait}) twice at once: ${pair.join(' + ')}`);
          }
        }
      } finally {
        held.release();
      }
      if (waited) {
        // Late: the secretariat approved, the reactor answered the hop's wait; 5 s later its token again.
        const approved = await poll(WAIT_FOR_WORKFLOW_MS, async () => {
          const { state } = await foldIncident(held.id);
          return state && state.hops.secretariat.doneAt !== null && currentHop(state.status) !== 'secretariat'
            ? state
            : null;
        });
        if (!approved) {
          answers.push(`late: the held incident was not approved within ${WAIT_FOR_WORKFLOW_MS / 1000} s`);
        } else {
          // Late means after the stream reactor has answered the hop's wait: until then the token is open
          // (a heartbeat, which changes nothing, tells), and a callback would be the first, not a late one.
          const { state } = await foldIncident(held.id);
          const wait = state?.waits.secretariat;
          if (state && wait) {
            const t = Date.now();
            const answered = await poll(WAIT_FOR_WORKFLOW_MS, async () =>
              sfn.send(new SendTaskHeartbeatCommand({ taskToken: wait.taskToken })).then(
                () => null,
                (error: Error) => error.name,
              ),
            );
            await sleep(5000);
            const answer = await sendCallback(
              about('late', 'relay', streamId, state.version, wait, 'secretariat'),
              { incidentId: held.id, hop: 'secretariat', version: state.version },
            );
            answers.push(
              `late relay callback (the secretariat's wait, ${
                answered
                  ? `answered by the reactor ${((Date.now() - t) / 1000 - 5).toFixed(0)} s after the approval was read (heartbeat: ${answered}), 5 s before`
                  : `still open ${WAIT_FOR_WORKFLOW_MS / 1000} s after the approval`
              }): ${answer}`,
            );
          }
        }
      }
      // Late, on the reporting stages: the wait of an incident closed more than 5 s ago.
      const closed = [...workload.incidents].sort(() => random() - 0.5).slice(0, 60);
      const lateStage = callbacks.length;
      for (const id of closed) {
        const { state } = await foldIncident(id);
        const wait = state?.stageWait;
        if (!state || !wait || state.closedAt === null || Date.now() - Date.parse(state.closedAt) < 5000)
          continue;
        const answer = await sendCallback(about('late', 'stage', `incident#${id}`, state.version, wait), {
          stagesOf: id,
          version: state.version,
        });
        answers.push(
          `late stage callback (incident closed ${((Date.now() - Date.parse(state.closedAt)) / 1000).toFixed(0)} s before): ${answer}`,
        );
        break;
      }
      if (callbacks.length === lateStage)
        answers.push('no late stage callback: no incident closed 5 s before with a recorded stage wait');
      const sent = callbacks.slice(first);
      const duplicates = sent.filter((c) => c.kind === 'duplicate').length;
      const late = sent.filter((c) => c.kind === 'late').length;
      return {
        kind: 'callbacks',
        at,
        detail: answers.join('; '),
        // Both halves of the fault, or it is reported as not injected.
        injected: duplicates > 0 && late > 0,
        facts: { sent: sent.length, duplicates, late, answers },
      };
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
          if (pid === undefined) return { kind, at, detail: 'no JVM pid', injected: false, facts: {} };
          dynamoKills.push(Date.now());
          process.kill(pid, 'SIGKILL');
          await sleep(3000);
          const restarted = (await stack.request({ op: 'restart-dynamodb' })) as { pid?: number; ms: number };
          stack.dynamoPid = restarted.pid;
          return {
            kind,
            at,
            detail: `JVM ${pid} SIGKILLed, down 3 s, restarted in ${(restarted.ms / 1000).toFixed(1)} s`,
            injected: true,
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
            injected: true,
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
            injected: true,
            facts: { seconds: outageSeconds },
          };
        }
        case 'callbacks':
          return injectCallbacks(at);
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
            injected: true,
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
    // Each callbacks fault gets an incident held before its approval from the start of the run: its relay
    // workflow, started by the stream reactor (a minute or two late on a loaded machine after a fault), has
    // until the fault to record its wait at the secretariat's hop.
    const lastFaultMs = Math.max(0, ...schedule.map((f) => f.at * 1000));
    const heldForCallbacks = schedule
      .filter((f) => f.kind === 'callbacks')
      .map(() => workload.hold(lastFaultMs + 60_000, lastFaultMs + 600_000));
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
            injected: false,
            facts: {},
          });
          progress(`soak: ${planned.kind} failed: ${(error as Error).message}`);
        }
      }
      // A hold no fault took (one failed before it) must not keep its session waiting.
      for (const held of heldForCallbacks) void held.then((h) => h?.release());
      workload.holdOpen = false;
    })();
    await Promise.all([workload.run(concurrency), faultRunner]);
    const workloadSeconds = (Date.now() - t0) / 1000;
    progress(
      `soak: workload done after ${workloadSeconds.toFixed(0)} s, ${workload.figures.requests} requests`,
    );

    // Let the stack finish what the run caused: reactions, deliveries (retries wait out their visibility
    // timeout). Idle means the stream poller read its stream to the end and every queue is empty; the
    // invariants are about the state the log leads to, so they are checked once the stack got there (or
    // the bound ran out, which the report says).
    const q0 = Date.now();
    let queuesAtEnd: Record<string, number> = {};
    let drained = false;
    for (;;) {
      const settled = await stack.request({ op: 'settle' }, 60_000).then(
        () => true,
        (error: Error) => {
          progress(`soak: ${error.message}`);
          return false;
        },
      );
      queuesAtEnd = (await stack.request({ op: 'queue-counts' })) as Record<string, number>;
      const waiting = Object.entries(queuesAtEnd).filter(([name, n]) => !name.endsWith('-dlq') && n > 0);
      if (settled && waiting.length === 0) {
        drained = true;
        break;
      }
      if (Date.now() - q0 > drainSeconds * 1000) break;
      progress(
        `soak: ${((Date.now() - q0) / 1000).toFixed(0)} s after the workload: ` +
          `${settled ? 'stream read to its end' : 'stream still being read'}, ` +
          `${waiting.map(([q, n]) => `${q} ${n}`).join(', ') || 'queues empty'}`,
      );
      await sleep(1000);
    }
    const quietAfterSeconds = (Date.now() - q0) / 1000;
    progress(
      drained
        ? `soak: idle ${quietAfterSeconds.toFixed(0)} s after the workload; checking invariants`
        : `soak: NOT idle after ${quietAfterSeconds.toFixed(0)} s (the bound); checking invariants anyway`,
    );

    const checkInput: CheckInput = {
      url: stack.url,
      port,
      dataDir,
      dynamoEndpoint: endpoints.dynamodb,
      tableName: endpoints.tableName,
      log: workload.log,
      callbacks,
      dynamoKills,
      timeScale,
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
    progress(
      `soak: ${check.violations.length} violation(s), ${transient} seen once and gone; ${notInjected({ faults }).length} fault(s) not injected`,
    );
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
        drainSeconds,
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
      drained,
      check,
      transient,
    };
  } catch (error) {
    // The child must not outlive a failed run (a SIGTERM stops it and its JVM).
    await stack.stop();
    throw error;
  }
}

/** The callbacks sent, counted by kind, workflow and answer: `duplicate relay: ok 1, TaskTimedOut 1`. */
export function callbackSummary(callbacks: readonly CallbackSent[]): string {
  const by = new Map<string, Map<string, number>>();
  for (const c of callbacks) {
    const kind = `${c.kind} ${c.workflow}`;
    const answers = by.get(kind) ?? new Map<string, number>();
    answers.set(c.answer, (answers.get(c.answer) ?? 0) + 1);
    by.set(kind, answers);
  }
  return (
    [...by]
      .map(([kind, answers]) => `${kind}: ${[...answers].map(([a, n]) => `${a} ${n}`).join(', ')}`)
      .join('; ') || 'none'
  );
}

/** The scheduled faults that found nothing to act on (or failed): a soak with any proves less than it says. */
export const notInjected = (r: Pick<SoakResult, 'faults'>): FaultRecord[] =>
  r.faults.filter((f) => !f.injected);

/** The RESULTS.md section of a soak. */
export function soakSection(r: SoakResult): string {
  const faultRows = FAULT_KINDS.map((kind) => {
    const of = r.faults.filter((f) => f.kind === kind);
    return [
      kind,
      `${of.filter((f) => f.injected).length} of ${of.length}`,
      of.map((f) => `${f.at} s: ${f.injected ? '' : '**NOT INJECTED**: '}${f.detail}`).join('<br>') || '-',
    ];
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
  const idle = notInjected(r);
  const d = c.deliveries;
  return [
    `## ${SOAK_TITLE}`,
    '',
    'Written by `npm run soak` (bench/soak.ts; see bench/README.md, "Soak"): `npm start` as a child process, ' +
      `${r.options.concurrency} clients in flight, faults on a seeded schedule, then the invariant checker.`,
    '',
    machineHeader(r.startedAt, r.load),
    `- SOAK_SECONDS=${r.options.seconds}, SOAK_SEED=${r.options.seed}, CEPTOAR_TIME_SCALE=${r.options.timeScale}; ` +
      `the workload ran ${r.workloadSeconds.toFixed(0)} s (requests in progress finish after the deadline), ` +
      `the stack's first start took ${(r.stackStartMs / 1000).toFixed(1)} s, and ` +
      (r.drained
        ? `it worked through the backlog the run left (stream read to its end, queues empty) ` +
          `${r.quietAfterSeconds.toFixed(0)} s after the workload, before the check.`
        : `**it had not worked through the backlog the run left ${r.quietAfterSeconds.toFixed(0)} s after ` +
          `the workload** (SOAK_DRAIN_SECONDS=${r.options.drainSeconds}): the check read the log anyway, so ` +
          `heads still behind their streams and deliveries not yet made count as violations below.`),
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
        ['faults injected', String(r.faults.filter((f) => f.injected).length)],
        [
          '**scheduled faults that injected nothing** (or only part: a callbacks fault needs a duplicate and a late one)',
          `**${idle.length}**${idle.length > 0 ? `: ${idle.map((f) => `${f.kind} at ${f.at} s`).join(', ')}` : ''}`,
        ],
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
          `commands answered 2xx whose event a SIGKILL of DynamoDB Local undid (answered ${KILL_WINDOW_MS / 1000} s before it or ${KILL_ANSWER_LAG_MS / 1000} s after; not counted above)`,
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
          'every message the events call for (incidents, advisory chains, recipients) is recorded as delivered or as failed',
          `${fmt(d.promised, 0)} messages: ${fmt(d.delivered, 0)} delivered at once, ${fmt(d.failedThenDelivered, 0)} failed then delivered, ${fmt(d.givenUp, 0)} given up after ${MAX_ATTEMPTS} attempts, ${fmt(d.refused, 0)} refused for good`,
          String(v.filter((x) => x.invariant === 'delivery').length),
        ],
        [
          `every failed attempt recorded and retried as the policy says (attempts 1..${MAX_ATTEMPTS - 1}, each once, before the outcome, none before its backoff; given up only after ${MAX_ATTEMPTS})`,
          `${fmt(d.attemptsFailed, 0)} failed attempts recorded`,
          String(v.filter((x) => x.invariant === 'delivery-retry').length),
        ],
        [
          'a task token is accepted at most once; a duplicate or late callback changes nothing (no event for an ended wait, no deadline moved, no wait recorded twice)',
          `${r.callbacks.length} callbacks: ${callbackSummary(r.callbacks)}`,
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
  const drainSeconds = Number(process.env.SOAK_DRAIN_SECONDS ?? 900);
  if (
    !(seconds > 0 && seconds <= 3600) ||
    !Number.isInteger(seed) ||
    !(concurrency >= 1 && concurrency <= 256) ||
    !(drainSeconds >= 0 && drainSeconds <= 7200)
  ) {
    console.error(
      'SOAK_SECONDS must be 1..3600, SOAK_SEED an integer, SOAK_CONCURRENCY 1..256, SOAK_DRAIN_SECONDS 0..7200',
    );
    process.exit(2);
  }
  const result = await runSoak({ seconds, seed, concurrency, drainSeconds });
  const section = soakSection(result);
  const file = new URL('./RESULTS.md', import.meta.url);
  writeFileSync(file, withSoakSection(readFileSync(file, 'utf8'), section));
  process.stdout.write(`${section}\n`);
  progress(`soak: wrote bench/RESULTS.md; data folder ${result.options.dataDir}`);
  const idle = notInjected(result);
  for (const f of idle) progress(`soak: FAULT NOT INJECTED: ${f.kind} at ${f.at} s: ${f.detail}`);
  process.exit(result.check.violations.length > 0 || idle.length > 0 ? 1 : 0);
}
