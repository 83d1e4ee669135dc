import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../functions/api-document.ts';
import { functions } from '../functions/manifest.ts';
import { OPENAPI_FILE } from '../scripts/openapi.ts';

const manifestRoutes = functions
  .flatMap((f) => ('routes' in f ? f.routes.map((r) => `${r.method} ${r.path}`) : []))
  .sort();

describe('the OpenAPI document', () => {
  it('docs/openapi.json is what `npm run openapi` generates now (run it after changing a schema)', async () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(await buildDocument())));
  });

  it('documents every route of the manifest, and no other', async () => {
    const doc = await buildDocument();
    const documented = Object.entries(doc.paths ?? {})
      .flatMap(([path, item]) =>
        Object.keys(item ?? {})
          .filter((m) => ['get', 'post', 'put', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(manifestRoutes);
  });

  it('names the roles each handler allows, and answers every error as problem+json', async () => {
    const doc = await buildDocument();
    const report = doc.paths?.['/incidents']?.post;
    expect(report?.security).toEqual([{ cognito: ['member'] }]);
    expect(doc.paths?.['/openapi.json']?.get?.security).toEqual([]);
    for (const item of Object.values(doc.paths ?? {})) {
      for (const op of [item?.get, item?.post, item?.put, item?.delete]) {
        if (!op) continue;
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          if (Number(status) < 400) continue;
          expect(
            Object.keys((response as { content?: object }).content ?? {}),
            `${op.operationId} ${status}`,
          ).toEqual(['application/problem+json']);
        }
      }
    }
  });

  it('documents Idempotency-Key on the commands that honour it', async () => {
    const doc = await buildDocument();
    const params = doc.paths?.['/incidents/{id}/decision']?.post?.parameters ?? [];
    expect(params).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]),
    );
  });
});
