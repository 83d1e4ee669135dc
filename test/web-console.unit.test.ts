import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AdvisoryFields, emptyAdvisoryFields, validateAdvisory } from '../web/src/advisory-form.ts';
import { parseConfig } from '../web/src/config.ts';
import { attemptSummary, messageRows } from '../web/src/deliveries.ts';
import { availableSlots, featureSlots } from '../web/src/features.ts';
import { advisoriesJa } from '../web/src/i18n/advisories-ja.ts';
import { auditJa } from '../web/src/i18n/audit-ja.ts';
import { en } from '../web/src/i18n/en.ts';
import { exercisesJa } from '../web/src/i18n/exercises-ja.ts';
import { formatDuration, formatTimeLeft, loadLanguage, translate } from '../web/src/i18n/index.ts';
import { ja } from '../web/src/i18n/ja.ts';
import { labelsJa } from '../web/src/i18n/labels-ja.ts';
import { secretariatJa } from '../web/src/i18n/secretariat-ja.ts';
import { yearJa } from '../web/src/i18n/year-ja.ts';
import { loadPages } from '../web/src/paged.ts';
import { authorizeUrl, codeChallenge, codeVerifier, tokenRequestBody } from '../web/src/pkce.ts';
import { emptyReportFields, type ReportFields, validateReport } from '../web/src/report-form.ts';
import { menuCurrent, parseRoute, pathOf } from '../web/src/routes.ts';
import { brandSector, sessionOrg, signInChoices, tokenRequestOf } from '../web/src/sector-choices.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console messages', () => {
  beforeAll(() => Promise.all([loadLanguage('ja'), loadLanguage('en')]));

  it('has the same keys in Japanese and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('defines each key in one table only: a later spread would silently replace an earlier one', () => {
    // The base table's own keys, read from its source (the merged object no longer shows what was replaced).
    const own = [
      ...readFileSync(join(import.meta.dirname, '../web/src/i18n/ja.ts'), 'utf8').matchAll(
        /^ {2}'([^']+)':/gm,
      ),
    ].map((m) => m[1] as string);
    const tables: [string, readonly string[]][] = [
      ['ja.ts', own],
      ['advisories-ja.ts', Object.keys(advisoriesJa)],
      ['secretariat-ja.ts', Object.keys(secretariatJa)],
      ['audit-ja.ts', Object.keys(auditJa)],
      ['exercises-ja.ts', Object.keys(exercisesJa)],
      ['year-ja.ts', Object.keys(yearJa)],
      ['labels-ja.ts', Object.keys(labelsJa)],
    ];
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [table, keys] of tables) {
      for (const key of keys) {
        const first = seen.get(key);
        if (first) twice.push(`${key} in ${first} and ${table}`);
        seen.set(key, table);
      }
    }
    expect(twice).toEqual([]);
    expect(seen.size).toBe(Object.keys(ja).length);
  });

  it('uses the same placeholders in both languages, and leaves no message empty', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
      // Japanese runs numbers and units together ("3時間12分"): only the separator may be empty.
      if (key === 'time.sep') continue;
      expect(ja[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders and formats time left and overdue in each language', () => {
    expect(translate('en', 'hop.escalations', { n: 2 })).toBe('2 escalation(s)');
    const t = (lang: 'ja' | 'en') => (key: keyof typeof ja, p?: Record<string, string | number>) =>
      translate(lang, key, p);
    const now = Date.parse('2026-11-26T00:00:00Z');
    expect(formatTimeLeft('2026-11-26T03:12:30Z', now, t('ja'))).toEqual({
      text: '残り 3時間12分',
      overdue: false,
    });
    expect(formatTimeLeft('2026-11-25T23:55:00Z', now, t('en'))).toEqual({
      text: '5 min overdue',
      overdue: true,
    });
    expect(formatDuration(26 * 3_600_000, t('en'))).toBe('1 d 2 h');
    expect(formatDuration(45_000, t('ja'))).toBe('45秒');
  });
});

describe('the report form', () => {
  const filled: ReportFields = {
    title: RANSOMWARE_REPORT.title,
    description: RANSOMWARE_REPORT.description,
    category: 'cyber_attack',
    severity: 'high',
    occurredAt: '2026-11-26T09:40',
    detectedAt: '2026-11-26T09:50',
    affectedSystems: ['business_it', 'plant_control'],
    tlp: 'AMBER',
    contactName: '山田 太郎',
    contactEmail: 'yamada@asahi-petrochem.example',
    contactPhone: '',
  };

  it('turns valid fields into the body the API schema accepts, dates as instants', () => {
    const result = validateReport(filled);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body).toMatchObject({ title: filled.title, tlp: 'AMBER', contact: { name: '山田 太郎' } });
    expect(result.body).not.toHaveProperty('contact.phone');
    expect(Date.parse(String(result.body.occurredAt))).toBe(new Date('2026-11-26T09:40').getTime());
  });

  it('names the problem of each field as a message key, the cross-field date rule included', () => {
    const result = validateReport({
      ...emptyReportFields(),
      title: 'x'.repeat(201),
      occurredAt: '2026-11-26T10:00',
      detectedAt: '2026-11-26T09:00',
      contactEmail: 'nope',
      contactPhone: '03-1234-5678',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      title: { key: 'error.tooLong', params: { max: 200 } },
      description: { key: 'error.required' },
      category: { key: 'error.choose' },
      severity: { key: 'error.choose' },
      detectedAt: { key: 'error.detectedBeforeOccurred' },
      affectedSystems: { key: 'error.chooseOne' },
      tlp: { key: 'error.choose' },
      contactName: { key: 'error.required' },
      contactEmail: { key: 'error.email' },
      contactPhone: { key: 'error.phone' },
    });
  });

  it('says "required" for an empty date rather than "wrong format"', () => {
    const result = validateReport({ ...filled, occurredAt: '' });
    expect(result.ok ? null : result.errors).toEqual({ occurredAt: { key: 'error.required' } });
  });
});

describe('PKCE for the Cognito hosted UI', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes verifiers of 43 unreserved characters, different each time', () => {
    const a = codeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(codeVerifier()).not.toBe(a);
  });

  it('asks for the code with the challenge, and trades it with the verifier', () => {
    const url = new URL(
      authorizeUrl({
        domain: 'https://relay.auth.ap-northeast-1.amazoncognito.com',
        clientId: 'client',
        redirectUri: 'https://console.example/app/auth/callback',
        challenge: 'abc',
        state: 'st',
      }),
    );
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client',
      redirect_uri: 'https://console.example/app/auth/callback',
      scope: 'openid email profile',
      code_challenge: 'abc',
      code_challenge_method: 'S256',
      state: 'st',
    });
    expect(
      Object.fromEntries(
        tokenRequestBody({ clientId: 'client', redirectUri: 'r', code: 'c', verifier: 'v' }),
      ),
    ).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client',
      redirect_uri: 'r',
      code: 'c',
      code_verifier: 'v',
    });
  });
});

describe('the advisory issue form', () => {
  const filled: AdvisoryFields = {
    ...emptyAdvisoryFields(),
    title: 'VPN 装置の脆弱性',
    body: 'CVE-2026-0001 の修正を適用してください。',
    tlp: 'AMBER',
    audienceMode: 'chosen',
    audience: ['asahi-petrochem', 'kaigan-chemical'],
  };

  it('turns valid fields into the body the API schema accepts, hours as a number', () => {
    const result = validateAdvisory({ ...filled, ackWithinHours: '48', drill: true });
    expect(result).toEqual({
      ok: true,
      body: {
        title: filled.title,
        body: filled.body,
        tlp: 'AMBER',
        severity: 'high',
        ackWithinHours: 48,
        audience: ['asahi-petrochem', 'kaigan-chemical'],
        drill: true,
      },
    });
    const all = validateAdvisory({ ...filled, audienceMode: 'all', ackWithinHours: '' });
    expect(all.ok && all.body).toMatchObject({ audience: 'all', ackWithinHours: 24 });
  });

  it('names the problem of each field as a message key, as the API schema sees it', () => {
    const result = validateAdvisory({
      ...emptyAdvisoryFields(),
      title: '   ',
      body: 'x'.repeat(20_001),
      ackWithinHours: '0',
      audienceMode: 'chosen',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        title: { key: 'error.required' },
        body: { key: 'error.tooLong', params: { max: 20_000 } },
        tlp: { key: 'error.choose' },
        ackWithinHours: { key: 'error.hours' },
        audience: { key: 'error.chooseOne' },
      },
    });
    for (const hours of ['721', 'abc', '-1']) {
      const r = validateAdvisory({ ...filled, ackWithinHours: hours });
      expect(r.ok ? null : r.errors, hours).toEqual({ ackWithinHours: { key: 'error.hours' } });
    }
  });
});

describe('paged advisory lists', () => {
  it('reads on past pages the TLP filter left empty, up to the pages asked for', async () => {
    const pages: Record<string, { items: number[]; cursor: string | null }> = {
      '': { items: [1, 2], cursor: 'a' },
      a: { items: [], cursor: 'b' },
      b: { items: [3], cursor: 'c' },
      c: { items: [4], cursor: null },
    };
    const read = (path: string) => Promise.resolve(pages[path] ?? { items: [], cursor: null });
    expect(await loadPages<number>((c) => c ?? '', 2, read)).toEqual({ items: [1, 2, 3], more: true });
    expect(await loadPages<number>((c) => c ?? '', 5, read)).toEqual({ items: [1, 2, 3, 4], more: false });
  });
});

describe('console routes and config', () => {
  it('marks the menu entry a page belongs to, once: its own page, or the first entry above a sub-page', () => {
    const secretariat = ['queue', 'incidents', 'advisories', 'board', 'drills', 'directory'] as const;
    const marks = (current: Parameters<typeof menuCurrent>[1]) => {
      const of = menuCurrent(secretariat, current);
      return secretariat.flatMap((e) => (of(e) ? [`${e}=${of(e)}`] : []));
    };
    expect(marks('queue')).toEqual(['queue=page']);
    expect(marks('drill')).toEqual(['drills=true']);
    expect(marks('organization')).toEqual(['directory=true']);
    expect(marks('advisory')).toEqual(['advisories=true']);
    // An incident is under the queue, the first of the lists it may come from in this menu.
    expect(marks('incident')).toEqual(['queue=true']);
    expect(menuCurrent(['incidents', 'report'], 'incident')('incidents')).toBe('true');
    expect(marks('report')).toEqual([]);
  });

  it('reads its own paths and a message link outside /app/ alike', () => {
    expect(parseRoute('/app/incidents/abc')).toEqual({ name: 'incident', id: 'abc' });
    expect(parseRoute('/incidents/abc')).toEqual({ name: 'incident', id: 'abc' });
    expect(parseRoute('/app/incidents/abc/events')).toEqual({ name: 'events', id: 'abc' });
    expect(parseRoute('/app/')).toEqual({ name: 'home' });
    expect(parseRoute('/app/nope')).toEqual({ name: 'notFound' });
    expect(pathOf({ name: 'incident', id: 'a/b' })).toBe('/app/incidents/a%2Fb');
  });

  it('refuses a config.json that would half-work', () => {
    expect(() => parseConfig({ auth: 'cognito', apiUrl: 'https://api' })).toThrow(/cognito\.domain/);
    expect(() => parseConfig({ apiUrl: '' })).toThrow(/auth/);
    expect(parseConfig({ auth: 'local', apiUrl: 'https://api/' })).toMatchObject({
      apiUrl: 'https://api',
      pollSeconds: 10,
    });
  });

  it('shows the audit slot to auditors once the API answers its probe, opening the audit pages', async () => {
    expect(featureSlots.find((s) => s.id === 'audit')?.page).toEqual({ name: 'audit' });
    const answering = (status: number) => async () => new Response(null, { status });
    const ids = async (role: 'auditor' | 'member', status: number) =>
      (await availableSlots(role, 'https://api', 'token', answering(status))).map((s) => s.id);
    expect(await ids('auditor', 400)).toContain('audit');
    expect(await ids('auditor', 404)).not.toContain('audit');
    expect(await ids('member', 400)).not.toContain('audit');
  });

  it('reads the audit paths, a stream id with its # included', () => {
    const id = 'incident#6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
    expect(pathOf({ name: 'auditStream', id })).toBe(`/app/audit/streams/${encodeURIComponent(id)}`);
    expect(parseRoute(pathOf({ name: 'auditStream', id }))).toEqual({ name: 'auditStream', id });
    expect(parseRoute('/app/audit')).toEqual({ name: 'audit' });
    expect(parseRoute('/app/audit/compliance')).toEqual({ name: 'auditCompliance' });
  });

  it('opens a real route from each slot that has a page', () => {
    const withPage = featureSlots.filter((s) => s.page !== undefined);
    expect(withPage.map((s) => s.id)).toEqual(
      expect.arrayContaining(['advisories', 'board', 'drills', 'directory', 'audit']),
    );
    for (const slot of withPage) {
      const page = slot.page as NonNullable<typeof slot.page>;
      expect(parseRoute(pathOf(page)), slot.id).toEqual(page);
      expect(page.name, slot.id).not.toBe('notFound');
    }
  });

  it("reads the secretariat's drill, directory and share paths", () => {
    expect(parseRoute('/app/drills')).toEqual({ name: 'drills' });
    expect(parseRoute('/app/drills/d-1')).toEqual({ name: 'drill', id: 'd-1' });
    expect(parseRoute('/app/directory')).toEqual({ name: 'directory' });
    expect(parseRoute('/app/directory/asahi-petrochem')).toEqual({
      name: 'organization',
      org: 'asahi-petrochem',
    });
    expect(parseRoute('/app/incidents/abc/share')).toEqual({ name: 'share', id: 'abc' });
    expect(pathOf({ name: 'share', id: 'a/b' })).toBe('/app/incidents/a%2Fb/share');
  });

  it('reads the advisory pages, and an advisory message link outside /app/', () => {
    expect(parseRoute('/app/advisories')).toEqual({ name: 'advisories' });
    expect(parseRoute('/app/advisories/new')).toEqual({ name: 'issueAdvisory' });
    expect(parseRoute('/advisories/3f0c')).toEqual({ name: 'advisory', id: '3f0c' });
    expect(parseRoute('/app/board')).toEqual({ name: 'board' });
    expect(parseRoute('/app/public/board')).toEqual({ name: 'publicBoard' });
    expect(pathOf({ name: 'advisory', id: 'a b' })).toBe('/app/advisories/a%20b');
  });
});

describe("the console's notification list", () => {
  const KEY_A = '1:review_requested:sec-duty:webhook';
  const KEY_B = '1:review_requested:sec-duty:email';
  const KEY_C = '3:relay:meti-duty:webhook';
  const attempt = (key: string, n: number, at: string, error = 'HTTP 503') => ({
    key,
    purpose: 'review_requested',
    channel: 'webhook' as const,
    attempt: n,
    error,
    at,
    nextAttemptAt: new Date(Date.parse(at) + 30_000).toISOString(),
  });
  const deliveries = [
    {
      key: KEY_B,
      at: '2026-11-26T01:00:01Z',
      purpose: 'review_requested',
      channel: 'email' as const,
      ok: true,
    },
    {
      key: KEY_A,
      at: '2026-11-26T01:01:30Z',
      purpose: 'review_requested',
      channel: 'webhook' as const,
      ok: true,
    },
  ];
  const attempts = [
    attempt(KEY_A, 1, '2026-11-26T01:00:00Z'),
    attempt(KEY_A, 2, '2026-11-26T01:00:30Z', 'ECONNREFUSED'),
    { ...attempt(KEY_C, 1, '2026-11-26T02:00:00Z'), purpose: 'relay' },
  ];

  it('lists each message once, by its first record, with its outcome and the attempts that failed before it', () => {
    expect(messageRows(deliveries, attempts)).toEqual([
      {
        key: KEY_A,
        purpose: 'review_requested',
        channel: 'webhook',
        contact: 'sec-duty',
        outcome: { ok: true, at: '2026-11-26T01:01:30Z' },
        attempts: {
          count: 2,
          error: 'ECONNREFUSED',
          at: '2026-11-26T01:00:30Z',
          nextAttemptAt: '2026-11-26T01:01:00.000Z',
        },
      },
      {
        key: KEY_B,
        purpose: 'review_requested',
        channel: 'email',
        contact: 'sec-duty',
        outcome: { ok: true, at: '2026-11-26T01:00:01Z' },
        attempts: null,
      },
      // Still being retried: no outcome yet.
      {
        key: KEY_C,
        purpose: 'relay',
        channel: 'webhook',
        contact: 'meti-duty',
        outcome: null,
        attempts: {
          count: 1,
          error: 'HTTP 503',
          at: '2026-11-26T02:00:00Z',
          nextAttemptAt: '2026-11-26T02:00:30.000Z',
        },
      },
    ]);
  });

  it('summarises no attempts as none, and several by the last to fail', () => {
    expect(attemptSummary([])).toBeNull();
    expect(attemptSummary([attempts[1], attempts[0]] as never)).toMatchObject({
      count: 2,
      error: 'ECONNREFUSED',
    });
  });
});

describe('the local sign-in and the title across sectors', () => {
  const config = {
    sectors: [
      { id: 'banking', names: { ja: '銀行等CEPTOAR', en: 'Banking CEPTOAR' } },
      { id: 'chemical', names: { ja: '化学CEPTOAR', en: 'Chemical CEPTOAR' } },
      { id: 'aviation', names: { ja: '航空CEPTOAR', en: 'Aviation CEPTOAR' } },
    ],
    organisations: [
      {
        id: 'aviation-member-1',
        kind: 'member',
        sector: 'aviation',
        name: { ja: '航空 1', en: 'Aviation 1' },
      },
      { id: 'banking-member-1', kind: 'member', sector: 'banking', name: { ja: '銀行 1', en: 'Bank 1' } },
      // A directory from before sectors names none: chemical's.
      { id: 'kaigan-chemical', kind: 'member', name: { ja: '海岸化学', en: 'Kaigan Chemical' } },
      { id: 'banking-member-2', kind: 'member', sector: 'banking', name: { ja: '銀行 2', en: 'Bank 2' } },
      { id: 'mlit', kind: 'ministry', name: { ja: '国土交通省', en: 'MLIT' } },
      { id: 'ministry', kind: 'ministry', name: { ja: '経済産業省', en: 'METI' } },
      { id: 'secretariat', kind: 'secretariat', name: { ja: '事務局', en: 'Secretariat' } },
    ],
  } as const;

  it("offers members by sector, chemical's first then in the sectors' order, and METI first among ministries", () => {
    const choices = signInChoices(config);
    expect(choices.members.map((g) => [g.sector, g.orgs.map((o) => o.id)])).toEqual([
      ['chemical', ['kaigan-chemical']],
      ['banking', ['banking-member-1', 'banking-member-2']],
      ['aviation', ['aviation-member-1']],
    ]);
    expect(choices.ministries.map((m) => m.id)).toEqual(['ministry', 'mlit']);
    // A config from before sectors: chemical's members alone, nothing else to pick.
    const old = signInChoices({ organisations: config.organisations.slice(2, 3), sectors: [] });
    expect(old.members).toEqual([{ sector: 'chemical', orgs: [config.organisations[2]] }]);
  });

  it('asks /local/token for each role as the stack reads it', () => {
    const choices = signInChoices(config);
    const form = { org: 'banking-member-2', sector: 'banking', ministry: 'mlit', scope: '' };
    expect(tokenRequestOf(choices, { ...form, role: 'member' })).toEqual({
      role: 'member',
      org: 'banking-member-2',
    });
    expect(tokenRequestOf(choices, { ...form, role: 'secretariat' })).toEqual({
      role: 'secretariat',
      sector: 'banking',
    });
    expect(tokenRequestOf(choices, { ...form, role: 'ministry' })).toEqual({ role: 'ministry', org: 'mlit' });
    // METI, or a ministry the directory does not list, is not named: the stack's default (METI) applies,
    // with the same subject as the CLI's `--role ministry`.
    for (const ministry of ['ministry', 'nowhere'])
      expect(tokenRequestOf(choices, { ...form, role: 'ministry', ministry })).toEqual({ role: 'ministry' });
    expect(sessionOrg({ role: 'ministry', org: undefined })).toBe('ministry');
    expect(sessionOrg({ role: 'ministry', org: 'mlit' })).toBe('mlit');
    expect(sessionOrg({ role: 'nisc', org: undefined })).toBeUndefined();
    expect(tokenRequestOf(choices, { ...form, role: 'nisc' })).toEqual({ role: 'nisc' });
    expect(tokenRequestOf(choices, { ...form, role: 'auditor', scope: 'aviation' })).toEqual({
      role: 'auditor',
      sector: 'aviation',
    });
  });

  it("titles the console with a member's or secretariat's sector, and with the deployment's own otherwise", () => {
    expect(brandSector({ role: 'secretariat', sector: 'banking' })).toBe('banking');
    expect(brandSector({ role: 'member', sector: undefined })).toBe('chemical');
    for (const role of ['ministry', 'nisc', 'auditor'] as const) {
      expect(brandSector({ role, sector: undefined })).toBeNull();
      expect(brandSector({ role, sector: 'banking' })).toBeNull();
    }
    expect(brandSector(null)).toBeNull();
  });
});
