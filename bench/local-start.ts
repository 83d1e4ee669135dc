import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimit } from '../functions/runtime/parallel.ts';
import { RECOVERY_IN_FLIGHT } from '../local/recover.ts';
import { RANSOMWARE_REPORT } from '../test/support/fixtures.ts';
import { generateFolder } from './closed-incidents.ts';
import { fmt, loadLine, loadNow, median, progress, REPO_ROOT, sleep, table } from './util.ts';

// Section "local-start": the time from starting the local stack to GET /health 200 on a data folder holding
// N closed incidents, against an empty one. Recovery reads only the sparse byOpen index (local/recover.ts), so
// closed incidents should cost nothing; the goal is within 2× of the empty folder at 100,000. Beside them, a
// folder of incidents whose relay is in flight: what a restart after a crash under load has to pick up.

/** How many closed incidents; CEPTOAR_BENCH_CLOSED overrides (comma-separated for several sizes; 0: none). */
const SIZES = (process.env.CEPTOAR_BENCH_CLOSED ?? '100000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** How many incidents in flight (reported, awaiting the secretariat); CEPTOAR_BENCH_OPEN overrides (0: none). */
const OPEN = Number(process.env.CEPTOAR_BENCH_OPEN ?? 400);
/**
 * Where the closed-incident folders are generated, when not where they are started from (the disk, under the
 * system's temporary directory): CEPTOAR_BENCH_GENERATE_IN, e.g. /dev/shm. Generating on a tmpfs is some 2.5×
 * faster than on this machine's disk; each folder is then copied to the disk, and the starts read it there.
 */
const GENERATE_IN = process.env.CEPTOAR_BENCH_GENERATE_IN ?? '';
/**
 * CEPTOAR_BENCH_DROP_CACHES=1: before every timed start, the kernel's page cache is dropped (root, Linux:
 * /proc/sys/vm/drop_caches), so each start reads its data folder, the JVM and the code from the disk.
 */
const DROP_CACHES = process.env.CEPTOAR_BENCH_DROP_CACHES === '1';
/**
 * CEPTOAR_BENCH_AGED=1: the closed incidents as recorded more than a day before the starts. A folder is written in
 * minutes, so every one of its items' stream records is younger than DynamoDB Local's 24-hour retention, and a
 * start reads that whole table (2 s of DynamoDB Local's start for every 620,000 records here); a folder whose
 * incidents were recorded over earlier days holds only the last day's. With this set, each generated folder's
 * stream records are dated 48 hours back (sqlite3 on DynamoDB Local's file: its table `us`, column
 * `CreationDateTime`, in ms), and DynamoDB Local's own retention deletes them at the untimed first start.
 */
const AGED = process.env.CEPTOAR_BENCH_AGED === '1';
/** How far back CEPTOAR_BENCH_AGED dates the stream records: past DynamoDB Local's 24 hours. */
const AGE_MS = 48 * 3600 * 1000;
const RUNS = 3;
const GOAL = 2;
const HEALTH_TIMEOUT_MS = 600_000;

/**
 * Starts the stack on `dataDir` in a child process (free ports) and times spawn → first GET /health 200;
 * `whileUp` runs then, before the stack is stopped.
 */
async function timeStart(
  dataDir: string,
  whileUp?: (url: string, child: ChildProcess) => Promise<void>,
): Promise<number> {
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
  await whileUp?.(url, child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.write('stop\n');
  await exited;
  return ms;
}

/**
 * Fills `dataDir` with `count` incidents in flight through the API: a member's reports (8 at a time), each
 * awaiting the secretariat's approval, their relay and stage-alarm workflows waiting; then the stack settles
 * (every notification delivered and recorded) and stops. A restart has to start both workflows of each again.
 */
async function generateOpen(dataDir: string, count: number): Promise<{ seconds: number }> {
  const t0 = performance.now();
  await timeStart(dataDir, async (url, child) => {
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const { token } = (await (
      await post('/local/token', { role: 'member', org: 'asahi-petrochem' })
    ).json()) as {
      token: string;
    };
    await mapLimit(Array.from({ length: count }), 8, async () => {
      const res = await post('/incidents', { ...RANSOMWARE_REPORT, severity: 'low' }, token);
      if (res.status !== 201) throw new Error(`report: ${res.status} ${await res.text()}`);
    });
    const settled = new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString('utf8').includes('"settled"')) resolve();
      });
    });
    child.stdin?.write('settle\n');
    await settled;
  });
  return { seconds: (performance.now() - t0) / 1000 };
}

/** Dates a generated folder's stream records {@link AGE_MS} back (CEPTOAR_BENCH_AGED); returns how many. */
function ageStreamRecords(dataDir: string): number {
  const db = join(dataDir, 'dynamodb', 'shared-local-instance.db');
  try {
    const out = execFileSync(
      'sqlite3',
      [db, `UPDATE us SET CreationDateTime = CreationDateTime - ${AGE_MS}; SELECT changes();`],
      { encoding: 'utf8' },
    );
    return Number(out.trim());
  } catch (error) {
    throw new Error(`CEPTOAR_BENCH_AGED=1 needs the sqlite3 command (apt install sqlite3): ${String(error)}`);
  }
}

/** Drops the kernel's page cache (CEPTOAR_BENCH_DROP_CACHES): the next start reads everything from the disk. */
function dropCaches(): void {
  try {
    // Dirty pages (a folder just copied) are written out first: only clean ones can be dropped.
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
  } catch (error) {
    throw new Error(
      `CEPTOAR_BENCH_DROP_CACHES=1 needs root on Linux (/proc/sys/vm/drop_caches): ${String(error)}`,
    );
  }
}

export async function localStartSection(): Promise<string> {
  const loadStart = loadNow();
  const folders: {
    label: string;
    closed: number;
    open?: number;
    dir: string;
    generated?: { items?: number; seconds: number };
    /** Seconds to copy the folder from where it was generated (GENERATE_IN) to `dir`. */
    copied?: number;
    /** Stream records dated back (CEPTOAR_BENCH_AGED). */
    aged?: number;
    /** The untimed first start, ms. */
    first?: number;
  }[] = [
    { label: 'empty folder', closed: 0, dir: mkdtempSync(join(tmpdir(), 'ceptoar-bench-start-empty-')) },
  ];
  try {
    for (const closed of SIZES) {
      const dir = mkdtempSync(join(tmpdir(), `ceptoar-bench-start-${closed}-`));
      folders.push({ label: `${fmt(closed, 0)} closed incidents`, closed, dir });
    }
    for (const folder of folders.slice(1)) {
      progress(`local-start: generating ${folder.label}${GENERATE_IN ? ` in ${GENERATE_IN}` : ''}`);
      const where = GENERATE_IN
        ? mkdtempSync(join(GENERATE_IN, `ceptoar-bench-start-${folder.closed}-`))
        : folder.dir;
      try {
        folder.generated = await generateFolder(where, folder.closed);
        if (AGED) folder.aged = ageStreamRecords(where);
        if (where !== folder.dir) {
          const t0 = performance.now();
          cpSync(where, folder.dir, { recursive: true });
          folder.copied = (performance.now() - t0) / 1000;
        }
      } finally {
        if (where !== folder.dir) rmSync(where, { recursive: true, force: true });
      }
      progress(
        `local-start: ${folder.label}: ${folder.generated.items} items in ${fmt(folder.generated.seconds)} s` +
          (folder.copied === undefined ? '' : `, copied to ${folder.dir} in ${fmt(folder.copied)} s`),
      );
    }
    if (OPEN > 0) {
      const dir = mkdtempSync(join(tmpdir(), `ceptoar-bench-start-open-${OPEN}-`));
      const folder = { label: `${fmt(OPEN, 0)} incidents in flight`, closed: 0, open: OPEN, dir };
      folders.push(folder);
      progress(`local-start: generating ${folder.label} through the API`);
      Object.assign(folder, { generated: await generateOpen(dir, OPEN) });
    }
    // One untimed start of each first: it seeds the directory and builds nothing afterwards (and, with
    // CEPTOAR_BENCH_AGED, DynamoDB Local deletes the stream records past its 24 hours).
    for (const folder of folders) {
      if (DROP_CACHES) dropCaches();
      folder.first = await timeStart(folder.dir);
      progress(`local-start: ${folder.label} first start (untimed): ${fmt(folder.first, 0)} ms`);
    }
    const times = new Map(folders.map((f) => [f.label, [] as number[]]));
    // Interleaved: empty, then each size, RUNS rounds.
    for (let round = 0; round < RUNS; round++) {
      for (const folder of folders) {
        if (DROP_CACHES) dropCaches();
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
        !f.generated
          ? '—'
          : f.generated.items === undefined
            ? `${fmt(f.open ?? 0, 0)} reports through the API (${fmt(f.generated.seconds, 0)} s)`
            : `${fmt(f.generated.items, 0)} (${fmt(f.generated.seconds, 0)} s to generate` +
              (f.copied === undefined
                ? ')'
                : ` in ${GENERATE_IN}, ${fmt(f.copied, 0)} s to copy to the disk)`),
        samples.map((s) => fmt(s, 0)).join(', '),
        fmt(median(samples), 0),
        fmt(f.first ?? Number.NaN, 0),
        f.closed === 0
          ? f.open
            ? `${fmt(ratio, 2)} (no goal: each relay's workflows start again)`
            : '1.00'
          : `${fmt(ratio, 2)} ${ratio <= GOAL ? '(met)' : '(**missed**)'}`,
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
      `first start. Goal: within ${GOAL}× of the empty folder.` +
        (GENERATE_IN
          ? ` The closed incidents were generated in ${GENERATE_IN} and copied to ${tmpdir()}, where every start read them.`
          : '') +
        (DROP_CACHES
          ? " Before every start the kernel's page cache was dropped: each read its folder, the JVM and the code from the disk."
          : '') +
        (AGED
          ? ` Each folder's stream records were dated ${AGE_MS / 3_600_000} hours back after it was generated (${folders
              .filter((f) => f.aged !== undefined)
              .map((f) => `${fmt(f.aged ?? 0, 0)} stream records of the ${f.label}`)
              .join(
                ', ',
              )}), as a folder whose incidents were recorded on earlier days: DynamoDB Local's own 24-hour retention deleted them at the first start, which is why that start is slower.`
          : ' Every stream record of the generated items is younger than 24 hours, so DynamoDB Local keeps them all and reads them at every start: a worst case no folder of incidents recorded over earlier days has (CEPTOAR_BENCH_AGED=1 models that one).') +
        (OPEN > 0
          ? ` The folder of incidents in flight is made through the API (a member's reports, 8 at a time, each awaiting the secretariat; the stack settled, then stopped): a start resumes each one's relay and stage-alarm workflows and checks its messages, ${RECOVERY_IN_FLIGHT} incidents at a time (local/recover.ts).`
          : ''),
      '',
      table(
        [
          'data folder',
          'items generated',
          `start → /health 200, ms (${RUNS} runs)`,
          'median ms',
          'first start, ms (not in the median)',
          '× empty',
        ],
        rows,
      ),
      '',
      loadLine(loadStart, loadEnd),
    ].join('\n');
  } finally {
    for (const folder of folders) rmSync(folder.dir, { recursive: true, force: true });
  }
}
