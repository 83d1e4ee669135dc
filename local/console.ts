import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { LocalRoute } from './http-server.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where the console lives; API routes never start with it. */
export const CONSOLE_PREFIX = '/app';

const wantsPage = (headers: Record<string, string | string[] | undefined>) =>
  String(headers.accept ?? '').includes('text/html') && headers.authorization === undefined;

/**
 * Serves the built console (web/dist) under /app/, as CloudFront does in AWS:
 * - `/app/<file>` is the file; any other `/app/…` path is index.html (the app routes on the client), except
 *   under `/app/assets/`, where a missing file is a 404;
 * - `/app/config.json` is written here (local sign-in, same-origin API);
 * - a browser opening `/` or a message link `/incidents/{id}`, `/advisories/{id}` or `/surveys/{id}` (Accept: text/html, no Authorization) is
 *   redirected to the console's page; the same paths with a token, or without text/html, stay the API's.
 */
export function consoleRoute(options: { distDir: string; config: () => unknown }): LocalRoute {
  return async ({ method, path, headers }): ReturnType<LocalRoute> => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (path === '/' && wantsPage(headers)) return redirect(`${CONSOLE_PREFIX}/`);
    const link = /^\/(incidents|advisories|surveys)\/([^/]+)$/.exec(path);
    if (link && wantsPage(headers)) return redirect(`${CONSOLE_PREFIX}/${link[1]}/${link[2]}`);
    if (path === CONSOLE_PREFIX) return redirect(`${CONSOLE_PREFIX}/`);
    if (!path.startsWith(`${CONSOLE_PREFIX}/`)) return undefined;

    if (path === `${CONSOLE_PREFIX}/config.json`) {
      return { status: 200, body: options.config(), headers: { 'cache-control': 'no-store' } };
    }
    const index = join(options.distDir, 'index.html');
    if (!existsSync(index)) {
      return {
        status: 503,
        contentType: 'text/plain; charset=utf-8',
        body: 'The console is not built: run `npm run build:console` (npm start does it by itself).\n',
      };
    }
    const relativePath = decodeURIComponent(path.slice(CONSOLE_PREFIX.length + 1));
    const file = normalize(join(options.distDir, relativePath));
    const inside = file.startsWith(options.distDir + sep);
    if (inside && !relativePath.startsWith('.') && existsSync(file) && statSync(file).isFile()) {
      return {
        status: 200,
        contentType: TYPES[extname(file)] ?? 'application/octet-stream',
        body: readFileSync(file),
        headers: {
          // Vite puts a content hash in every asset name; index.html must be re-read to find new ones.
          'cache-control': relativePath.startsWith('assets/')
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
          'x-content-type-options': 'nosniff',
        },
      };
    }
    if (relativePath.startsWith('assets/')) {
      return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found\n' };
    }
    return {
      status: 200,
      contentType: TYPES['.html'],
      body: readFileSync(index),
      headers: { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' },
    };
  };
}

function redirect(location: string): Awaited<ReturnType<LocalRoute>> {
  return { status: 302, contentType: 'text/plain; charset=utf-8', body: '', headers: { location } };
}
