import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { buildConsole, CONSOLE_DIST } from '../web/build.ts';

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** One shipped file: its size as built, gzipped (level 9) and brotli (quality 11), as a CDN would send it. */
interface Shipped {
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
  readonly brotli: number;
}

function measure(dir: string, prefix = ''): Shipped[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return measure(path, `${prefix}${entry.name}/`);
    if (!['.js', '.css', '.html'].includes(extname(entry.name))) return [];
    const bytes = readFileSync(path);
    return [
      {
        file: `${prefix}${entry.name}`,
        raw: bytes.length,
        gzip: gzipSync(bytes, { level: 9 }).length,
        brotli: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
      },
    ];
  });
}

/** Vite's manifest: each chunk's file and the chunks it imports statically. */
type Manifest = Record<string, { file: string; isEntry?: boolean; imports?: string[]; css?: string[] }>;

/**
 * The files a first visit loads: index.html, the entry chunk and everything it imports statically, its
 * CSS, and the Japanese messages (the default language, loaded before the first render). The other
 * pages and English are fetched when opened or after the first render.
 */
function firstVisit(manifest: Manifest): Set<string> {
  const files = new Set<string>(['index.html']);
  const walk = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const next of chunk.imports ?? []) walk(next);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) walk(key);
  const ja = Object.values(manifest).find((c) => /\/ja-[\w-]+\.js$/.test(c.file));
  if (ja) files.add(ja.file);
  return files;
}

const sum = (files: readonly Shipped[]) =>
  files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });

/** The shipped size of the web console (a fresh `vite build` when the sources changed), as a markdown section. */
export async function runConsoleSize(): Promise<string> {
  buildConsole({ ifStale: true, quiet: true });
  const manifest = JSON.parse(readFileSync(join(CONSOLE_DIST, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  const first = firstVisit(manifest);
  const files = measure(CONSOLE_DIST)
    .filter((f) => !f.file.startsWith('.vite/'))
    .sort((a, b) => Number(first.has(b.file)) - Number(first.has(a.file)) || b.raw - a.raw);
  const row = (label: string, t: { raw: number; gzip: number; brotli: number }) =>
    `| **${label}** | | **${kB(t.raw)}** | **${kB(t.gzip)}** | **${kB(t.brotli)}** |`;
  const js = (fs: readonly Shipped[]) => fs.filter((f) => f.file.endsWith('.js'));
  const firstFiles = files.filter((f) => first.has(f.file));
  return [
    '## Web console size',
    '',
    'What a browser downloads (`web/dist`, Vite production build; Preact, the shared zod schemas, the',
    "message tables). A first visit loads the entry chunk with the incident relay's pages, its static",
    'imports, the CSS and the Japanese messages; every other page group (advisories, board, drills,',
    'directory, share, audit) and English are separate chunks fetched when needed (English right after the',
    'first render). Gzip at level 9 and brotli at quality 11, the best a server or CDN could send.',
    '',
    '| file | loaded | raw | gzip | brotli |',
    '| --- | --- | ---: | ---: | ---: |',
    ...files.map(
      (f) =>
        `| \`${f.file}\` | ${first.has(f.file) ? 'first visit' : 'when needed'} | ${kB(f.raw)} | ${kB(f.gzip)} | ${kB(f.brotli)} |`,
    ),
    row('first visit, everything', sum(firstFiles)),
    row('first visit, JavaScript', sum(js(firstFiles))),
    row('all JavaScript', sum(js(files))),
    '',
  ].join('\n');
}

// `node --import tsx bench/console-size.ts`: the section alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runConsoleSize());
}
