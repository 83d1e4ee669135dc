import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import type { AdvisoryState } from '../events/advisory/advisory.ts';
import { advisories, recipientId, recipients } from '../functions/aggregates/advisories.ts';
import type { ExerciseSummary, SurveySummary } from '../functions/reports/annual-report.ts';
import { setReportProviders } from '../functions/reports/providers.ts';
import { decideAndFold, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import type { LocalStack } from '../local/stack.ts';
import { launchBrowser } from './support/browser.ts';
import { TEST_REGION } from './support/dynamo.ts';
import { POLICY } from './support/fixtures.ts';
import { type ApiResponse, apiClient, startTestStack } from './support/local-api.ts';
import { pdfInfo, pdfText } from './support/pdftotext.ts';

// The seed's own year (化学CEPTOAR, 2015年度): 11 member companies, the WG held three times, an
// exchange with JPCERT/CC, the council; a drill in August acknowledged by every member within one
// day; the penetration survey (July–September) and the J-CLICS self-assessment (November–January);
// one cross-sector exercise in December with one participant and one observer. Surveys and
// exercises come from injected providers (built elsewhere); the rest is written to the local stack.

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
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
const SECRETARIAT = { role: 'secretariat' };
const AUDITOR = { role: 'auditor' };

const JST = (local: string) => new Date(`${local}+09:00`).toISOString();

const SURVEYS: SurveySummary[] = [
  {
    id: 'survey-penetration-2015',
    title: { ja: '安全基準等の浸透状況調査', en: 'Safety-standard penetration survey' },
    series: 'nisc-penetration',
    issuedAt: JST('2015-07-01T10:00:00'),
    dueAt: JST('2015-09-30T17:00:00'),
    closedAt: JST('2015-09-30T17:00:00'),
    invited: 11,
    responded: 11,
    late: 0,
    responseRate: 1,
  },
  {
    id: 'survey-jclics-2015',
    title: { ja: 'セルフアセスメント（J-CLICS）', en: 'Control-system self-assessment (J-CLICS)' },
    series: 'j-clics',
    issuedAt: JST('2015-11-02T10:00:00'),
    dueAt: JST('2016-01-29T17:00:00'),
    closedAt: JST('2016-01-29T17:00:00'),
    invited: 11,
    responded: 11,
    late: 0,
    responseRate: 1,
    sectorScore: { median: 2.4, q1: 1.9, q3: 2.8 },
  },
];
const EXERCISES: ExerciseSummary[] = [
  {
    id: 'exercise-2015',
    title: { ja: '分野横断的演習（東京会場）', en: 'Cross-sector exercise (Tokyo venue)' },
    startedAt: JST('2015-12-08T09:30:00'),
    sectors: ['chemical', 'electricity', 'gas'],
    participants: [
      { org: 'kaigan-chemical', name: 'Kaigan Chemical', role: 'observer' },
      { org: 'asahi-petrochem', name: 'Asahi Petrochem', role: 'participant' },
    ],
    injects: 6,
    expectedActions: 6,
    actionsOnTime: 5,
    actionsLate: 1,
    actionsMissed: 0,
  },
];

const ACTIVITIES = [
  {
    date: '2015-06-12',
    kind: 'wg-meeting',
    title: '第1回 情報セキュリティWG',
    participants: { organizations: ['asahi-petrochem', 'kaigan-chemical'], people: [] },
  },
  {
    date: '2015-10-09',
    kind: 'wg-meeting',
    title: '第2回 情報セキュリティWG',
    participants: { organizations: ['minato-polymer'], people: ['JPCERT/CC 担当者'] },
  },
  {
    date: '2015-10-09',
    kind: 'jpcert-exchange',
    title: 'ＪＰＣＥＲＴコーディネーションセンターとの意見交換',
  },
  { date: '2015-11-20', kind: 'council-meeting', title: 'セプターカウンシル総会' },
  {
    date: '2016-02-19',
    kind: 'wg-meeting',
    title: '第3回 情報セキュリティWG',
    note: '2016年度活動計画（案）の検討',
  },
  // Next fiscal year (the committee report of 30 May 2016): not in FY 2015's report.
  { date: '2016-05-30', kind: 'committee-report', title: '情報通信委員会への報告' },
];

const PLAN = {
  sections: [
    { heading: '情報セキュリティWG体制', body: '会員各社にWG参加を働きかける。' },
    {
      heading: '安全基準の運用と改善',
      body: '安全基準（第１版）の会員への浸透をはかり、各社の自己評価と改善を推進する。',
    },
    { heading: '分野横断的演習', body: '官民連携で行う分野横断演習等に参加して、障害対応力の強化をはかる。' },
  ],
};

/** Writes the August drill with the times it had: every member acknowledges within hours. */
async function writeDrill(): Promise<string> {
  const client = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: TEST_REGION,
    credentials: stack.endpoints.credentials,
  });
  const store = new DynamoDbEventStore(client, stack.tableName);
  const listed = await api.call('GET', '/directory/organizations', { token: await token(SECRETARIAT) });
  const members: string[] = listed.body.items
    .filter((o: { kind: string }) => o.kind === 'member')
    .map((o: { org: string }) => o.org)
    .sort();
  const roster = { members, logins: {} };
  expect(roster.members).toHaveLength(11);
  const secretariat: Actor = { kind: 'user', sub: 'u-sec-2015', role: 'secretariat', org: 'secretariat' };
  const advisoryId = '2015a0a0-0815-4000-8000-000000000001';
  const issuedAt = JST('2015-08-20T10:00:00');
  const ctx = { now: issuedAt, actor: secretariat, policy: POLICY };
  const command = {
    type: 'IssueAdvisory' as const,
    data: {
      advisoryId,
      sector: 'chemical' as const,
      title: '【訓練】セプター訓練（全構成員）',
      body: '訓練です。受領を確認してください。',
      tlp: 'GREEN' as const,
      severity: 'medium' as const,
      ackWithinHours: 24,
      audience: 'all' as const,
      drill: true,
      roster,
    },
  };
  const issued = decideAndFold(advisories, null, 0, command, ctx);
  const state = issued.state as AdvisoryState;
  // The acknowledgements first: each recipient stream is new, so its times are the ones given here
  // (the deliveries the stack then makes are recorded later, at today's time, after them).
  for (const [i, org] of roster.members.entries()) {
    const member: Actor = { kind: 'user', sub: `u-${org}`, role: 'member', org };
    await runCommand(
      store,
      recipients,
      recipientId(advisoryId, org),
      { type: 'Acknowledge', data: { advisoryId, org, contactId: null, via: 'api' } },
      {
        now: new Date(Date.parse(issuedAt) + (i + 1) * 45 * 60_000).toISOString(),
        actor: member,
        policy: POLICY,
        advisory: state,
      },
    );
  }
  await runCommand(store, advisories, advisoryId, command, ctx);
  return advisoryId;
}

/**
 * With CEPTOAR_WRITE_DOCS=1, the report's first two A4 pages as Chromium lays the document out for
 * print (print media, an A4 page's width and height in CSS pixels) go to docs/ (README links them).
 */
async function screenshotPages(html: string): Promise<void> {
  if (!process.env.CEPTOAR_WRITE_DOCS) return;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    for (const n of [1, 2]) {
      await page.screenshot({
        path: join('docs', `annual-report-page${n}.png`),
        fullPage: true,
        clip: { x: 0, y: (n - 1) * 1123, width: 794, height: 1123 },
      });
    }
  } finally {
    await browser.close();
  }
}

let activityIds: string[] = [];
let checkpointId = '';

beforeAll(async () => {
  stack = await startTestStack({ checkpointSeconds: 0 });
  api = apiClient(stack.url);
  setReportProviders({ surveys: async () => SURVEYS, exercises: async () => EXERCISES });
  const sec = await token(SECRETARIAT);
  activityIds = [];
  for (const a of ACTIVITIES) {
    const res = await api.call('POST', '/activities', { token: sec, body: a });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    activityIds.push(res.body.id);
  }
  const plan = await api.call('PUT', '/reports/chemical/2015/plan', { token: sec, body: PLAN });
  expect(plan.status, JSON.stringify(plan.body)).toBe(200);
  await writeDrill();
  await stack.settle();
  const cp = await api.call('POST', '/audit/checkpoints', { token: await token(AUDITOR) });
  expect(cp.status, JSON.stringify(cp.body)).toBe(201);
  checkpointId = cp.body.id;
}, 300_000);
afterAll(async () => {
  setReportProviders({});
  await stack?.stop();
});

const get = async (
  path: string,
  who: Record<string, string> = SECRETARIAT,
  accept?: string,
): Promise<ApiResponse> =>
  api.call('GET', path, { token: await token(who), ...(accept ? { headers: { accept } } : {}) });

describe('activities', () => {
  it("lists the fiscal year's activities in date order, and not those of the next year", async () => {
    const res = await get('/activities?fy=2015');
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { date: string; kind: string }) => `${a.date} ${a.kind}`)).toEqual([
      '2015-06-12 wg-meeting',
      // One date: in the order they were recorded.
      '2015-10-09 wg-meeting',
      '2015-10-09 jpcert-exchange',
      '2015-11-20 council-meeting',
      '2016-02-19 wg-meeting',
    ]);
    const next = await get('/activities?fy=2016', { role: 'ministry', org: 'meti' });
    expect(next.body.items.map((a: { kind: string }) => a.kind)).toEqual(['committee-report']);
  });

  it('stores minutes in the data folder, records their SHA-256, and gives the same bytes back', async () => {
    const id = activityIds[0] ?? '';
    const text = '第1回 情報セキュリティWG 議事録\n出席: 旭ペトロケム、海岸化学\n';
    const res = await fetch(
      `${stack.url}/activities/${id}/minutes?filename=${encodeURIComponent('議事録 第1回.txt')}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token(SECRETARIAT)}`,
          'content-type': 'text/plain; charset=utf-8',
        },
        body: text,
      },
    );
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    const sha = createHash('sha256').update(text).digest('hex');
    expect(body).toMatchObject({
      n: 1,
      contentType: 'text/plain; charset=utf-8',
      sha256: sha,
      filename: '議事録 第1回.txt',
    });
    expect(existsSync(join(stack.dataDir, 'blobs', 'minutes', id, sha))).toBe(true);
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.4\n'),
      Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a]),
      Buffer.from('%%EOF\n'),
    ]);
    const second = await fetch(`${stack.url}/activities/${id}/minutes?filename=minutes.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(SECRETARIAT)}`, 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(second.status).toBe(201);
    const back = await fetch(`${stack.url}/activities/${id}/minutes/2`, {
      headers: { authorization: `Bearer ${await token({ role: 'auditor' })}` },
    });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await back.arrayBuffer()).equals(pdf)).toBe(true);
    const one = await get(`/activities/${id}`);
    expect(one.body.minutes.map((m: { n: number }) => m.n)).toEqual([1, 2]);
  });

  it('refuses minutes of another type, mislabelled, empty or too large, writing nothing', async () => {
    const id = activityIds[1] ?? '';
    const post = async (body: Buffer | string, type: string) =>
      fetch(`${stack.url}/activities/${id}/minutes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(SECRETARIAT)}`, 'content-type': type },
        body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
      });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect((await post(png, 'application/pdf')).status).toBe(415);
    expect((await post('plain words', 'application/pdf')).status).toBe(415);
    expect((await post('', 'text/plain')).status).toBe(400);
    expect((await post('x'.repeat(300 * 1024), 'text/plain')).status).toBe(413);
    const one = await get(`/activities/${id}`);
    expect(one.body.minutes).toEqual([]);
    expect(one.body.version).toBe(1);
  });

  it('answers 400 per field to a bad activity and records nothing', async () => {
    const before = (await get('/activities')).body.items.length;
    const res = await api.call('POST', '/activities', {
      token: await token(SECRETARIAT),
      body: { date: '2015-02-30', kind: 'party', title: '' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['date', 'kind', 'title']);
    expect((await get('/activities')).body.items.length).toBe(before);
    expect((await get('/activities?fy=15')).status).toBe(400);
  });

  it('keeps activities inside their sector: another sector is 404, a ministry may not record', async () => {
    const id = activityIds[0] ?? '';
    expect((await get(`/activities/${id}`, { role: 'secretariat', sector: 'gas' })).status).toBe(404);
    expect((await get(`/activities/${id}`, { role: 'auditor', sector: 'banking' })).status).toBe(404);
    expect((await get(`/activities/${id}/minutes/1`, { role: 'ministry', org: 'fsa' })).status).toBe(404);
    expect((await get('/activities?fy=2015', { role: 'secretariat', sector: 'gas' })).body.items).toEqual([]);
    const write = await api.call('POST', '/activities', {
      token: await token({ role: 'ministry', org: 'meti' }),
      body: ACTIVITIES[0],
    });
    expect(write.status).toBe(403);
  });
});

describe('the plan', () => {
  it('is saved by the secretariat as events, and refused from others or with bad sections', async () => {
    const read = await get('/reports/chemical/2015/plan', { role: 'nisc' });
    expect(read.body).toMatchObject({ planYear: 2016, version: 1, sections: PLAN.sections });
    const again = await api.call('PUT', '/reports/chemical/2015/plan', {
      token: await token(SECRETARIAT),
      body: PLAN,
    });
    expect(again.body.changed).toBe(false);
    const bad = await api.call('PUT', '/reports/chemical/2015/plan', {
      token: await token(SECRETARIAT),
      body: { sections: [{ heading: '', body: 'x' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('sections.0.heading');
    const ministry = await api.call('PUT', '/reports/chemical/2015/plan', {
      token: await token({ role: 'ministry', org: 'meti' }),
      body: PLAN,
    });
    expect(ministry.status).toBe(403);
    expect((await get('/reports/chemical/2015/plan', { role: 'secretariat', sector: 'gas' })).status).toBe(
      404,
    );
    expect((await get('/reports/chemical/2015/plan')).body.version).toBe(1);
  });
});

describe('the fiscal-year report', () => {
  it("states the seed year's figures, computed against the named checkpoint", async () => {
    const res = await get('/reports/chemical/2015', { role: 'ministry', org: 'meti' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const r = res.body;
    expect(r.checkpoint.id).toBe(checkpointId);
    expect(r.period).toEqual({ from: '2015-03-31T15:00:00.000Z', to: '2016-03-31T14:59:59.999Z' });
    expect(r.members).toBe(11);
    expect(r.activities.byKind.find((k: { kind: string }) => k.kind === 'wg-meeting').count).toBe(3);
    expect(r.activities.count).toBe(5);
    expect(r.drills.count).toBe(1);
    expect(r.drills.items[0]).toMatchObject({ recipients: 11, acknowledgedWithinOneDay: 11, oneDayRate: 1 });
    expect(r.drills.items[0].issuedAt.slice(0, 7)).toBe('2015-08');
    expect(r.surveys.items.map((s: { id: string }) => s.id)).toEqual([
      'survey-penetration-2015',
      'survey-jclics-2015',
    ]);
    expect(r.exercises.items[0]).toMatchObject({ participantCount: 1, observerCount: 1 });
    expect(r.incidents.reported).toBe(0);
    expect(r.plan.sections).toHaveLength(3);
  });

  it('writes the same figures into the HTML, byte for byte the same twice, in Japanese and in English', async () => {
    const first = await get('/reports/chemical/2015', SECRETARIAT, 'text/html');
    const second = await get('/reports/chemical/2015', AUDITOR, 'text/html');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(second.body).toBe(first.body);
    const html: string = first.body;
    for (const figure of [
      '化学CEPTOAR 2015年度活動報告／2016年度活動計画',
      '11社',
      '情報セキュリティWGを本年度3回開催',
      '構成員すべてを対象としたセプター訓練を実施（8月）（１日以内の情報伝達率100%）',
      '安全基準等の浸透状況調査を実施（7〜9月、回答率100%）',
      'セルフアセスメント（J-CLICS）を実施（11〜1月、回答率100%）',
      '分野横断的演習（東京会場）に参加（参加1社、見学参加1社）（12月）',
      checkpointId,
    ])
      expect(html).toContain(figure);
    expect(html).toContain('<svg');
    const english = await get('/reports/chemical/2015?lang=en', SECRETARIAT, 'text/html');
    expect(english.body).toContain('The information-security WG met 3 times this year');
    expect(english.body).toContain('transmission rate within one day 100%');
  });

  it('prints an A4 PDF whose text carries the same figures, and saves its first two pages to docs/', async () => {
    const res = await fetch(`${stack.url}/reports/chemical/2015`, {
      headers: { authorization: `Bearer ${await token(SECRETARIAT)}`, accept: 'application/pdf' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = join(stack.dataDir, 'out');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = pdfText(file).replace(/\s+/g, '');
    for (const figure of [
      '2015年度活動報告',
      '11社',
      'WGを本年度3回開催',
      '１日以内の情報伝達率100%',
      '7〜9月',
      '11〜1月',
      '参加1社、見学参加1社',
    ])
      expect(text).toContain(figure);
    const info = pdfInfo(file);
    expect(info['Page size']).toMatch(/\(A4\)/);
    expect(Number(info.Pages)).toBeGreaterThanOrEqual(2);
    await screenshotPages((await get('/reports/chemical/2015', SECRETARIAT, 'text/html')).body);
  }, 60_000);

  it('answers 400 to a bad year, language or moment, and 409 before any checkpoint', async () => {
    for (const path of [
      '/reports/chemical/15',
      '/reports/chemical/2015?lang=fr',
      '/reports/chemical/2015?asOf=yesterday',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const early = await get('/reports/chemical/2015?asOf=2016-04-01T00:00:00%2B09:00');
    expect(early.status).toBe(409);
  });

  it("is 404 for another sector's callers and 403 for a member", async () => {
    for (const who of [
      { role: 'secretariat', sector: 'gas' } as Record<string, string>,
      { role: 'auditor', sector: 'banking' },
      { role: 'ministry', org: 'fsa' },
    ]) {
      expect((await get('/reports/chemical/2015', who)).status, JSON.stringify(who)).toBe(404);
    }
    expect((await get('/reports/atlantis/2015', { role: 'nisc' })).status).toBe(404);
    expect((await get('/reports/chemical/2015', { role: 'member', org: 'asahi-petrochem' })).status).toBe(
      403,
    );
  });
});
