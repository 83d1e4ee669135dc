import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The console is served under /app/ (locally and on CloudFront), so API paths never collide with its pages. */
export const CONSOLE_BASE = '/app/';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: CONSOLE_BASE,
  // No framework plugin: Preact's JSX needs only the automatic runtime pointed at it.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: {
      // Scalar's own prebuilt browser bundle (its styles inlined): the API reference page's renderer.
      // Prebuilt, it shares no module with the console, so the console's own chunks stay as they were.
      'scalar-api-reference': fileURLToPath(
        new URL('../node_modules/@scalar/api-reference/dist/browser/standalone.esm.js', import.meta.url),
      ),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    // Which chunks a first visit loads (the entry and its static imports): bench/console-size.ts reads it.
    manifest: true,
  },
  server: { proxy: { '/incidents': 'http://127.0.0.1:3000', '/local': 'http://127.0.0.1:3000' } },
});
