/**
 * The state machines the local stack runs: those of the CDK app's synthesized template, the one
 * definition AWS runs. Synthesizing the app costs seconds of CPU (half a minute on a loaded 2-core
 * machine), and `npm start` would pay it at every start, as would every `npm start` a test spawns. So the
 * extracted definitions are kept in `node_modules/.cache/ceptoar-relay/`, named by a hash of every
 * source file the synthesis imports (esbuild's module graph of infra/app.ts, read each time), of
 * package-lock.json (the CDK's version), of cdk.json (the app's context) and of the region: a change to any of them synthesizes again,
 * and an unreadable entry is synthesized over.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExtractedStateMachine, extractStateMachines } from './sfn/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'ceptoar-relay');

/** The state machines of the CDK app's template, synthesized now (no bundling, no cdk-nag): what AWS would run. */
export async function synthesizedStateMachines(region: string): Promise<ExtractedStateMachine[]> {
  const { buildApp, STACK_ID } = await import('../infra/app.ts');
  // A cloud assembly of its own, removed once read: CDK's default is a new temporary folder per synthesis
  // (some 23 MB with the console's and CDK's handler assets), which nothing else would remove.
  const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-local-synth-'));
  try {
    const { app } = buildApp({ bundling: false, nag: false, outdir });
    const template = app.synth().getStackByName(STACK_ID).template;
    return extractStateMachines(template, { region });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The hash naming a synthesis: the sources it imports, the locked dependency versions, the region. */
export async function synthesisKey(region: string): Promise<string> {
  const { build } = await import('esbuild');
  const { metafile } = await build({
    entryPoints: [join(ROOT, 'infra/app.ts'), join(ROOT, 'local/sfn/definition.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: join(tmpdir(), 'ceptoar-synthesis-key'),
    logLevel: 'silent',
  });
  const hash = createHash('sha256').update(`region ${region}\n`);
  for (const file of [...Object.keys(metafile.inputs), 'package-lock.json', 'cdk.json'].sort()) {
    hash
      .update(`${file}\n`)
      .update(readFileSync(join(ROOT, file)))
      .update('\n');
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * The synthesized state machines, from the cache when this tree was synthesized before, else
 * synthesized now and cached (written whole under a temporary name, then renamed: concurrent starts
 * never read half a file). `synthesized` tells which.
 */
export async function stateMachinesOfThisTree(
  region: string,
  cacheDir = CACHE_DIR,
): Promise<{ machines: ExtractedStateMachine[]; synthesized: boolean }> {
  const file = join(cacheDir, `state-machines-${await synthesisKey(region)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (Array.isArray(cached) && cached.length > 0) return { machines: cached, synthesized: false };
  } catch {
    // Not cached yet (or unreadable): synthesize.
  }
  const machines = await synthesizedStateMachines(region);
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(machines));
  renameSync(temporary, file);
  return { machines, synthesized: true };
}
