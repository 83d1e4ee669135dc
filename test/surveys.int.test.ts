import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEventReader } from '../functions/store/dynamodb-event-reader.ts';
import { surveySummariesForReport } from '../functions/surveys/report-summary.ts';
import type { LocalStack } from '../local/stack.ts';
import { FULL_ANSWERS, SELF_ASSESSMENT } from './fixtures/survey-definition.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// The whole survey flow on the local stack: build, revise, issue, drafts over two sittings, submit,
// amend, a late answer, close, results for each role (a cell under k withheld going up), CSV and XLSX.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let surveyId = '';
let dueAt = '';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ORGS = ['asahi-petrochem', 'kaigan-chemical', 'minato-polymer', 'seto-olefin', 'keiyo-aromatics'];
/** A token for these claims: the client's own for a role and organisation, a direct call for a sector. */
async function token(body: Record<string, string>): Promise<string> {
  if (!body.sector) return api.token(body.role ?? '', body.org);
  const res = await api.call<{ token: string }>('POST', '/local/token', { body });
  return res.body.token;
}
const SECRETARIAT = { role: 'secretariat' };
const member = (org: string) => ({ role: 'member', org });
const as = async (who: Record<string, string>) => ({ token: await token(who) });

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

describe('a survey from build to results', () => {
  it('builds a survey and refuses a bad definition per field, writing nothing', async () => {
    const before = await api.call('GET', '/surveys', await as(SECRETARIAT));
    const bad = await api.call('POST', '/surveys', {
      ...(await as(SECRETARIAT)),
      body: {
        tlp: 'PURPLE',
        k: 1,
        definition: {
          ...SELF_ASSESSMENT,
          sections: [{ id: 'x', title: { ja: 'x', en: 'x' }, questions: [] }],
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'definition.sections.0.questions',
      'k',
      'tlp',
    ]);
    const after = await api.call('GET', '/surveys', await as(SECRETARIAT));
    expect(after.body.items).toHaveLength(before.body.items.length);

    const created = await api.call('POST', '/surveys', {
      ...(await as(SECRETARIAT)),
      body: { definition: SELF_ASSESSMENT, tlp: 'AMBER', series: 'jclics' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    surveyId = created.body.id;
    expect(created.headers.get('location')).toBe(`/surveys/${surveyId}`);
    expect(created.body).toMatchObject({ status: 'draft', surveyVersion: 1 });
  });

  it('keeps a draft survey from members and another sector (404)', async () => {
    expect((await api.call('GET', `/surveys/${surveyId}`, await as(member('asahi-petrochem')))).status).toBe(
      404,
    );
    const gas = await as({ role: 'secretariat', sector: 'gas' });
    expect((await api.call('GET', `/surveys/${surveyId}`, gas)).status).toBe(404);
    expect((await api.call('POST', `/surveys/${surveyId}/close`, gas)).status).toBe(404);
    expect((await api.call('GET', '/surveys/not-a-uuid', await as(SECRETARIAT))).status).toBe(404);
  });

  it('makes an edit a new version', async () => {
    const revised = await api.call('PUT', `/surveys/${surveyId}`, {
      ...(await as(SECRETARIAT)),
      body: {
        definition: { ...SELF_ASSESSMENT, title: { ja: '自己評価 2026', en: 'Self-assessment 2026' } },
      },
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.surveyVersion).toBe(2);
  });

  it('issues it with a due date, refusing one in the past', async () => {
    const past = await api.call('POST', `/surveys/${surveyId}/issue`, {
      ...(await as(SECRETARIAT)),
      body: { dueAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.body.errors.map((e: { path: string }) => e.path)).toContain('dueAt');
    dueAt = new Date(Date.now() + 10_000).toISOString();
    const issued = await api.call('POST', `/surveys/${surveyId}/issue`, {
      ...(await as(SECRETARIAT)),
      body: { dueAt },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body.status).toBe('open');
    const view = await api.call('GET', `/surveys/${surveyId}`, await as(member('asahi-petrochem')));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: 'open', surveyVersion: 2, dueAt });
    expect(view.body.invited).toBeUndefined();
    expect((await api.call('GET', `/surveys/${surveyId}`, await as(member('gas-member-2')))).status).toBe(
      404,
    );
  });

  it('keeps drafts over two sittings, refuses a bad answer per question, then submits and amends', async () => {
    const asahi = await as(member('asahi-petrochem'));
    const first = await api.call('PUT', `/surveys/${surveyId}/response`, {
      ...asahi,
      body: { answers: { policy: 'yes', 'c-access': 2 } },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ status: 'draft', saves: 1 });
    const bad = await api.call('PUT', `/surveys/${surveyId}/response`, {
      ...asahi,
      body: { answers: { 'c-access': 9, staff: -1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'answers.c-access',
      'answers.staff',
    ]);
    const incomplete = await api.call('POST', `/surveys/${surveyId}/response/submit`, { ...asahi, body: {} });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'answers.c-backup',
      'answers.policy-year',
    ]);
    // The second sitting: what was saved comes back, and nothing the refused requests sent.
    const again = await api.call('GET', `/surveys/${surveyId}/response`, asahi);
    expect(again.body).toMatchObject({
      saves: 1,
      answers: { policy: 'yes', 'c-access': 2 },
      answeredVersion: 2,
    });
    await api.call('PUT', `/surveys/${surveyId}/response`, { ...asahi, body: { answers: FULL_ANSWERS } });
    const submitted = await api.call('POST', `/surveys/${surveyId}/response/submit`, { ...asahi, body: {} });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'submitted', saves: 2, late: false, amendments: 0 });
    const amended = await api.call('POST', `/surveys/${surveyId}/response/submit`, {
      ...asahi,
      body: { answers: { ...FULL_ANSWERS, 'c-backup': 4 } },
    });
    expect(amended.body).toMatchObject({ status: 'submitted', amendments: 1, late: false });
  });

  it('takes the others’ answers, one after the due date recorded as late', async () => {
    const answers: Record<string, Record<string, unknown>> = {
      'kaigan-chemical': { ...FULL_ANSWERS, 'c-access': 4, comment: '担当者が不足' },
      'minato-polymer': { ...FULL_ANSWERS, 'c-access': 1 },
      'seto-olefin': { ...FULL_ANSWERS, policy: 'partly' },
    };
    for (const [org, a] of Object.entries(answers)) {
      const res = await api.call('POST', `/surveys/${surveyId}/response/submit`, {
        ...(await as(member(org))),
        body: { answers: a },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.late).toBe(false);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(dueAt) - Date.now() + 500)));
    const late = await api.call('POST', `/surveys/${surveyId}/response/submit`, {
      ...(await as(member('keiyo-aromatics'))),
      body: { answers: FULL_ANSWERS },
    });
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(late.body.late).toBe(true);
  });

  it('closes, after which nothing is taken', async () => {
    const closed = await api.call('POST', `/surveys/${surveyId}/close`, await as(SECRETARIAT));
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const after = await api.call('POST', `/surveys/${surveyId}/response/submit`, {
      ...(await as(member('kaigan-chemical'))),
      body: {},
    });
    expect(after.status).toBe(409);
    expect(
      (await api.call('POST', `/surveys/${surveyId}/close`, await as(member('asahi-petrochem')))).status,
    ).toBe(403);
  });

  it('shows the secretariat its sector in full and each member its own scores', async () => {
    await stack.settle();
    const res = await api.call('GET', `/surveys/${surveyId}/results`, await as(SECRETARIAT));
    expect(res.status).toBe(200);
    expect(res.body.view).toBe('sector');
    const sector = res.body.sectors[0];
    expect(sector).toMatchObject({ sector: 'chemical', invited: 11, responded: 5, late: 1 });
    expect(sector.responseRate).toBeCloseTo(5 / 11, 3);
    const policy = sector.questions.find((q: { id: string }) => q.id === 'policy');
    expect(policy.cells.map((c: { count: number }) => c.count)).toEqual([4, 1, 0]);
    expect(res.body.members.map((m: { org: string }) => m.org)).toEqual([...ORGS].sort());
    expect(res.body.members.find((m: { org: string }) => m.org === 'keiyo-aromatics').late).toBe(true);
    const mine = await api.call('GET', `/surveys/${surveyId}/results`, await as(member('minato-polymer')));
    expect(mine.body.view).toBe('member');
    expect(mine.body.own.org).toBe('minato-polymer');
    expect(mine.body.members).toBeUndefined();
    expect(mine.body.sectors[0].score.overall).toMatchObject({ median: expect.any(Number) });
  });

  it('withholds a cell of fewer than k respondents and free text from the ministry until the secretariat releases it', async () => {
    const meti = await as({ role: 'ministry', org: 'meti' });
    const res = await api.call('GET', `/surveys/${surveyId}/results`, meti);
    expect(res.status).toBe(200);
    const policy = res.body.sectors[0].questions.find((q: { id: string }) => q.id === 'policy');
    // 'partly' (1) is under k; 'yes' goes too, or the total would give 'partly' away.
    expect(policy.cells.map((c: { count: number | null }) => c.count)).toEqual([null, null, 0]);
    expect(policy.suppressed).toBe(true);
    const comment = () => res.body.sectors[0].questions.find((q: { id: string }) => q.id === 'comment');
    expect(comment().texts).toBeUndefined();
    const refused = await api.call('POST', `/surveys/${surveyId}/free-text/comment/release`, {
      ...(await as(SECRETARIAT)),
      body: { texts: [''] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['texts.0']);
    const notText = await api.call('POST', `/surveys/${surveyId}/free-text/policy/release`, {
      ...(await as(SECRETARIAT)),
      body: { texts: ['x'] },
    });
    expect(notText.status).toBe(404);
    const released = await api.call('POST', `/surveys/${surveyId}/free-text/comment/release`, {
      ...(await as(SECRETARIAT)),
      body: { texts: ['人員と予算の不足を挙げる回答が多い'] },
    });
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    // The secretariat reads back what it released (the console's edit starts from it).
    const own = await api.call('GET', `/surveys/${surveyId}/results`, await as(SECRETARIAT));
    expect(own.body.released).toEqual([
      {
        questionId: 'comment',
        texts: ['人員と予算の不足を挙げる回答が多い'],
        releasedAt: expect.any(String),
      },
    ]);
    const after = await api.call('GET', `/surveys/${surveyId}/results`, meti);
    expect(after.body.sectors[0].questions.find((q: { id: string }) => q.id === 'comment').texts).toEqual([
      '人員と予算の不足を挙げる回答が多い',
    ]);
    const nisc = await api.call('GET', `/surveys/${surveyId}/results`, await as({ role: 'nisc' }));
    expect(nisc.body.view).toBe('chain');
    expect(nisc.body.sectors.map((s: { sector: string }) => s.sector)).toEqual(['chemical']);
  });

  it('exports CSV and XLSX headed in the survey language', async () => {
    const auth = { authorization: `Bearer ${await token(SECRETARIAT)}` };
    const csv = await fetch(`${stack.url}/surveys/${surveyId}/results`, {
      headers: { ...auth, accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(
      'セクター,セクション,設問ID,設問,回答,件数,回答数,中央値,第1四分位,第3四分位',
    );
    expect(text).toContain('\r\nchemical,governance,policy,セキュリティ方針はありますか,はい,4,5,,,\r\n');
    const xlsx = await fetch(`${stack.url}/surveys/${surveyId}/results`, {
      headers: { ...auth, accept: XLSX },
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe(XLSX);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['設問別', 'セクター得点', '組織別']);
    const members = workbook.getWorksheet('組織別');
    expect(members?.getRow(1).getCell(1).value).toBe('組織');
    expect(members?.rowCount).toBe(6);
    const en = await fetch(`${stack.url}/surveys/${surveyId}/results?lang=en`, {
      headers: { ...auth, accept: 'text/csv' },
    });
    expect((await en.text()).replace(/^\ufeff/, '').startsWith('Sector,Section,Question ID')).toBe(true);
  });

  it('sums the sector’s surveys up for the fiscal-year report, as of now and as of before the late answer', async () => {
    const reader = new DynamoDbEventReader(
      new DynamoDBClient({
        endpoint: stack.dynamoEndpoint,
        region: 'ap-northeast-1',
        credentials: stack.endpoints.credentials,
      }),
      stack.tableName,
    );
    const q = { sector: 'chemical', from: '2026-04-01T00:00:00+09:00', to: '2027-04-01T00:00:00+09:00' };
    const [summary] = (await surveySummariesForReport({ reader }, q)).filter((s) => s.id === surveyId);
    expect(summary).toMatchObject({
      title: { ja: '自己評価 2026', en: 'Self-assessment 2026' },
      series: 'jclics',
      dueAt,
      invited: 11,
      responded: 5,
      late: 1,
      responseRate: 0.455,
      sectorScore: { median: expect.any(Number), q1: expect.any(Number), q3: expect.any(Number) },
    });
    expect(summary?.closedAt).toBeDefined();
    const before = (await surveySummariesForReport({ reader }, { ...q, asOf: dueAt })).find(
      (s) => s.id === surveyId,
    );
    expect(before).toMatchObject({ responded: 4, late: 0 });
    expect(before?.closedAt).toBeUndefined();
    expect(await surveySummariesForReport({ reader }, { ...q, sector: 'gas' })).toEqual([]);
  });
});

describe("a NISC survey over two sectors: each reader reads its sectors' answers", () => {
  it('gives a secretariat and a ministry of one of them that sector alone, and NISC both', async () => {
    const nisc = await as({ role: 'nisc' });
    const created = await api.call('POST', '/surveys', {
      ...nisc,
      body: { definition: SELF_ASSESSMENT, tlp: 'GREEN', sectors: ['chemical', 'aviation'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    const due = new Date(Date.now() + 2 * 86_400_000).toISOString();
    expect((await api.call('POST', `/surveys/${id}/issue`, { ...nisc, body: { dueAt: due } })).status).toBe(
      200,
    );
    const answered = {
      chemical: ['asahi-petrochem', 'kaigan-chemical'],
      aviation: ['aviation-member-1', 'aviation-member-2', 'aviation-member-3'],
    };
    for (const org of [...answered.chemical, ...answered.aviation]) {
      const res = await api.call('POST', `/surveys/${id}/response/submit`, {
        ...(await as(member(org))),
        body: { answers: FULL_ANSWERS },
      });
      expect(res.status, `${org}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    await stack.settle();
    type Sector = { sector: string; responded: number };
    const read = async (who: Record<string, string>) => {
      const res = await api.call('GET', `/surveys/${id}/results`, await as(who));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return {
        responded: Object.fromEntries(res.body.sectors.map((s: Sector) => [s.sector, s.responded])),
        members: res.body.members?.map((m: { org: string }) => m.org),
      };
    };
    // The secretariats read their own sector's response heads by stream id, each only its members.
    expect(await read(SECRETARIAT)).toEqual({ responded: { chemical: 2 }, members: answered.chemical });
    expect(await read({ role: 'secretariat', sector: 'aviation' })).toEqual({
      responded: { aviation: 3 },
      members: answered.aviation,
    });
    // METI oversees chemical, not aviation; MLIT aviation.
    expect((await read({ role: 'ministry', org: 'meti' })).responded).toEqual({ chemical: 2 });
    expect((await read({ role: 'ministry', org: 'mlit' })).responded).toEqual({ aviation: 3 });
    // NISC sees both (every response head, one Query) and their total.
    expect((await read({ role: 'nisc' })).responded).toMatchObject({ chemical: 2, aviation: 3 });
  });
});
