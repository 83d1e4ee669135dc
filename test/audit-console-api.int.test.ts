import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../events/audit/checkpoint.ts';
import { type InclusionProof, LogVerifier } from '../events/audit/verify.ts';
import type { LocalStack } from '../local/stack.ts';
import { type AuditEvent, verifyStreamInBrowser } from '../web/src/audit-verify.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// The two read-only routes the web console's audit pages need beyond the audit API: one stream's
// inclusion proof in a checkpoint, and deadline compliance for a period.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let relayed: string;
let auditor: string;
// Both reports were detected 100 hours before the test runs: under japan-ceptoar the 第一報 (24 h) is then
// late, the 続報 (72 h) missed and the 最終報 (30 days) open, whatever day the suite runs on.
const detected = new Date(Date.now() - 100 * 3_600_000);
const AGED = {
  occurredAt: new Date(detected.getTime() - 600_000).toISOString(),
  detectedAt: detected.toISOString(),
};

beforeAll(async () => {
  stack = await startTestStack({ checkpointSeconds: 0 });
  api = apiClient(stack.url);
  auditor = await api.token('auditor');
  relayed = await api.report('asahi-petrochem', { title: 'Historian encrypted', severity: 'low', ...AGED });
  const steps: [string, string, unknown][] = [
    ['secretariat', 'decision', { decision: 'approve' }],
    ['ministry', 'receipt', {}],
    ['nisc', 'receipt', { note: '受領' }],
  ];
  for (const [role, path, body] of steps) {
    const res = await api.call('POST', `/incidents/${relayed}/${path}`, {
      token: await api.token(role),
      body,
    });
    expect(res.status).toBe(200);
  }
  await stack.settle();
});
afterAll(async () => {
  await stack?.stop();
});

const streamOf = (id: string) => `incident#${id}`;

describe('GET /audit/checkpoints/{id}/proof', () => {
  it("gives one stream's audit path, which the browser's verifier and the CLI's both accept", async () => {
    const published = await api.call<Checkpoint>('POST', '/audit/checkpoints', { token: auditor });
    expect(published.status).toBe(201);
    const streamId = streamOf(relayed);
    const res = await api.call<{ checkpoint: Checkpoint; publicKey: string; proof: InclusionProof }>(
      'GET',
      `/audit/checkpoints/latest/proof?stream=${encodeURIComponent(streamId)}`,
      { token: auditor },
    );
    expect(res.status).toBe(200);
    expect(res.body.checkpoint).toEqual(published.body);
    expect(res.body).not.toHaveProperty('leaves');
    expect(res.body.proof).toMatchObject({ checkpointId: published.body.id, streamId });
    const stream = await api.call<{ events: AuditEvent[] }>(
      'GET',
      `/audit/streams/${encodeURIComponent(streamId)}`,
      { token: auditor },
    );
    const browser = await verifyStreamInBrowser(streamId, stream.body.events, res.body);
    expect(browser).toMatchObject({ ok: true, checkpoint: { anchored: true, signatureValid: true } });
    expect(browser.checkpoint?.version).toBe(stream.body.events.length);
    const cli = new LogVerifier(res.body.publicKey);
    cli.checkpoint(res.body.checkpoint);
    cli.beginStream(streamId, res.body.proof);
    for (const e of stream.body.events)
      cli.event({ ...e, prevHash: e.prevHash ?? undefined, hash: e.hash ?? undefined });
    expect(cli.report()).toMatchObject({ ok: true, anchored: 1 });
  });

  it('answers 404 for a stream the checkpoint does not cover, 400 without a valid stream, 403 to others', async () => {
    const later = await api.report('kaigan-chemical', { title: 'After the checkpoint', ...AGED });
    const uncovered = await api.call(
      'GET',
      `/audit/checkpoints/latest/proof?stream=${encodeURIComponent(streamOf(later))}`,
      { token: auditor },
    );
    expect(uncovered.status).toBe(404);
    expect(uncovered.headers.get('content-type')).toContain('application/problem+json');
    const missing = await api.call('GET', '/audit/checkpoints/latest/proof', { token: auditor });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'stream', message: 'required' }]);
    const bad = await api.call('GET', '/audit/checkpoints/latest/proof?stream=nope', { token: auditor });
    expect(bad.status).toBe(400);
    const noSuch = await api.call(
      'GET',
      `/audit/checkpoints/1999-01-01T00-00-00-000Z/proof?stream=${encodeURIComponent(streamOf(relayed))}`,
      { token: auditor },
    );
    expect(noSuch.status).toBe(404);
    const other = await api.call(
      'GET',
      `/audit/checkpoints/latest/proof?stream=${encodeURIComponent(streamOf(relayed))}`,
      { token: await api.token('secretariat') },
    );
    expect(other.status).toBe(403);
  });
});

describe('GET /audit/compliance', () => {
  it('counts each hop run that started in the period, per hop and severity, as the CLI does', async () => {
    // The audit's time index is written by the stream projection: wait for the report made above.
    await stack.settle();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await api.call<{ from: string; to: string; rows: Record<string, unknown>[] }>(
      'GET',
      `/audit/compliance?from=${encodeURIComponent('2026-01-01T00:00:00+09:00')}&to=${encodeURIComponent(to)}`,
      { token: auditor },
    );
    expect(res.status).toBe(200);
    expect(res.body.from).toBe('2025-12-31T15:00:00.000Z');
    const row = (hop: string) => res.body.rows.find((r) => r.hop === hop && r.severity === 'low');
    // The relayed incident met every hop; the one reported later still waits on the secretariat.
    expect(row('secretariat')).toMatchObject({ total: 2, met: 1, missed: 0, open: 1, shareMet: 1 });
    expect(row('ministry')).toMatchObject({ total: 1, met: 1, missed: 0, open: 0, escalations: 0 });
    expect(row('nisc')).toMatchObject({ total: 1, met: 1 });
    expect(row('nisc')?.slowest).toEqual([{ incidentId: relayed, ms: expect.any(Number), outcome: 'met' }]);
    // Both reports were detected 100 hours ago (AGED).
    const stages = (res.body as unknown as { stages: Record<string, unknown>[] }).stages;
    const stage = (id: string) => stages.find((s) => s.preset === 'japan-ceptoar' && s.stage === id);
    expect(stage('first')).toMatchObject({ total: 2, met: 0, late: 2, missed: 0, open: 0, shareMet: 0 });
    expect(stage('update')).toMatchObject({ total: 2, missed: 2, shareMet: 0 });
    expect(stage('final')).toMatchObject({ total: 2, open: 2 });
    // A period before anything happened has no rows.
    const empty = await api.call('GET', '/audit/compliance?from=2000-01-01&to=2000-12-31', {
      token: auditor,
    });
    expect(empty.body.rows).toEqual([]);
    expect(empty.body.stages).toEqual([]);
  });

  it('refuses bad dates with problem+json, and everyone but the auditor', async () => {
    for (const query of ['', '?from=yesterday', '?from=2026-11-26T09:00', '?from=2026-11-27&to=2026-11-26']) {
      const res = await api.call('GET', `/audit/compliance${query}`, { token: auditor });
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type'), query).toContain('application/problem+json');
      expect(res.body.errors?.[0]?.path, query).toMatch(/^(from|to)$/);
    }
    const member = await api.token('member', 'asahi-petrochem');
    expect((await api.call('GET', '/audit/compliance?from=2026-01-01', { token: member })).status).toBe(403);
  });
});
