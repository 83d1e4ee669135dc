import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActivityView } from '../events/activity/activity.ts';
import type { PlanView } from '../events/activity/plan.ts';
import type { AdvisoryListRow } from '../events/advisory/list.ts';
import type { transmissionReport } from '../events/advisory/report.ts';
import type { advisorySummary, recipientRow, transmission } from '../events/advisory/visibility.ts';
import type * as advisory from '../events/api/advisory.ts';
import type * as audit from '../events/api/audit.ts';
import type * as api from '../events/api/incident.ts';
import type * as report from '../events/api/report.ts';
import type * as survey from '../events/api/survey.ts';
import type { Checkpoint } from '../events/audit/types.ts';
import type { incidentSummary, incidentView } from '../events/incident/visibility.ts';
import type { responseView, resultsView, surveyRow, surveyView } from '../events/survey/views.ts';
import type * as z from '../events/zod.ts';
import { buildDocument } from '../functions/api-document.ts';
import type { ComplianceRow } from '../functions/audit/audit-compliance.ts';
import type { auditEventView } from '../functions/audit/audit-http.ts';
import { MAX_MINUTES_BYTES, MINUTES_TYPES, minutesType } from '../functions/blobs/minutes.ts';
import type { advisoryAnswer } from '../functions/http/advisory-http.ts';
import type { commandAnswer } from '../functions/http/incident-http.ts';
import { functions } from '../functions/manifest.ts';
import type { AckAnswer } from '../functions/notify/acknowledge.ts';
import type { AnnualReport } from '../functions/reports/annual-report.ts';
import type { surveyAnswer } from '../functions/surveys/survey-commands.ts';
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

  it("documents the minutes upload's body as the handler reads it: the file itself, in the types it tells, within its limit", async () => {
    const doc = await buildDocument();
    const body = doc.paths?.['/activities/{id}/minutes']?.post?.requestBody as
      | { required?: boolean; description?: string; content?: Record<string, { example?: unknown }> }
      | undefined;
    expect(body?.required).toBe(true);
    expect(Object.keys(body?.content ?? {})).toEqual([
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'text/plain',
      'application/octet-stream',
    ]);
    expect(body?.description).toContain(`At most ${MAX_MINUTES_BYTES} bytes (413)`);
    // Every declared type but the catch-all is one the bytes are told as; the example is one the handler takes.
    for (const type of Object.keys(body?.content ?? {}).filter((t) => t !== 'application/octet-stream'))
      expect(MINUTES_TYPES.map((t) => t.split(';')[0])).toContain(type);
    const example = String(body?.content?.['text/plain']?.example);
    expect(minutesType(Buffer.from(example), 'text/plain')).toBe('text/plain; charset=utf-8');
  });

  it('documents Idempotency-Key on the commands that honour it', async () => {
    const doc = await buildDocument();
    const params = doc.paths?.['/incidents/{id}/decision']?.post?.parameters ?? [];
    expect(params).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]),
    );
  });
});

// The response schemas against the functions that build the responses, at compile time too:
// each view's type must be assignable to its schema's output (tsc fails on a drift of types).
type Fits<A extends B, B> = A extends B ? true : never;
type ViewsFitTheirSchemas = [
  Fits<ReturnType<typeof incidentView>, z.output<typeof api.incidentViewSchema>>,
  Fits<ReturnType<typeof incidentSummary>, z.output<typeof api.incidentSummarySchema>>,
  Fits<ReturnType<typeof commandAnswer>, z.output<typeof api.incidentAnswer>>,
  Fits<ReturnType<typeof advisoryAnswer>, z.output<typeof advisory.advisoryAnswer>>,
  Fits<ReturnType<typeof advisorySummary>, z.output<typeof advisory.advisorySummarySchema>>,
  Fits<ReturnType<typeof transmissionReport>, z.output<typeof advisory.drillReportSchema>>,
  Fits<ReturnType<typeof recipientRow>, z.output<typeof advisory.recipientRowSchema>>,
  Fits<ReturnType<typeof transmission>, z.output<typeof advisory.transmissionSchema>>,
  Fits<AdvisoryListRow, z.output<typeof advisory.advisoryListSchema>['items'][number]>,
  Fits<AckAnswer, z.output<typeof advisory.ackAnswerSchema>>,
  Fits<ReturnType<typeof auditEventView>, z.output<typeof audit.auditEventSchema>>,
  Fits<ComplianceRow, z.output<typeof audit.complianceSchema>['rows'][number]>,
  Fits<Checkpoint, z.output<typeof audit.checkpointSchema>>,
  Fits<ActivityView, z.output<typeof report.activitySchema>>,
  Fits<PlanView, z.output<typeof report.planSchema>>,
  Fits<AnnualReport, z.output<typeof report.annualReportSchema>>,
  Fits<ReturnType<typeof surveyAnswer>, z.output<typeof survey.surveyAnswerSchema>>,
  Fits<ReturnType<typeof surveyRow>, z.output<typeof survey.surveyListSchema>['items'][number]>,
  Fits<ReturnType<typeof surveyView>, z.output<typeof survey.surveyViewSchema>>,
  Fits<ReturnType<typeof responseView>, z.output<typeof survey.responseViewSchema>>,
  Fits<ReturnType<typeof resultsView>, z.output<typeof survey.resultsSchema>>,
];

it('type-checks the views against their response schemas (tsc fails otherwise)', () => {
  const fits: ViewsFitTheirSchemas[number] = true;
  expect(fits).toBe(true);
});
