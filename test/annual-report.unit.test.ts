import { describe, expect, it } from 'vitest';
import type { ActivityState } from '../events/activity/activity.ts';
import type { Actor } from '../events/actor.ts';
import type { AdvisoryState, RecipientState } from '../events/advisory/advisory.ts';
import { transmissionReport } from '../events/advisory/report.ts';
import { evolve, type IncidentState, initialState } from '../events/incident/incident.ts';
import {
  fiscalYearOf,
  fiscalYearOfDate,
  fiscalYearRange,
  jstDate,
  parseFiscalYear,
} from '../events/report/fiscal-year.ts';
import { advisories, recipients } from '../functions/aggregates/advisories.ts';
import { minutesFilename, sniffMinutes } from '../functions/blobs/minutes.ts';
import { type AnnualReportInputs, buildAnnualReport } from '../functions/reports/annual-report.ts';
import { pct, renderAnnualReportHtml } from '../functions/reports/annual-report-html.ts';
import { decideAndFold } from '../functions/store/command-runner.ts';
import { ASAHI_MEMBER, at, HOURS, POLICY, RANSOMWARE_REPORT, REPORTED } from './support/fixtures.ts';

describe('the fiscal year (1 April – 31 March, JST)', () => {
  it('runs from 1 April 00:00 JST to the last millisecond of 31 March JST', () => {
    expect(fiscalYearRange(2015)).toEqual({
      from: '2015-03-31T15:00:00.000Z',
      to: '2016-03-31T14:59:59.999Z',
    });
  });

  it('reads an instant in JST: 31 March 23:59 JST is the old year, 1 April 00:00 JST the new', () => {
    expect(fiscalYearOf('2016-03-31T14:59:59.999Z')).toBe(2015);
    expect(fiscalYearOf('2016-03-31T15:00:00.000Z')).toBe(2016);
    // 1 April 08:59 JST is still 31 March in UTC, and already the new year.
    expect(fiscalYearOf('2016-03-31T23:59:00.000Z')).toBe(2016);
    expect(fiscalYearOf('2015-03-31T14:59:59.999Z')).toBe(2014);
    expect(fiscalYearOf('2016-01-15T00:00:00.000Z')).toBe(2015);
    expect(jstDate('2016-03-31T15:00:00.000Z')).toBe('2016-04-01');
  });

  it('places a calendar day in its year, and takes only a four-digit year in range', () => {
    expect(fiscalYearOfDate('2016-03-31')).toBe(2015);
    expect(fiscalYearOfDate('2016-04-01')).toBe(2016);
    expect(fiscalYearOfDate('2015-12-08')).toBe(2015);
    expect(parseFiscalYear('2015')).toBe(2015);
    for (const bad of ['15', '20155', '1999', '2101', 'abcd', undefined])
      expect(parseFiscalYear(bad)).toBeNull();
  });
});

const SECRETARIAT: Actor = { kind: 'user', sub: 'u-sec', role: 'secretariat' };
const MEMBERS = ['m01', 'm02', 'm03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11'];

/** An advisory issued at `issuedAt` and the members' acknowledgements `ackAfterHours` later (null: none). */
function advisory(
  id: string,
  issuedAt: string,
  drill: boolean,
  ackAfterHours: (number | null)[],
  actor = SECRETARIAT,
) {
  const command = {
    type: 'IssueAdvisory' as const,
    data: {
      advisoryId: id,
      sector: 'chemical' as const,
      title: drill ? '【訓練】セプター訓練' : 'VPN の脆弱性',
      body: 'b',
      tlp: 'GREEN' as const,
      severity: 'medium' as const,
      ackWithinHours: 48,
      audience: 'all' as const,
      drill,
      roster: { members: MEMBERS, logins: {} },
    },
  };
  const state = decideAndFold(advisories, null, 0, command, { now: issuedAt, actor, policy: POLICY })
    .state as AdvisoryState;
  const rs = MEMBERS.flatMap((org, i) => {
    const hours = ackAfterHours[i];
    if (hours === null || hours === undefined) return [];
    const member: Actor = { kind: 'user', sub: `u-${org}`, role: 'member', org };
    return [
      decideAndFold(
        recipients,
        null,
        0,
        { type: 'Acknowledge', data: { advisoryId: id, org, contactId: null, via: 'api' } },
        { now: at(issuedAt, hours * HOURS), actor: member, policy: POLICY, advisory: state },
      ).state as RecipientState,
    ];
  });
  return { state, report: transmissionReport(state, rs) };
}

function incident(
  id: string,
  createdAt: string,
  category: 'cyber_attack' | 'system_failure',
  severity: 'high' | 'low',
) {
  return evolve(initialState(), {
    ...REPORTED.event,
    data: { ...REPORTED.event.data, incidentId: id, report: { ...RANSOMWARE_REPORT, category, severity } },
    version: 1,
    recordedAt: createdAt,
    actor: ASAHI_MEMBER,
  }) as IncidentState;
}

const activity = (
  id: string,
  date: string,
  kind: ActivityState['kind'],
  title = `${kind} ${date}`,
): ActivityState => ({
  id,
  sector: 'chemical',
  date,
  kind,
  title,
  participants: { organizations: [], people: [] },
  note: '',
  recordedAt: '2016-04-10T00:00:00.000Z',
  recordedBy: 'u-sec',
  minutes: [],
  version: 1,
});

const inputs = (over: Partial<AnnualReportInputs> = {}): AnnualReportInputs => ({
  sector: 'chemical',
  sectorNames: { ja: '化学CEPTOAR', en: 'Chemical CEPTOAR' },
  members: 11,
  fiscalYear: 2015,
  period: fiscalYearRange(2015),
  asOf: null,
  checkpoint: {
    id: '2016-04-01T00-00-00-000Z',
    createdAt: '2016-04-01T00:00:00.000Z',
    treeSize: 42,
    rootHash: 'ab'.repeat(32),
    algorithm: 'Ed25519',
    keyId: 'ed25519:0123456789abcdef',
  },
  incidents: [
    incident('00000000-0000-4000-8000-000000000002', '2015-09-01T00:00:00.000Z', 'system_failure', 'low'),
    incident('00000000-0000-4000-8000-000000000001', '2015-06-01T00:00:00.000Z', 'cyber_attack', 'high'),
  ],
  compliance: { rows: [], stages: [] },
  advisories: [
    // Ten members within hours, the eleventh after 25 h: inside the 48 h window, not within one day.
    advisory(
      '00000000-0000-4000-8000-0000000000d1',
      '2015-08-20T01:00:00.000Z',
      true,
      [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 25],
    ),
    advisory('00000000-0000-4000-8000-0000000000a1', '2015-05-10T01:00:00.000Z', false, [1, 2, 3, null]),
  ],
  activities: [
    activity('a3', '2016-02-19', 'wg-meeting'),
    activity('a1', '2015-06-12', 'wg-meeting'),
    activity('a2', '2015-10-09', 'wg-meeting'),
    activity('a4', '2015-10-09', 'jpcert-exchange'),
  ],
  plan: null,
  surveys: [],
  exercises: [
    {
      id: 'x1',
      title: { ja: '分野横断的演習', en: 'Cross-sector exercise' },
      startedAt: '2015-12-08T00:30:00.000Z',
      sectors: ['gas', 'chemical'],
      participants: [
        { org: 'b', name: 'B', role: 'observer' },
        { org: 'a', name: 'A', role: 'participant' },
      ],
      injects: 3,
      expectedActions: 3,
      actionsOnTime: 3,
      actionsLate: 0,
      actionsMissed: 0,
    },
  ],
  ...over,
});

describe('the fiscal-year report', () => {
  it('counts incidents by cause and severity', () => {
    const r = buildAnnualReport(inputs());
    expect(r.incidents.reported).toBe(2);
    expect(r.incidents.relayed).toBe(0);
    const cell = (c: string, s: string) =>
      r.incidents.byCategory.find((x) => x.category === c)?.bySeverity.find((x) => x.severity === s)?.count;
    expect(cell('cyber_attack', 'high')).toBe(1);
    expect(cell('system_failure', 'low')).toBe(1);
    expect(cell('natural_disaster', 'critical')).toBe(0);
    expect(r.incidents.bySeverity.map((s) => s.count)).toEqual([0, 1, 0, 1]);
  });

  it("measures a drill's transmission rate within one day apart from its window", () => {
    const r = buildAnnualReport(inputs());
    expect(r.drills.count).toBe(1);
    expect(r.drills.items[0]).toMatchObject({
      recipients: 11,
      acknowledgedWithinWindow: 11,
      windowRate: 1,
      acknowledgedWithinOneDay: 10,
    });
    expect(pct(r.drills.oneDayRate)).toBe('90.9%');
  });

  it('keeps drills out of the advisories and sums the transmission per issuer', () => {
    const r = buildAnnualReport(inputs());
    expect(r.advisories.items.map((a) => a.id)).toEqual(['00000000-0000-4000-8000-0000000000a1']);
    expect(r.advisories.fromSecretariat).toMatchObject({
      count: 1,
      received: 1,
      shared: 1,
      recipients: 11,
      acknowledgedWithinWindow: 3,
    });
    expect(r.advisories.fromNisc).toMatchObject({ count: 0, rate: null });
  });

  it('counts activities by kind and sorts every list, so the order of the inputs does not matter', () => {
    const a = buildAnnualReport(inputs());
    expect(a.activities.byKind.find((k) => k.kind === 'wg-meeting')?.count).toBe(3);
    expect(a.activities.items.map((x) => x.id)).toEqual(['a1', 'a2', 'a4', 'a3']);
    expect(a.exercises.items[0]).toMatchObject({
      participantCount: 1,
      observerCount: 1,
      sectors: ['chemical', 'gas'],
    });
    const shuffled = inputs();
    const b = buildAnnualReport({
      ...shuffled,
      incidents: [...shuffled.incidents].reverse(),
      advisories: [...shuffled.advisories].reverse(),
      activities: [...shuffled.activities].reverse(),
    });
    expect(b).toEqual(a);
    expect(renderAnnualReportHtml(b, 'ja')).toBe(renderAnnualReportHtml(a, 'ja'));
  });

  it("renders the seed's sentences in Japanese, the same in English, and escapes what people typed", () => {
    const r = buildAnnualReport(
      inputs({ activities: [activity('a1', '2015-06-12', 'wg-meeting', '<script>alert(1)</script>')] }),
    );
    const ja = renderAnnualReportHtml(r, 'ja');
    expect(ja).toContain('<html lang="ja">');
    expect(ja).toContain('情報セキュリティWGを本年度1回開催');
    expect(ja).toContain('構成員すべてを対象としたセプター訓練を実施（8月）（１日以内の情報伝達率90.9%）');
    expect(ja).toContain('分野横断的演習に参加（参加1社、見学参加1社）（12月）');
    expect(ja).toContain('2015年4月1日～2016年3月31日');
    expect(ja).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(ja).not.toContain('<script>');
    const en = renderAnnualReportHtml(r, 'en');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('transmission rate within one day 90.9%');
  });
});

describe('minutes files', () => {
  it('are told by their bytes: PDF, DOCX, plain text; anything else is refused', () => {
    expect(sniffMinutes(Buffer.from('%PDF-1.7\n...'))).toBe('application/pdf');
    const zip = (names: string) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(names)]);
    expect(sniffMinutes(zip('[Content_Types].xml word/document.xml'))).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(sniffMinutes(zip('[Content_Types].xml xl/workbook.xml'))).toBeNull();
    expect(sniffMinutes(Buffer.from('議事録\r\n出席者: 11社\n'))).toBe('text/plain; charset=utf-8');
    expect(sniffMinutes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeNull();
    expect(sniffMinutes(Buffer.from([0x61, 0xff, 0x62]))).toBeNull();
    expect(sniffMinutes(Buffer.from('a\u0000b'))).toBeNull();
    expect(sniffMinutes(Buffer.alloc(0))).toBeNull();
  });

  it('keep a plain file name, or get one', () => {
    expect(minutesFilename('../../etc/passwd', 'text/plain; charset=utf-8', 1)).toBe('_.._etc_passwd');
    expect(minutesFilename(undefined, 'application/pdf', 2)).toBe('minutes-2.pdf');
    expect(minutesFilename('議事録 第1回.docx', 'text/plain; charset=utf-8', 1)).toBe('議事録 第1回.docx');
  });
});
