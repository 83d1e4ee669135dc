import { describe, expect, it } from 'vitest';
import {
  fiscalYearOf,
  fiscalYearOfDate,
  fiscalYearRange,
  jstDate,
  parseFiscalYear,
} from '../events/report/fiscal-year.ts';
import { minutesFilename, sniffMinutes } from '../functions/blobs/minutes.ts';
import { buildAnnualReport } from '../functions/reports/annual-report.ts';
import { pct, renderAnnualReportHtml } from '../functions/reports/annual-report-html.ts';
import { activity, inputs } from './support/annual-report-inputs.ts';

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
