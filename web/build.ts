import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where `vite build` writes the console; the local stack serves it and the CDK app uploads it. */
export const CONSOLE_DIST = join(ROOT, 'web', 'dist');
const STAMP = join(CONSOLE_DIST, '.source-hash');

// Everything the bundle is made of: the app, and the domain modules it imports (the shared zod schemas).
const INPUTS = ['web/index.html', 'web/vite.config.ts', 'web/src', 'events', 'package-lock.json'];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** A hash of the console's sources: the build is stale when it differs from the one stamped in dist. */
export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  // Bumped when the way of building changes (v2: always NODE_ENV=production), so older builds count as stale.
  hash.update('build-v2');
  for (const file of INPUTS.flatMap(files)) {
    hash.update(relative(ROOT, join(ROOT, file)));
    hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex');
}

/** Builds web/dist with Vite (about a second) unless `ifStale` and the stamped hash matches the sources. */
export function buildConsole(options: { ifStale?: boolean; quiet?: boolean } = {}): { built: boolean } {
  const hash = consoleSourceHash();
  if (options.ifStale && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return { built: false };
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      options.quiet ? 'error' : 'info',
    ],
    {
      cwd: ROOT,
      stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
      // Vitest sets NODE_ENV=test, which would keep development code in the bundle.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  writeFileSync(STAMP, hash);
  return { built: true };
}

// `node --import tsx web/build.ts [--if-stale]` (npm start, npm run build:console).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { built } = buildConsole({ ifStale: process.argv.includes('--if-stale') });
  if (!built) console.log('[console] web/dist is up to date');
}
