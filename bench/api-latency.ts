import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Call, call, fmt, pool, progress, quantile, REPO_ROOT, table, token } from './util.ts';

/** Incidents driven through the whole relay, one request per incident per phase. */
const INCIDENTS = 300;
const CONCURRENCY = 8;
/** Incidents driven through every phase first, not measured (handler modules load, JITs warm up). */
const WARMUP_INCIDENTS = 16;
const ORG = 'asahi-petrochem';
/** How long to wait for the local stack to start, and for it to settle between phases. */
const START_TIMEOUT_MS = 180_000;
const SETTLE_TIMEOUT_MS = 180_000;

/** The local stack in a child process (bench/local-stack-child.ts), driven over its stdin/stdout. */
class StackProcess {
  private readonly waiters: ((message: Record<string, unknown>) => void)[] = [];
  private stderrTail = '';
  warnings = 0;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    createInterface({ input: child.stdout ?? process.stdin }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // not ours: a stray console.log of the stack
      }
      this.waiters.shift()?.(message);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.warnings += text.split('\n').filter((l) => l.startsWith('[local]')).length;
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    child.once('exit', () => {
      this.exited = true;
    });
  }

  static async start(): Promise<{ stack: StackProcess; url: string; canSettle: boolean }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-stack-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bench/local-stack-child.ts'), dataDir],
      {
        cwd: REPO_ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    const stack = new StackProcess(child, dataDir);
    const ready = await stack.next(START_TIMEOUT_MS, 'start');
    if (typeof ready.url !== 'string') throw new Error(`local stack answered ${JSON.stringify(ready)}`);
    return { stack, url: ready.url, canSettle: ready.canSettle === true };
  }

  private next(timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`local stack: no answer to ${what} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onExit = () => {
        clearTimeout(timer);
        reject(new Error(`local stack exited during ${what}. Its stderr ends with:\n${this.stderrTail}`));
      };
      if (this.exited) return onExit();
      this.child.once('exit', onExit);
      this.waiters.push((message) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(message);
      });
    });
  }

  /** Waits until the stack has reacted to every event so far; false when it took too long. */
  async settle(): Promise<boolean> {
    this.child.stdin?.write('settle\n');
    try {
      await this.next(SETTLE_TIMEOUT_MS, 'settle');
      return true;
    } catch (error) {
      if (this.exited) throw error;
      return false;
    }
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.stdin?.end('stop\n');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

interface PhaseResult {
  label: string;
  latenciesMs: number[];
  statuses: Map<number, number>;
  seconds: number;
  load: [number, number];
  /** Whether the stack went idle after the phase (null: it cannot tell), and how long that took. */
  settled: boolean | null;
  settleSeconds: number;
}

function reportBody(n: number) {
  const now = Date.now();
  return {
    title: `Bench incident ${n}: ransomware on a plant historian`,
    description: 'Files on the historian server were encrypted; the DCS network segment is isolated.',
    category: 'cyber_attack',
    severity: 'high',
    occurredAt: new Date(now - 3_600_000).toISOString(),
    detectedAt: new Date(now - 3_000_000).toISOString(),
    affectedSystems: ['business_it', 'plant_control'],
    tlp: 'AMBER',
    contact: { name: '山田 太郎', email: 'yamada@asahi-petrochem.ceptoar.example', phone: '+81312345678' },
  };
}

interface PhaseOutput {
  result: Omit<PhaseResult, 'settled' | 'settleSeconds'>;
  bodies: { status: number; body: unknown }[];
}

/** Runs one request per item at a fixed concurrency; returns the latencies and the status codes. */
async function phase<T>(
  label: string,
  url: string,
  items: readonly T[],
  request: (item: T, index: number) => Call,
): Promise<PhaseOutput> {
  const latenciesMs: number[] = [];
  const statuses = new Map<number, number>();
  const load0 = loadavg()[0] ?? Number.NaN;
  const started = performance.now();
  const bodies = await pool(items, CONCURRENCY, async (item, index) => {
    const { status, body, ms } = await call(url, request(item, index));
    latenciesMs.push(ms);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    return { status, body };
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    result: { label, latenciesMs, statuses, seconds, load: [load0, loadavg()[0] ?? Number.NaN] },
    bodies,
  };
}

const idOf = (r: { status: number; body: unknown }): string | null => {
  const id = (r.body as { id?: unknown } | null)?.id;
  return r.status === 201 && typeof id === 'string' ? id : null;
};

/** Section 3: latency of the API's commands and of GET on the whole local stack. */
export async function apiLatencySection(): Promise<string> {
  const stackModule = join(REPO_ROOT, 'local/stack.ts');
  if (!existsSync(stackModule)) throw new Error('local/stack.ts does not exist (yet): nothing to measure');
  progress('api: starting the local stack (child process)');
  const t0 = performance.now();
  const { stack, url, canSettle } = await StackProcess.start();
  const startSeconds = (performance.now() - t0) / 1000;
  try {
    const member = await token(url, 'member', ORG);
    const secretariat = await token(url, 'secretariat');
    const ministry = await token(url, 'ministry');
    const nisc = await token(url, 'nisc');

    /** The relay of a list of incidents, phase by phase; after each phase the stack is left to settle. */
    const relay = async (count: number, first: number, measured: boolean) => {
      const results: PhaseResult[] = [];
      const settleThen = async (run: () => Promise<PhaseOutput>) => {
        const out = await run();
        const t0 = performance.now();
        const settled = canSettle ? await stack.settle() : null;
        const settleSeconds = canSettle ? (performance.now() - t0) / 1000 : Number.NaN;
        results.push({ ...out.result, settled, settleSeconds });
        if (measured) progress(`api: ${out.result.label}: ${out.result.latenciesMs.length} requests`);
        return out.bodies;
      };
      const numbers = Array.from({ length: count }, (_, i) => first + i);
      const reported = await settleThen(() =>
        phase('report: POST /incidents (member)', url, numbers, (n) => ({
          method: 'POST',
          path: '/incidents',
          token: member,
          body: reportBody(n),
        })),
      );
      const ids = reported.map(idOf).filter((id): id is string => id !== null);
      await settleThen(() =>
        phase('approve: POST /incidents/{id}/decision (secretariat)', url, ids, (id) => ({
          method: 'POST',
          path: `/incidents/${id}/decision`,
          token: secretariat,
          body: { decision: 'approve' },
        })),
      );
      await settleThen(() =>
        phase('receipt: POST /incidents/{id}/receipt (ministry)', url, ids, (id) => ({
          method: 'POST',
          path: `/incidents/${id}/receipt`,
          token: ministry,
          body: {},
        })),
      );
      await settleThen(() =>
        phase('receipt: POST /incidents/{id}/receipt (nisc)', url, ids, (id) => ({
          method: 'POST',
          path: `/incidents/${id}/receipt`,
          token: nisc,
          body: {},
        })),
      );
      await settleThen(() =>
        phase('GET /incidents/{id} (member)', url, ids, (id) => ({
          method: 'GET',
          path: `/incidents/${id}`,
          token: member,
        })),
      );
      return results;
    };

    progress(`api: warm-up (${WARMUP_INCIDENTS} incidents through every phase, not measured)`);
    await relay(WARMUP_INCIDENTS, 0, false);
    progress(`api: ${INCIDENTS} incidents, concurrency ${CONCURRENCY}`);
    const results = await relay(INCIDENTS, WARMUP_INCIDENTS, true);
    const warnings = stack.warnings;
    return render(results, startSeconds, canSettle, warnings);
  } finally {
    await stack.stop();
  }
}

function render(results: PhaseResult[], startSeconds: number, canSettle: boolean, warnings: number): string {
  const rows = results.map((r) => {
    const ok = [...r.statuses.entries()].filter(([s]) => s >= 200 && s < 300).reduce((a, [, n]) => a + n, 0);
    const other = [...r.statuses.entries()]
      .filter(([s]) => s < 200 || s >= 300)
      .map(([s, n]) => `${n}× ${s}`)
      .join(', ');
    return [
      r.label,
      String(r.latenciesMs.length),
      `${ok}${other ? ` (**not 2xx: ${other}**)` : ''}`,
      fmt(quantile(r.latenciesMs, 0.5), 1),
      fmt(quantile(r.latenciesMs, 0.99), 1),
      fmt(Math.max(...r.latenciesMs), 1),
      fmt(r.latenciesMs.length / r.seconds, 1),
      r.settled === null ? 'n/a' : `${fmt(r.settleSeconds, 1)}${r.settled ? '' : ' (**timed out**)'}`,
      `${fmt(r.load[0], 1)} → ${fmt(r.load[1], 1)}`,
    ];
  });
  const failures = results.reduce(
    (sum, r) =>
      sum + [...r.statuses.entries()].filter(([s]) => s < 200 || s >= 300).reduce((a, [, n]) => a + n, 0),
    0,
  );
  const unsettled = results.filter((r) => r.settled === false).map((r) => r.label);
  return [
    '`startLocalStack` from local/stack.ts (DynamoDB Local on disk, the relay workflow, SNS/SQS, mail and the',
    `HTTP API) runs in a child process; this process drives it over HTTP with Node's built-in fetch (undici,`,
    `keep-alive), ${CONCURRENCY} requests in flight. ${INCIDENTS} incidents are reported, then each is approved, acknowledged by the`,
    'ministry, then by NISC, then read. Tokens come from `POST /local/token`. Latency is from sending the request',
    'to having read the whole response body; req/s = requests / phase wall time.',
    canSettle
      ? 'After each phase the stack is left to settle (its `settle()`: stream reactions and notification deliveries'
      : 'The stack exposes no settle(); phases run back to back, so each one overlaps the background work of the',
    canSettle
      ? 'idle, twice, 0.5 s apart, for workflow steps that append again), so a phase runs alongside the background'
      : 'previous one.',
    ...(canSettle
      ? [
          'work its own requests cause (in the same process as the API), not the previous backlog. "background work',
          'done after" is how long that settling took once the phase\'s last response was in.',
        ]
      : []),
    `Not measured: the stack's start-up (${fmt(startSeconds, 1)} s) and a warm-up of ${WARMUP_INCIDENTS} incidents through every phase.`,
    '',
    table(
      [
        'phase',
        'requests',
        '2xx',
        'p50 ms',
        'p99 ms',
        'max ms',
        'req/s',
        'background work done after (s)',
        'load avg (1 min), start → end',
      ],
      rows,
    ),
    '',
    `Warnings the stack logged during the run (\`[local]\` lines on its stderr): ${warnings}.`,
    ...(unsettled.length > 0
      ? [`The stack did not settle within ${SETTLE_TIMEOUT_MS / 1000} s after: ${unsettled.join('; ')}.`]
      : []),
    '',
    '**Goal**: none was set for this section; the figures are for reference. Every request succeeded: ' +
      `**${failures === 0 ? 'yes' : `no, ${failures} did not answer 2xx`}**.`,
  ].join('\n');
}
