import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/..). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Progress goes to stderr so that stdout stays free. */
export const progress = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/** Value at quantile q (0..1) by the nearest-rank method; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

/** Fixed decimals, with thousands separators for large numbers. */
export function fmt(value: number, decimals = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A GitHub-flavoured markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** At most `concurrency` tasks in flight, results in the items' order: the functions' own helper. */
export { mapLimit as pool } from '../functions/runtime/parallel.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function javaBanner(): string {
  try {
    // `java -version` prints to stderr.
    const out = execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' });
    return out.split('\n')[0]?.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The load average (1, 5, 15 min) now. */
export const loadNow = (): number[] => loadavg();

/** The closing line of a section: the load average at its start and at its end. */
export const loadLine = (start: readonly number[], end: readonly number[]): string =>
  `Load average (1/5/15 min) at the section's start ${start.map((l) => fmt(l, 2)).join(' / ')}, at its end ${end.map((l) => fmt(l, 2)).join(' / ')}.`;

/** The machine and code the benchmark ran on, as a markdown list; `load` = load averages at start and end. */
export function machineHeader(startedAt: Date, load: { start: number[]; end: number[] }): string {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpuModel = match[1].trim();
  } catch {
    // not Linux: os.cpus() is the best we have
  }
  const commit = git('rev-parse', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain');
  return [
    `- CPU: ${cpuModel}, ${cpus().length} logical cores (os.cpus())`,
    `- Memory: ${fmt(totalmem() / 2 ** 30, 1)} GiB`,
    `- Node.js: ${process.version} (${process.platform}/${process.arch}); Java for DynamoDB Local: ${javaBanner()}`,
    `- Date: ${startedAt.toISOString()}`,
    `- Git commit: ${commit}${dirty ? ' (working tree had uncommitted changes)' : ''}`,
    `- Load average (1/5/15 min): ${load.start.map((l) => fmt(l, 2)).join(' / ')} at the start, ` +
      `${load.end.map((l) => fmt(l, 2)).join(' / ')} at the end.`,
    // The bench itself keeps about two processes busy (Node and the DynamoDB Local JVM): only a load well
    // above that says that something else was competing for the cores.
    ...(Math.max(...load.start, ...load.end) > 2 * cpus().length
      ? [
          `- **Other processes were competing for this machine's ${cpus().length} cores during the run** (load average above`,
          `  ${2 * cpus().length}; the bench itself accounts for about 2): CPU-bound figures are lower and noisier than on an`,
          '  otherwise idle machine. Comparisons measured side by side (ours vs Castore, function vs baseline) are less',
          '  affected than absolute figures.',
        ]
      : []),
  ].join('\n');
}

/** One API request with a bearer token. */
export interface Call {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  token: string;
  body?: unknown;
}

/** Sends `c` and reads the whole body (JSON when it parses); ms from sending to the last byte. */
export async function call(url: string, c: Call): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const response = await fetch(`${url}${c.path}`, {
    method: c.method,
    headers: {
      authorization: `Bearer ${c.token}`,
      ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
  });
  const text = await response.text();
  const ms = performance.now() - t0;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, ms };
}

/** A token from the local stack's `POST /local/token`. */
export async function token(url: string, role: string, org?: string): Promise<string> {
  const response = await fetch(`${url}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, ...(org ? { org } : {}) }),
  });
  const body = (await response.json()) as { token?: unknown };
  if (response.status !== 200 || typeof body.token !== 'string') {
    throw new Error(`POST /local/token for ${role} answered ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}
