import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { BuildOptions, Metafile } from 'esbuild';
import { type FunctionSpec, functions } from '../functions/manifest.ts';
import { LAZY_MODULES } from '../functions/runtime/lazy-module.ts';
import { HOUSE_ESBUILD_OPTIONS, houseBuild } from '../infra/bundling.ts';
import { COLD_RUNS, coldStarts, outcomeSummary } from './cold-start.ts';
import { fmt, median, progress, REPO_ROOT, table } from './util.ts';

const execFileAsync = promisify(execFile);

/** Fresh `node` processes per bundle for the import time. */
const IMPORT_RUNS = 15;
/** Of those, how many are repeated with `--enable-source-maps` (for reference only; keeps the section short). */
const SOURCE_MAP_RUNS = 5;
/** The goal: within this factor of the bare-client bundle, in size and in import time. */
const GOAL = 1.3;

const BASELINE_SOURCE = `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
export const handler = async () =>
  new DynamoDBClient({}).send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } })).catch(() => null);
`;

interface Bundle {
  name: string;
  spec?: (typeof functions)[number];
  file: string;
  bytes: number;
  gzipBytes: number;
  metafile: Metafile;
  importMs: number[];
  /** CPU time (user + system) of the same imports: steadier than wall time when the machine is busy. */
  importCpuMs: number[];
  /** Wall time with `--enable-source-maps` (Lambda's NODE_OPTIONS in infra/house-function.ts). */
  importMapsMs: number[];
  /** Its lazy modules (functions/runtime/lazy-module.ts), built beside it as the CDK app ships them. */
  lazy?: { module: string; bytes: number; gzipBytes: number }[];
}

/** Bundles an entry file, or source text resolved from bench/ (the baseline), with the house options. */
async function bundle(
  name: string,
  entry: string | { source: string },
  outDir: string,
  options: Partial<BuildOptions> = {},
): Promise<Bundle> {
  const file = join(outDir, name.replace(/[^\w-]+/g, '_'), 'index.mjs');
  const result = await houseBuild({
    absWorkingDir: REPO_ROOT,
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : {
          stdin: {
            contents: entry.source,
            loader: 'ts',
            resolveDir: join(REPO_ROOT, 'bench'),
            sourcefile: 'baseline.ts',
          },
        }),
    ...options,
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  if (!result.metafile) throw new Error(`${name}: esbuild gave no metafile`);
  const code = readFileSync(file);
  return {
    name,
    file,
    bytes: statSync(file).size,
    gzipBytes: gzipSync(code).length,
    metafile: result.metafile,
    importMs: [],
    importCpuMs: [],
    importMapsMs: [],
  };
}

/** Module-scope configuration the handlers validate at import, with dummy values. */
const IMPORT_ENV = {
  AWS_REGION: 'ap-northeast-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  EVENTS_TABLE: 'events',
  RELAY_WORKFLOW_ARN: 'arn:aws:states:ap-northeast-1:123456789012:stateMachine:relay',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:notifications',
  EMAIL_FROM: 'noreply@ceptoar.example',
  PUBLIC_URL: 'https://ceptoar.example',
  POWERTOOLS_SERVICE_NAME: 'ceptoar-relay',
};

const IMPORT_SCRIPT = `
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(process.env.BENCH_IMPORT_URL);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }));`;

/** `await import(bundle)` in a fresh node process, timed inside it with performance.now(). */
async function importOnce(
  file: string,
  cwd: string,
  sourceMaps: boolean,
): Promise<{ ms: number; cpuMs: number }> {
  const flags = sourceMaps ? ['--enable-source-maps'] : [];
  const { stdout } = await execFileAsync(
    process.execPath,
    [...flags, '--input-type=module', '-e', IMPORT_SCRIPT],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...IMPORT_ENV, BENCH_IMPORT_URL: pathToFileURL(file).href },
      encoding: 'utf8',
    },
  );
  const { ms, cpuMs } = JSON.parse(stdout) as { ms: unknown; cpuMs: unknown };
  if (typeof ms !== 'number' || typeof cpuMs !== 'number')
    throw new Error(`import of ${file} printed ${stdout}`);
  return { ms, cpuMs };
}

/** Bytes in the output by input file, from the metafile. */
function inputBytes(bundle: Bundle): [string, number][] {
  const output = Object.values(bundle.metafile.outputs).find((o) => o.entryPoint !== undefined);
  return Object.entries(output?.inputs ?? {}).map(([path, info]) => [path, info.bytesInOutput]);
}

/** Bytes in the output by package (`node_modules/<pkg>`), or by top folder for the repository's own files. */
function packageBytes(bundle: Bundle): Map<string, number> {
  const byPackage = new Map<string, number>();
  for (const [path, bytes] of inputBytes(bundle)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match?.[1] ?? `${path.split('/')[0] ?? path}/ (repo)`;
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytes);
  }
  return byPackage;
}

const top = (entries: [string, number][], count: number) =>
  [...entries].sort((a, b) => b[1] - a[1]).slice(0, count);

const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;

/** Section 2: each function's bundle, built as the CDK builds it, against a bare DynamoDB client bundle. */
export async function bundlesSection(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-bundles-'));
  try {
    progress(`bundles: building ${functions.length} functions and the baseline`);
    const baseline = await bundle(
      'baseline: bare DynamoDBClient + GetItem',
      { source: BASELINE_SOURCE },
      outDir,
    );
    // The same file as the SDK ships it: its whole default credential chain (the house options alias it to
    // the environment's link: functions/runtime/lambda-credentials.ts) and its schema modules as written
    // (infra/sdk-schema-keys.ts).
    const stock = await bundle(
      'reference: the same, as the SDK ships it',
      { source: BASELINE_SOURCE },
      outDir,
      { alias: {}, plugins: [] },
    );
    const bundles: Bundle[] = [];
    for (const fn of functions) {
      const built = await bundle(fn.name, join(REPO_ROOT, `functions/${fn.name}.ts`), outDir);
      const lazy = [];
      for (const module of (fn as FunctionSpec).lazy ?? []) {
        // Beside index.mjs, where the function's importLazy looks for it (not imported by the runs below).
        const file = join(dirname(built.file), `${module}.mjs`);
        await houseBuild({
          absWorkingDir: REPO_ROOT,
          entryPoints: [join(REPO_ROOT, `functions/${LAZY_MODULES[module]}.ts`)],
          outfile: file,
          logLevel: 'silent',
        });
        lazy.push({ module, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length });
      }
      bundles.push({ ...built, spec: fn, ...(lazy.length > 0 ? { lazy } : {}) });
    }
    const all = [baseline, stock, ...bundles];
    const isReference = (b: Bundle) => b === baseline || b === stock;

    // The bundles are self-contained: import them from a directory without node_modules, like Lambda.
    progress(`bundles: ${IMPORT_RUNS} cold imports of each of ${all.length} bundles, one fresh node each`);
    const loadBefore = loadavg()[0] ?? Number.NaN;
    for (let run = 0; run < IMPORT_RUNS; run++) {
      // Round-robin over the bundles, so that drift in the machine's load falls on all of them alike.
      for (const b of all) {
        const plain = await importOnce(b.file, outDir, false);
        b.importMs.push(plain.ms);
        b.importCpuMs.push(plain.cpuMs);
        if (run < SOURCE_MAP_RUNS) b.importMapsMs.push((await importOnce(b.file, outDir, true)).ms);
      }
    }

    const load = [loadBefore, loadavg()[0] ?? Number.NaN];

    // Then each bundle's cold start as Lambda sees it: import and first invocation, with source maps.
    const coldLoadBefore = loadavg()[0] ?? Number.NaN;
    const cold = await coldStarts(
      all.map((b) => ({ name: b.name, file: b.file, ...(b.spec ? { spec: b.spec } : {}) })),
      outDir,
      { PATH: process.env.PATH ?? '', ...IMPORT_ENV },
      progress,
    );
    const coldLoad = [coldLoadBefore, loadavg()[0] ?? Number.NaN];
    const coldOf = (b: Bundle) => {
      const c = cold.get(b.name);
      if (!c) throw new Error(`no cold start of ${b.name}`);
      return c;
    };
    const baseColdMs = median(coldOf(baseline).ms);
    const coldRows = all.map((b) => {
      const c = coldOf(b);
      return [
        isReference(b) ? `_${b.name}_` : b.name,
        b.spec ? b.spec.trigger : '—',
        fmt(median(c.ms), 1),
        `${fmt(Math.min(...c.ms), 1)}–${fmt(Math.max(...c.ms), 1)}`,
        `${fmt(median(c.ms) / baseColdMs, 2)}×`,
        fmt(median(c.importMs), 1),
        fmt(median(c.invokeMs), 1),
        isReference(b) ? 'GetItem: 400, caught' : outcomeSummary(c.outcomes),
      ];
    });
    // One import runs at a time (load ≈ 1): a load above cores + 1 means other processes were competing.
    const busy = Math.max(...load) > cpus().length + 1;
    /** A bundle against the baseline (the goal's measure), or against another reference bundle. */
    const ratio = (b: Bundle, base: Bundle = baseline) => ({
      size: b.bytes / base.bytes,
      gzip: b.gzipBytes / base.gzipBytes,
      import: median(b.importMs) / median(base.importMs),
      importMaps: median(b.importMapsMs) / median(base.importMapsMs),
      importCpu: median(b.importCpuMs) / median(base.importCpuMs),
    });
    /** What a bundle misses of the goal against `base`: nothing, size, import time or both. */
    const missedOf = (b: Bundle, base: Bundle = baseline) => {
      const r = ratio(b, base);
      return [...(r.size > GOAL ? ['size'] : []), ...(r.import > GOAL ? ['import time'] : [])];
    };
    const verdict = (b: Bundle) => {
      const missed = missedOf(b);
      return missed.length === 0 ? 'met' : `**MISSED** (${missed.join(', ')})`;
    };
    const rows = all.map((b) => {
      const r = ratio(b);
      return [
        isReference(b) ? `_${b.name}_` : b.name,
        `${b.bytes.toLocaleString('en-US')} (${kib(b.bytes)})`,
        `${b.gzipBytes.toLocaleString('en-US')} (${kib(b.gzipBytes)})`,
        fmt(median(b.importMs), 1),
        `${fmt(Math.min(...b.importMs), 1)}–${fmt(Math.max(...b.importMs), 1)}`,
        `${fmt(r.size, 2)}×`,
        `${fmt(r.gzip, 2)}×`,
        `${fmt(r.import, 2)}×`,
        isReference(b) ? '—' : verdict(b),
        `${fmt(median(b.importCpuMs), 1)} (${fmt(r.importCpu, 2)}×)`,
        `${fmt(median(b.importMapsMs), 1)} (${fmt(r.importMaps, 2)}×)`,
      ];
    });
    const missed = bundles.filter((b) => verdict(b) !== 'met');
    const basePackages = packageBytes(baseline);
    const breakdownRows = missed.map((b) => {
      const packages = packageBytes(b);
      const added = [...packages.entries()].map(
        ([p, n]) => [p, n - (basePackages.get(p) ?? 0)] as [string, number],
      );
      return [
        b.name,
        top(inputBytes(b), 5)
          .map(([p, n]) => `${p.replace(/^node_modules\//, '')} ${fmt(n / 1024, 1)}`)
          .join('; '),
        top([...packages.entries()], 5)
          .map(([p, n]) => `${p} ${fmt(n / 1024, 1)}`)
          .join('; '),
        top(added, 5)
          .map(([p, n]) => `${p} +${fmt(n / 1024, 1)}`)
          .join('; '),
      ];
    });
    const met = bundles.length - missed.length;
    // The same test against the stock chain's bundle: not the goal's measure (the baseline is built as the
    // functions are), given so that a reader sees what the alias moved.
    const withinStock = bundles.filter((b) => missedOf(b, stock).length === 0).length;
    return [
      'Each function of functions/manifest.ts is bundled from `functions/<name>.ts` with esbuild and the options the',
      'CDK app bundles with (infra/bundling.ts: ESM, `--minify`, `--sourcemap`, `--platform=node`,',
      `\`--target=${HOUSE_ESBUILD_OPTIONS.target}\`, the createRequire banner, \`--main-fields=module,main\`, nothing external,`,
      'the credential alias and the schema-key plugin below), next to a',
      'baseline bundle of a file that only imports `DynamoDBClient`/`GetItemCommand` and sends one GetItem, built',
      "with the same options: so its SDK credential chain is the functions' (the environment's link only,",
      "functions/runtime/lambda-credentials.ts) and its SDK schema modules are read as the functions' are",
      '(infra/sdk-schema-keys.ts). The reference row below it is the same file as the SDK ships it (the whole',
      'default chain, the schema modules as written): for comparison only; every ratio is to the baseline.',
      "Size is of `index.mjs` alone (the source map is a separate file); gzip is Node's zlib at its default level.",
      `Import time is \`await import(bundle)\` timed with performance.now() inside a fresh \`node\` (${process.version})`,
      `process, ${IMPORT_RUNS} runs per bundle (round-robin over the bundles), from a directory without node_modules,`,
      "with dummy EVENTS_TABLE etc. so module-scope configuration passes. It excludes node's own start-up.",
      'The goal is judged on that import time (wall clock). For reference: the CPU time (user + system) the child',
      'spent in the same imports, which a busy machine disturbs less than wall time; and the wall time with',
      '`--enable-source-maps`, with which Lambda runs the functions (`NODE_OPTIONS` in infra/house-function.ts):',
      `node then reads and parses the source map at import (the first ${SOURCE_MAP_RUNS} rounds only).`,
      '',
      table(
        [
          'bundle',
          'bytes',
          'gzip bytes',
          'import p50 ms',
          'import min–max ms',
          'size / baseline',
          'gzip / baseline',
          'import / baseline',
          `goal (≤ ${GOAL}×)`,
          'import CPU p50 ms (/ baseline)',
          `import p50 ms with --enable-source-maps, ${SOURCE_MAP_RUNS} runs (/ baseline)`,
        ],
        rows,
      ),
      '',
      `**Goal**: every function within ${GOAL}× of the bare-client bundle in size and in import time: **${
        missed.length === 0 ? 'met' : 'missed'
      }** (${met} of ${bundles.length} met${missed.length > 0 ? `; missed by ${missed.map((b) => b.name).join(', ')}` : ''}).`,
      `Against the reference row instead (${stock.bytes.toLocaleString('en-US')} bytes, import p50 ${fmt(median(stock.importMs), 1)} ms), ` +
        `${withinStock} of ${bundles.length} would be within ${GOAL}× in size and import time.`,
      '',
      ...lazyLines(bundles),
      `Load average (1 min) while the imports ran: ${fmt(load[0] ?? Number.NaN, 1)} → ${fmt(load[1] ?? Number.NaN, 1)} on ${cpus().length} cores.`,
      ...(busy
        ? [
            '**The machine was busy with other processes while the imports ran**, so wall-clock import times spread',
            'widely (see min–max) and the import-time ratios and verdicts of this run are unreliable. The CPU-time',
            `ratios, which other processes disturb much less, range from ${fmt(Math.min(...bundles.map((b) => ratio(b).importCpu)), 2)}× to ` +
              `${fmt(Math.max(...bundles.map((b) => ratio(b).importCpu)), 2)}× over the functions.`,
          ]
        : []),
      '',
      `**Cold start as Lambda sees it** (for reference; no goal was set): a fresh \`node --enable-source-maps\` per run,`,
      `the bundle's import and then its first invocation, timed inside the process (node's start-up left out),`,
      `${COLD_RUNS} runs per bundle, round-robin, against one DynamoDB Local in memory (the event table from`,
      'local/table-spec.ts). Each trigger gets a minimal realistic event: an HTTP API (v2) event with the JWT',
      "authorizer's claims of a role the route allows (a member of asahi-petrochem, the secretariat, the ministry,",
      'NISC or an auditor), a small valid body where the route writes, and the ids of one incident reported',
      'beforehand by the report-incident bundle (an advisory id that does not exist; a validly signed',
      'acknowledgement link for it); relay-step `plan` on that incident; for the stream reactor one committed',
      '`NotificationDelivered` record of it; for the deliverer one webhook message to a local server answering 200;',
      'for publish-checkpoint a scheduled event (checkpoints signed and written locally). The baseline sends its one',
      'GetItem, which DynamoDB Local answers with a 400 (a table name `t` is too short) that the baseline catches:',
      'one round trip all the same. "answered" is the status code, the failed items of a batch, or',
      'the thrown error, over the runs: a 4xx is still a first invocation (the body was parsed, the caller checked,',
      'the table read where the handler reads it).',
      '',
      table(
        [
          'bundle',
          'trigger',
          `cold start p50 ms (${COLD_RUNS} runs)`,
          'min–max ms',
          '/ baseline',
          'of which import p50 ms',
          'first invocation p50 ms',
          'answered',
        ],
        coldRows,
      ),
      '',
      `Load average (1 min) while the cold starts ran: ${fmt(coldLoad[0] ?? Number.NaN, 1)} → ${fmt(coldLoad[1] ?? Number.NaN, 1)} on ${cpus().length} cores.`,
      ...(missed.length > 0
        ? [
            '',
            "What dominates each bundle that misses, in KiB of the minified output (esbuild's metafile): the top 5",
            'input files, the top 5 packages, and the 5 packages that add the most over the baseline bundle.',
            '',
            table(
              [
                'function',
                'top 5 input files (KiB)',
                'top 5 packages (KiB)',
                'most added over the baseline (KiB)',
              ],
              breakdownRows,
            ),
          ]
        : []),
    ].join('\n');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** What the functions load on first use, outside the figures above (they are not imported at a cold start). */
function lazyLines(bundles: readonly Bundle[]): string[] {
  const lazy = bundles.flatMap((b) => (b.lazy ?? []).map((l) => ({ name: b.name, ...l })));
  if (lazy.length === 0) return [];
  return [
    'Loaded on first use and not in the figures above: a file of its own beside the bundle, which the function',
    'imports when it first needs it (functions/runtime/lazy-module.ts; the bundle itself does not carry it): ' +
      lazy
        .map(
          (l) =>
            `${l.name}'s \`${l.module}.mjs\`, ${fmt(l.bytes, 0)} bytes (${fmt(l.gzipBytes, 0)} gzip bytes)`,
        )
        .join('; ') +
      '.',
    '',
  ];
}
