import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { type ApiResponse, apiClient, eventually, startTestStack } from './support/local-api.ts';

// A cross-sector exercise across chemical and gas (both METI's) on the local stack at the test time
// scale (3,600: a scenario minute is 1/60 s): an incident inject in chemical, an advisory inject in
// gas released a scenario hour later; the chain acts in the normal system; gas's member never
// acknowledges, so that expected action is missed.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

const NISC = { role: 'nisc' };
const METI = { role: 'ministry', org: 'meti' };
const FSA = { role: 'ministry', org: 'fsa' };
const CHEM_SEC = { role: 'secretariat' };
const GAS_SEC = { role: 'secretariat', sector: 'gas' };
const ASAHI = { role: 'member', org: 'asahi-petrochem' };
const KAIGAN = { role: 'member', org: 'kaigan-chemical' };
const MINATO = { role: 'member', org: 'minato-polymer' };
const BANK = { role: 'member', org: 'banking-member-1' };
const BANK_SEC = { role: 'secretariat', sector: 'banking' };

const tokens = new Map<string, string>();
async function token(body: Record<string, string>): Promise<string> {
  const key = JSON.stringify(body);
  const cached = tokens.get(key);
  if (cached) return cached;
  const res = await api.call<{ token: string }>('POST', '/local/token', { body });
  if (res.status !== 200) throw new Error(`token ${key}: ${res.status} ${JSON.stringify(res.body)}`);
  tokens.set(key, res.body.token);
  return res.body.token;
}
const as = async (who: Record<string, string>, method: string, path: string, body?: unknown) =>
  api.call(method, path, { token: await token(who), ...(body !== undefined ? { body } : {}) });

const EXERCISE = {
  title: { ja: '分野横断的演習 2026', en: 'Cross-sector exercise 2026' },
  sectors: ['chemical', 'gas'],
  participants: [
    { org: 'asahi-petrochem', role: 'participant' },
    { org: 'kaigan-chemical', role: 'observer' },
    { org: 'gas-member-2', role: 'participant' },
  ],
  plannedStart: '2026-12-04T01:00:00Z',
  injects: [
    {
      id: 'ransomware',
      kind: 'incident',
      offsetMinutes: 0,
      sector: 'chemical',
      from: 'asahi-petrochem',
      title: 'Ransomware on the plant historian',
      body: 'Historian files encrypted; the DCS network is isolated.',
      severity: 'low',
      contact: { name: '演習統制 / Exercise control', email: 'control@nisc.example' },
      expected: [
        { role: 'secretariat', action: 'approve', withinMinutes: 6000 },
        { role: 'ministry', action: 'receipt', withinMinutes: 6000 },
      ],
    },
    {
      id: 'vpn-advisory',
      kind: 'advisory',
      offsetMinutes: 60,
      sector: 'gas',
      from: 'nisc',
      title: 'VPN appliance exploited',
      body: 'Patch the VPN appliance now.',
      severity: 'low',
      expected: [
        { role: 'ministry', action: 'forward', withinMinutes: 6000 },
        { role: 'secretariat', action: 'forward', withinMinutes: 6000 },
        { role: 'member', action: 'acknowledge', withinMinutes: 60 },
      ],
    },
  ],
};

let exerciseId = '';
let incidentId = '';
let advisoryId = '';

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

const listed = async () => ((await as(NISC, 'GET', '/exercises')).body.items as { id: string }[]).length;

describe('preparing an exercise', () => {
  it('refuses bad input with 400 naming the fields, and writes nothing', async () => {
    const bad = [
      { ...EXERCISE, sectors: [] },
      { ...EXERCISE, participants: [{ org: 'banking-member-1', role: 'participant' }] },
      {
        ...EXERCISE,
        injects: [
          { ...EXERCISE.injects[0], expected: [{ role: 'nisc', action: 'forward', withinMinutes: 5 }] },
        ],
      },
      { ...EXERCISE, injects: [{ ...EXERCISE.injects[0], from: 'kaigan-chemical' }] },
      { ...EXERCISE, plannedStart: 'tomorrow' },
    ];
    const paths: string[][] = [];
    for (const body of bad) {
      const res = await as(NISC, 'POST', '/exercises', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      paths.push((res.body.errors as { path: string }[]).map((e) => e.path));
    }
    expect(paths[0]).toContain('sectors');
    expect(paths[1]).toContain('participants.0.org');
    expect(paths[2]).toContain('injects.0.expected.0.action');
    expect(paths[3]).toContain('injects.0.from');
    expect(paths[4]).toContain('plannedStart');
    // A ministry may not prepare one over a sector it does not oversee.
    const fsa = await as(FSA, 'POST', '/exercises', EXERCISE);
    expect(fsa.status).toBe(400);
    expect(await listed()).toBe(0);
  });

  it('lets only NISC or a ministry prepare one (403)', async () => {
    for (const who of [ASAHI, CHEM_SEC])
      expect((await as(who, 'POST', '/exercises', EXERCISE)).status).toBe(403);
    expect(await listed()).toBe(0);
  });

  it('prepares it as planned, with the participants resolved from the directory', async () => {
    const res = await as(NISC, 'POST', '/exercises', EXERCISE);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    exerciseId = res.body.id;
    expect(res.headers.get('location')).toBe(`/exercises/${exerciseId}`);
    expect(res.body.status).toBe('planned');
    expect(
      res.body.participants.map((p: { org: string; sector: string; role: string }) => [
        p.org,
        p.sector,
        p.role,
      ]),
    ).toEqual([
      ['asahi-petrochem', 'chemical', 'participant'],
      ['kaigan-chemical', 'chemical', 'observer'],
      ['gas-member-2', 'gas', 'participant'],
    ]);
  });

  it('shows it to NISC, METI, the participants and their secretariats; others get 404', async () => {
    for (const who of [NISC, METI, CHEM_SEC, GAS_SEC, ASAHI, KAIGAN])
      expect((await as(who, 'GET', `/exercises/${exerciseId}`)).status, JSON.stringify(who)).toBe(200);
    for (const who of [FSA, BANK, BANK_SEC, MINATO]) {
      expect((await as(who, 'GET', `/exercises/${exerciseId}`)).status, JSON.stringify(who)).toBe(404);
      expect((await as(who, 'GET', `/exercises/${exerciseId}/report`)).status).toBe(404);
      expect((await as(who, 'GET', '/exercises')).body.items).toEqual([]);
    }
    expect((await as(NISC, 'GET', '/exercises/not-an-id')).status).toBe(404);
  });
});

describe('running it', () => {
  it('lets only the conductor start it (403 for a participant)', async () => {
    expect((await as(ASAHI, 'POST', `/exercises/${exerciseId}/start`, {})).status).toBe(403);
    expect((await as(FSA, 'POST', `/exercises/${exerciseId}/start`, {})).status).toBe(404);
    const res = await as(NISC, 'POST', `/exercises/${exerciseId}/start`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('running');
    expect((await as(NISC, 'POST', `/exercises/${exerciseId}/start`, {})).status).toBe(409);
  });

  it('releases the incident inject as a real incident marked as the exercise, on which the chain acts', async () => {
    incidentId = await eventually(
      async () => {
        const ex = await as(NISC, 'GET', `/exercises/${exerciseId}`);
        return ex.body.injects[0].subjectId ?? undefined;
      },
      20_000,
      'the incident inject',
    );
    const incident = await eventually(
      async () => {
        const res = await as(CHEM_SEC, 'GET', `/incidents/${incidentId}`);
        return res.status === 200 ? res : undefined;
      },
      20_000,
      'the incident',
    );
    expect(JSON.stringify(incident.body)).toContain('【訓練】[DRILL] Ransomware on the plant historian');
    expect(incident.body.org).toBe('asahi-petrochem');
    const approve = await as(CHEM_SEC, 'POST', `/incidents/${incidentId}/decision`, { decision: 'approve' });
    expect(approve.status, JSON.stringify(approve.body)).toBe(200);
    const receipt = await as(METI, 'POST', `/incidents/${incidentId}/receipt`, {});
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
  });

  it('releases the advisory inject an hour of scenario later; METI and the gas secretariat forward it', async () => {
    advisoryId = await eventually(
      async () => {
        const ex = await as(NISC, 'GET', `/exercises/${exerciseId}`);
        return ex.body.injects[1].subjectId ?? undefined;
      },
      20_000,
      'the advisory inject',
    );
    await eventually(
      async () => (await as(METI, 'GET', `/advisories/${advisoryId}`)).status === 200,
      20_000,
      'the advisory',
    );
    const m = await as(METI, 'POST', `/advisories/${advisoryId}/forward`, {});
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    const s = await as(GAS_SEC, 'POST', `/advisories/${advisoryId}/forward`, {});
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const advisory = await as(GAS_SEC, 'GET', `/advisories/${advisoryId}`);
    expect(advisory.body.drill).toBe(true);
    expect(advisory.body.exerciseId).toBe(exerciseId);
    expect(advisory.body.recipients.map((r: { org: string }) => r.org)).toEqual(['gas-member-2']);
  });

  it('keeps the exercise’s incident and advisory out of the default lists and compliance', async () => {
    await stack.settle();
    const incidents = await as(NISC, 'GET', '/incidents');
    expect(incidents.body.items.map((i: { id: string }) => i.id)).not.toContain(incidentId);
    const own = await as(NISC, 'GET', `/incidents?exercise=${exerciseId}`);
    expect(own.body.items.map((i: { id: string }) => i.id)).toEqual([incidentId]);
    const advisories = await as(NISC, 'GET', '/advisories');
    expect(advisories.body.items.map((i: { id: string }) => i.id)).not.toContain(advisoryId);
    const ownAdvisories = await as(NISC, 'GET', `/advisories?exercise=${exerciseId}`);
    expect(ownAdvisories.body.items.map((i: { id: string }) => i.id)).toEqual([advisoryId]);
    const drills = await as(GAS_SEC, 'GET', '/drills');
    expect(drills.body.items).toEqual([]);
    const from = '2026-01-01T00:00:00Z';
    const real = await as({ role: 'auditor' }, 'GET', `/audit/compliance?from=${from}`);
    const drill = await as(
      { role: 'auditor' },
      'GET',
      `/audit/compliance?from=${from}&exercise=${exerciseId}`,
    );
    const total = (r: ApiResponse) =>
      (r.body.rows as { total: number }[]).reduce((n, row) => n + row.total, 0);
    expect(real.status).toBe(200);
    expect(total(real)).toBe(0);
    expect(total(drill)).toBeGreaterThan(0);
  });

  it('ends it, and the after-action report counts four actions on time and the gas member’s acknowledgement missed', async () => {
    // The member's acknowledgement was due a scenario hour (1 s) after the release: missed by now.
    const ended = await as(NISC, 'POST', `/exercises/${exerciseId}/end`, {});
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body.status).toBe('ended');
    const res = await as(CHEM_SEC, 'GET', `/exercises/${exerciseId}/report`);
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report.overall).toEqual({ expected: 5, onTime: 4, late: 0, missed: 1, pending: 0, rate: 0.8 });
    const bySector = Object.fromEntries(
      report.sectors.map((s: { sector: string; expected: number; onTime: number; missed: number }) => [
        s.sector,
        [s.expected, s.onTime, s.missed],
      ]),
    );
    expect(bySector).toEqual({ chemical: [2, 2, 0], gas: [3, 2, 1] });
    const missed = report.rows.filter((r: { outcome: string }) => r.outcome === 'missed');
    expect(missed.map((r: { org: string; action: string }) => [r.org, r.action])).toEqual([
      ['gas-member-2', 'acknowledge'],
    ]);
    expect(
      Object.fromEntries(report.stages.map((s: { stage: string; rate: number }) => [s.stage, s.rate])),
    ).toEqual({
      'incident:secretariat:approve': 1,
      'incident:ministry:receipt': 1,
      'advisory:ministry:forward': 1,
      'advisory:secretariat:forward': 1,
      'advisory:member:acknowledge': 0,
    });
    expect(report.rows.find((r: { action: string }) => r.action === 'approve').org).toBe('secretariat');
    expect(report.timeline.filter((t: { what: string }) => t.what === 'released')).toHaveLength(2);

    // Reproducible: the same figures read later at the same asOf; before the start, nothing released.
    const asOf = report.asOf;
    const again = await as(NISC, 'GET', `/exercises/${exerciseId}/report?asOf=${encodeURIComponent(asOf)}`);
    expect(again.body).toEqual({ ...report });
    const before = new Date(Date.parse(report.startedAt) - 1).toISOString();
    const early = await as(NISC, 'GET', `/exercises/${exerciseId}/report?asOf=${encodeURIComponent(before)}`);
    expect(early.body.status).toBe('planned');
    expect(early.body.overall.expected).toBe(0);
    expect((await as(NISC, 'GET', `/exercises/${exerciseId}/report?asOf=yesterday`)).status).toBe(400);

    const csv = await api.call<string>(
      'GET',
      `/exercises/${exerciseId}/report?asOf=${encodeURIComponent(asOf)}`,
      {
        token: await token(NISC),
        headers: { accept: 'text/csv' },
      },
    );
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('inject,kind,sector,org,role,action,released_at,due_at,acted_at,seconds,outcome');
    expect(lines.filter((l) => l.endsWith(',missed'))).toHaveLength(1);
    expect(lines).toContain('sector,expected,on_time,late,missed,pending,rate,median_seconds');
  });

  it('hands the fiscal-year report its summary of the exercise', async () => {
    const { exerciseSummariesForReport } = await import('../functions/exercises/report-summary.ts');
    const { reader } = await import('../functions/store/reader.ts');
    const rows = await exerciseSummariesForReport(
      { reader },
      { sector: 'gas', from: '2026-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z' },
    );
    expect(
      rows.map((r) => [r.id, r.injects, r.expectedActions, r.actionsOnTime, r.actionsLate, r.actionsMissed]),
    ).toEqual([[exerciseId, 2, 5, 4, 0, 1]]);
    expect(
      await exerciseSummariesForReport(
        { reader },
        { sector: 'banking', from: '2026-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z' },
      ),
    ).toEqual([]);
  });

  it('starts no reporting-stage workflow for the scripted incident, while an ordinary incident gets one', async () => {
    const ordinary = await api.report('minato-polymer');
    const stageExecution = (id: string) =>
      stack.sfn.executions().find((x) => x.name === id && x.stateMachineArn.includes('StageWorkflow'));
    await eventually(async () => stageExecution(ordinary), 20_000, 'the ordinary incident’s stage workflow');
    await stack.settle();
    // Both incidents' reports were reacted to (their relay workflows run); only one has stage work.
    const relayOf = (id: string) =>
      stack.sfn.executions().find((x) => x.name === id && x.stateMachineArn.includes('RelayWorkflow'));
    expect(relayOf(incidentId)).toBeDefined();
    expect(relayOf(ordinary)).toBeDefined();
    expect(
      stack.sfn
        .executions()
        .filter((x) => x.name.startsWith(incidentId))
        .map((x) => x.stateMachineArn),
    ).not.toContainEqual(expect.stringContaining('StageWorkflow'));
    expect(stageExecution(ordinary)).toBeDefined();
  });
});
