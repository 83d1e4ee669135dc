import { writeFileSync } from 'node:fs';
import { buildDocument } from '../functions/api-document.ts';

/** `npm run openapi`: writes docs/openapi.json from the handlers' schemas (a test fails when it is stale). */
export const OPENAPI_FILE = new URL('../docs/openapi.json', import.meta.url);

/** The document as committed: two-space JSON and a final newline. */
export const serialize = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPENAPI_FILE, serialize(await buildDocument()));
  console.log(`wrote ${OPENAPI_FILE.pathname}`);
}
