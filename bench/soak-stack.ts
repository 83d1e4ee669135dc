import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../local/dynamodb.ts';
import type { FaultAnswer, FaultRequest } from '../local/fault-hooks.ts';
import { PORT_DEFAULTS } from '../local/ports.ts';
import { REPO_ROOT, sleep } from './util.ts';

type Op = FaultRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Whether a process exists (signal 0); EPERM means it exists but is not ours. */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `npm start` (node --import tsx local/main.ts) as the soak's child process, on ports fixed for the whole
 * run (so that a restart comes back where the clients and the data expect it) and one data folder. Faults
 * other than kills go through the stack's hooks over the IPC channel (CEPTOAR_FAULT_HOOKS=1).
 */
export class SoakStack {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (answer: FaultAnswer) => void>();
  private output = '';
  /** `[local]` warning lines the stack printed, for the report. */
  warnings = 0;
  /** Deliveries that failed and were left to the queue to retry (deliver-notification's log lines). */
  deliveryRetries = 0;
  /** DynamoDB Local's JVM as last reported by the stack. */
  dynamoPid: number | undefined;

  private constructor(
    readonly dataDir: string,
    readonly env: NodeJS.ProcessEnv,
    readonly url: string,
  ) {}

  /** Picks the ports (each free now) and the environment; start() runs it. */
  static async create(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<SoakStack> {
    const ports: Record<string, string> = {};
    for (const { variable } of Object.values(PORT_DEFAULTS)) ports[variable] = String(await freePort());
    const env = {
      ...process.env,
      ...ports,
      CEPTOAR_DATA_DIR: dataDir,
      CEPTOAR_RATE_LIMITS: 'off',
      CEPTOAR_FAULT_HOOKS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extraEnv,
    };
    return new SoakStack(dataDir, env, `http://127.0.0.1:${ports.PORT}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** DynamoDB Local's and the Step Functions endpoint's URLs (fixed for the run, like the API's). */
  endpoints(): { dynamodb: string; stepFunctions: string; tableName: string } {
    return {
      dynamodb: `http://127.0.0.1:${this.env.CEPTOAR_DYNAMODB_PORT}`,
      stepFunctions: `http://127.0.0.1:${this.env.CEPTOAR_SFN_PORT}`,
      tableName: 'ceptoar-events',
    };
  }

  /** Starts the child and resolves once GET /health answers 200 (at most `timeoutMs`). */
  async start(timeoutMs = 120_000): Promise<number> {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.warnings += (text.match(/^\[local\].*(fail|warn|error)/gim) ?? []).length;
      this.deliveryRetries += (text.match(/the queue will retry/g) ?? []).length;
      this.output = (this.output + text).slice(-8000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('message', (answer: FaultAnswer) => {
      this.pending.get(answer.id)?.(answer);
      this.pending.delete(answer.id);
    });
    child.once('exit', () => {
      for (const [id, resolve] of this.pending) resolve({ id, ok: false, error: 'the stack exited' });
      this.pending.clear();
    });
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the stack exited during start-up:\n${this.output}`);
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) }).catch(
        () => undefined,
      );
      await res?.body?.cancel();
      if (res?.status === 200) break;
      if (Date.now() - t0 > timeoutMs) throw new Error(`the stack did not become healthy:\n${this.output}`);
      await sleep(200);
    }
    const status = (await this.request({ op: 'status' })) as { dynamoPid?: number };
    this.dynamoPid = status.dynamoPid;
    return Date.now() - t0;
  }

  /** Sends a fault-hook request and waits for its answer (rejects when the stack exits first). */
  async request(op: Op, timeoutMs = 120_000): Promise<unknown> {
    const child = this.child;
    if (!child?.connected) throw new Error('the stack is not running');
    const id = this.nextId++;
    const answer = await new Promise<FaultAnswer>((resolve) => {
      const timer = setTimeout(
        () => resolve({ id, ok: false, error: `no answer to ${op.op} in time` }),
        timeoutMs,
      );
      this.pending.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      child.send({ ...op, id });
    });
    if (!answer.ok) throw new Error(`${op.op}: ${answer.error}`);
    return answer.result;
  }

  /**
   * SIGKILLs the stack's process (nothing of it runs its exit handlers), then checks that DynamoDB Local's
   * JVM does not outlive it: the stack's watchdog should take it down within seconds. One still alive after
   * `graceMs` is an orphan: it is counted, then killed here so that the port is free for the restart.
   */
  async kill(graceMs = 10_000): Promise<{ orphanJvm: boolean; jvmGoneMs: number }> {
    const child = this.child;
    if (!child) return { orphanJvm: false, jvmGoneMs: 0 };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const jvm = this.dynamoPid;
    const t0 = Date.now();
    while (alive(jvm) && Date.now() - t0 < graceMs) await sleep(100);
    const orphanJvm = alive(jvm);
    if (orphanJvm && jvm !== undefined) {
      process.kill(jvm, 'SIGKILL');
      while (alive(jvm)) await sleep(50);
    }
    return { orphanJvm, jvmGoneMs: Date.now() - t0 };
  }

  /** Stops the stack gracefully (SIGTERM), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    const jvm = this.dynamoPid;
    const t0 = Date.now();
    while (alive(jvm) && Date.now() - t0 < 10_000) await sleep(100);
  }

  /** The tail of the stack's output, for a failure's message. */
  tail(): string {
    return this.output;
  }
}
