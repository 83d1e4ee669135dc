import document from '../docs/openapi.json' with { type: 'json' };
import { publicHandler } from './http/public-http.ts';

/**
 * GET /openapi.json: the API's OpenAPI 3.1 document, without a token. It serves the file
 * `npm run openapi` generated from the handlers' schemas (a test fails when it is stale), so
 * the generator and the schemas of every other route stay out of this bundle.
 */
export const handler = publicHandler(async () => ({ status: 200, body: document }));
