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

/** The shipped size of the web console (a fresh `vite build` when the sources changed), as a markdown section. */
export async function runConsoleSize(): Promise<string> {
  buildConsole({ ifStale: true, quiet: true });
  const files = measure(CONSOLE_DIST).sort((a, b) => a.file.localeCompare(b.file));
  const total = (kind: '.js' | '.css') =>
    files
      .filter((f) => f.file.endsWith(kind))
      .reduce(
        (sum, f) => ({ raw: sum.raw + f.raw, gzip: sum.gzip + f.gzip, brotli: sum.brotli + f.brotli }),
        {
          raw: 0,
          gzip: 0,
          brotli: 0,
        },
      );
  const js = total('.js');
  const css = total('.css');
  return [
    '## Web console size',
    '',
    'What a browser downloads on the first visit (`web/dist`, Vite production build; Preact, the shared zod',
    'schemas of `events/incident/report.ts`, the two message tables). Gzip at level 9 and brotli at quality 11,',
    'the best a server or CDN could send.',
    '',
    '| file | raw | gzip | brotli |',
    '| --- | ---: | ---: | ---: |',
    ...files.map((f) => `| \`${f.file}\` | ${kB(f.raw)} | ${kB(f.gzip)} | ${kB(f.brotli)} |`),
    `| **JavaScript** | **${kB(js.raw)}** | **${kB(js.gzip)}** | **${kB(js.brotli)}** |`,
    `| **CSS** | **${kB(css.raw)}** | **${kB(css.gzip)}** | **${kB(css.brotli)}** |`,
    '',
  ].join('\n');
}

// `node --import tsx bench/console-size.ts`: the section alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runConsoleSize());
}
