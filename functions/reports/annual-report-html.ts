import { ackCurve, stepPath } from '../../web/src/ack-chart.ts';
import { labelsEn } from '../../web/src/i18n/labels-en.ts';
import { labelsJa } from '../../web/src/i18n/labels-ja.ts';
import type { AnnualReport } from './annual-report.ts';

/**
 * The fiscal-year report as one self-contained HTML document (inline CSS and SVG, no script):
 * what the console embeds and what Chromium prints to an A4 PDF. Pure and deterministic: every
 * time shown comes from the report (the checkpoint's moment), never the clock, so the same
 * report renders to the same bytes.
 */

export type ReportLang = 'ja' | 'en';

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const JST_MS = 9 * 3_600_000;
const jst = (iso: string) => new Date(Date.parse(iso) + JST_MS);

/** Words of the report itself; the domain's labels (categories, severities, hops) are the console's. */
const words = {
  ja: {
    title: (fy: number, next: number) => `${fy}年度活動報告／${next}年度活動計画`,
    sector: 'セプター',
    period: '対象期間',
    members: '構成員',
    membersValue: (n: number) => `${n}社`,
    basis: '算出の基準',
    basisText: (id: string, at: string) => `署名済みチェックポイント ${id}（${at} 時点のイベントログ）`,
    root: 'ルートハッシュ',
    treeSize: 'ストリーム数',
    key: '署名鍵',
    asOf: '指定時点',
    latest: '最新',
    summary: '１．活動実績の概要',
    wgHeld: (n: number) => `情報セキュリティWGを本年度${n}回開催`,
    jpcert: (n: number) => `ＪＰＣＥＲＴコーディネーションセンターとの意見交換（${n}回）`,
    council: (n: number) => `セプターカウンシルへの参加（${n}回）`,
    committee: (n: number) => `委員会・理事会への報告（${n}回）`,
    drillLine: (months: string, rate: string) =>
      `構成員すべてを対象としたセプター訓練を実施（${months}）（１日以内の情報伝達率${rate}）`,
    surveyLine: (title: string, months: string, rate: string) => `${title}を実施（${months}、回答率${rate}）`,
    exerciseLine: (title: string, p: number, o: number, months: string) =>
      `${title}に参加（参加${p}社、見学参加${o}社）（${months}）`,
    nisc: (received: number, shared: number, rate: string) =>
      `NISCから提供された情報${received}件を受領し、${shared}件をセプター内で共有（期限内の受領確認率${rate}）`,
    incidentsLine: (n: number, relayed: number) => `IT障害の報告${n}件（うち所管省庁へ連絡${relayed}件）`,
    incidents: '２．IT障害の情報連絡',
    reported: '報告件数',
    relayed: '所管省庁へ連絡',
    closed: '完了',
    category: '原因の分類',
    total: '計',
    compliance: '期限の遵守（区間別・重要度別）',
    hop: '区間',
    severity: '重要度',
    met: '期限内',
    missed: '期限超過',
    open: '未了',
    escalations: 'エスカレーション',
    rate: '遵守率',
    stages: '期限の遵守（報告段階別）',
    stage: '報告段階',
    late: '遅延',
    none: 'ありませんでした。',
    advisories: '３．情報提供（NISC等からの情報の受領と共有）',
    issuer: '発信元',
    issuerRole: { nisc: 'NISC', ministry: '所管省庁', secretariat: '事務局' } as Record<string, string>,
    count: '件数',
    received: '受領',
    shared: '共有',
    recipients: '展開先',
    acked: '期限内に受領確認',
    transmission: '伝達率',
    issuedAt: '発信日',
    titleCol: '件名',
    drills: '４．セプター訓練',
    drillWindow: '確認期限',
    oneDay: '１日以内の情報伝達率',
    hours: (h: number) => `${h}時間`,
    surveys: '５．調査',
    surveyPeriod: '期間',
    invited: '対象',
    responded: '回答',
    responseRate: '回答率',
    score: 'セクターのスコア（中央値・四分位）',
    exercises: '６．分野横断的演習',
    date: '日付',
    sectors: '参加分野',
    participants: '参加',
    observers: '見学参加',
    actions: '期待される対応（期限内／遅延／未実施）',
    activities: '７．活動の記録',
    kind: '種別',
    kinds: {
      'wg-meeting': 'WG開催',
      'jpcert-exchange': 'JPCERT/CCとの意見交換',
      'council-meeting': 'セプターカウンシル',
      'committee-report': '委員会等への報告',
      other: 'その他',
    } as Record<string, string>,
    attendees: '参加者',
    note: '概要',
    minutes: '議事録',
    plan: (next: number) => `８．${next}年度活動計画（案）`,
    noPlan: '活動計画はまだ作成されていません。',
    planSaved: (at: string, v: number) => `下書き 第${v}版（${at} 保存）`,
    chartIncidents: '原因の分類別・重要度別の件数',
    chartCompliance: '区間別の期限遵守率',
    months: (a: Date, b: Date) =>
      a.getUTCFullYear() === b.getUTCFullYear() && a.getUTCMonth() === b.getUTCMonth()
        ? `${a.getUTCMonth() + 1}月`
        : `${a.getUTCMonth() + 1}〜${b.getUTCMonth() + 1}月`,
    day: (d: Date) => `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`,
    time: (d: Date) =>
      `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} JST`,
    tilde: '～',
  },
  en: {
    title: (fy: number, next: number) => `Activity report FY${fy} / Activity plan FY${next}`,
    sector: 'CEPTOAR',
    period: 'Period',
    members: 'Members',
    membersValue: (n: number) => `${n} companies`,
    basis: 'Computed from',
    basisText: (id: string, at: string) => `signed checkpoint ${id} (the event log as of ${at})`,
    root: 'Root hash',
    treeSize: 'Streams',
    key: 'Signing key',
    asOf: 'Requested moment',
    latest: 'latest',
    summary: '1. Summary of the year',
    wgHeld: (n: number) => `The information-security WG met ${n} times this year`,
    jpcert: (n: number) => `Exchanges of views with JPCERT/CC (${n})`,
    council: (n: number) => `CEPTOAR Council meetings attended (${n})`,
    committee: (n: number) => `Reports to the committee and the board (${n})`,
    drillLine: (months: string, rate: string) =>
      `A CEPTOAR drill for all members (${months}): transmission rate within one day ${rate}`,
    surveyLine: (title: string, months: string, rate: string) =>
      `${title} (${months}, response rate ${rate})`,
    exerciseLine: (title: string, p: number, o: number, months: string) =>
      `Took part in ${title} (${p} participant, ${o} observer) (${months})`,
    nisc: (received: number, shared: number, rate: string) =>
      `Received ${received} advisories from NISC and shared ${shared} within the CEPTOAR (acknowledged in time: ${rate})`,
    incidentsLine: (n: number, relayed: number) =>
      `${n} IT incidents reported (${relayed} relayed to the ministry)`,
    incidents: '2. IT incident relay',
    reported: 'Reported',
    relayed: 'Relayed to the ministry',
    closed: 'Closed',
    category: 'Cause',
    total: 'Total',
    compliance: 'Deadline compliance per hop and severity',
    hop: 'Hop',
    severity: 'Severity',
    met: 'Met',
    missed: 'Missed',
    open: 'Open',
    escalations: 'Escalations',
    rate: 'Share met',
    stages: 'Deadline compliance per reporting stage',
    stage: 'Stage',
    late: 'Late',
    none: 'None.',
    advisories: '3. Advisories received and shared',
    issuer: 'Issued by',
    issuerRole: { nisc: 'NISC', ministry: 'Ministry', secretariat: 'Secretariat' } as Record<string, string>,
    count: 'Count',
    received: 'Received',
    shared: 'Shared',
    recipients: 'Recipients',
    acked: 'Acknowledged in time',
    transmission: 'Transmission rate',
    issuedAt: 'Issued',
    titleCol: 'Title',
    drills: '4. CEPTOAR drills',
    drillWindow: 'Window',
    oneDay: 'Transmission rate within one day',
    hours: (h: number) => `${h} h`,
    surveys: '5. Surveys',
    surveyPeriod: 'Period',
    invited: 'Invited',
    responded: 'Responded',
    responseRate: 'Response rate',
    score: 'Sector score (median, quartiles)',
    exercises: '6. Cross-sector exercises',
    date: 'Date',
    sectors: 'Sectors',
    participants: 'Participants',
    observers: 'Observers',
    actions: 'Expected actions (on time / late / missed)',
    activities: '7. Activities',
    kind: 'Kind',
    kinds: {
      'wg-meeting': 'WG meeting',
      'jpcert-exchange': 'Exchange with JPCERT/CC',
      'council-meeting': 'CEPTOAR Council',
      'committee-report': 'Report to a committee',
      other: 'Other',
    } as Record<string, string>,
    attendees: 'Participants',
    note: 'Note',
    minutes: 'Minutes',
    plan: (next: number) => `8. Activity plan FY${next} (draft)`,
    noPlan: 'No plan has been written yet.',
    planSaved: (at: string, v: number) => `Draft version ${v} (saved ${at})`,
    chartIncidents: 'Incidents by cause and severity',
    chartCompliance: 'Deadline compliance per hop',
    months: (a: Date, b: Date) => {
      const m = (d: Date) => d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
      return a.getUTCFullYear() === b.getUTCFullYear() && a.getUTCMonth() === b.getUTCMonth()
        ? `${m(a)} ${a.getUTCFullYear()}`
        : `${m(a)}–${m(b)}`;
    },
    day: (d: Date) => d.toISOString().slice(0, 10),
    time: (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} JST`,
    tilde: ' – ',
  },
} as const;

/** A share as a percentage, one decimal at most ("100%", "66.7%"); "—" for none. */
export const pct = (r: number | null): string => (r === null ? '—' : `${String(Math.round(r * 1000) / 10)}%`);

const SEVERITY_COLOURS: Record<string, string> = {
  critical: '#a3001b',
  high: '#c75000',
  medium: '#0a4a94',
  low: '#6b7b8c',
};

const table = (
  head: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
) =>
  `<table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;

/** Horizontal stacked bars: incidents per cause, split by severity. */
function incidentChart(report: AnnualReport, w: (typeof words)[ReportLang], labels: Record<string, string>) {
  const W = 640;
  const rowH = 28;
  const M = { left: 150, right: 20, top: 16, bottom: 40 };
  const rows = report.incidents.byCategory;
  const H = M.top + rows.length * rowH + M.bottom;
  const max = Math.max(1, ...rows.map((r) => r.total));
  const PW = W - M.left - M.right;
  const x = (n: number) => (n / max) * PW;
  const bars = rows
    .map((r, i) => {
      let at = 0;
      const y = M.top + i * rowH + 4;
      const parts = r.bySeverity
        .filter((s) => s.count > 0)
        .map((s) => {
          const rect = `<rect x="${(M.left + x(at)).toFixed(1)}" y="${y}" width="${x(s.count).toFixed(1)}" height="${rowH - 8}" fill="${SEVERITY_COLOURS[s.severity]}"><title>${esc(labels[`severity.${s.severity}`] ?? s.severity)}: ${s.count}</title></rect>`;
          at += s.count;
          return rect;
        })
        .join('');
      return `<text x="${M.left - 6}" y="${y + rowH / 2}" text-anchor="end" class="tick">${esc(labels[`category.${r.category}`] ?? r.category)}</text>${parts}<text x="${(M.left + x(r.total) + 4).toFixed(1)}" y="${y + rowH / 2}" class="tick">${r.total}</text>`;
    })
    .join('');
  const legend = report.incidents.bySeverity
    .map(
      (s, i) =>
        `<rect x="${M.left + i * 110}" y="${H - 18}" width="12" height="12" fill="${SEVERITY_COLOURS[s.severity]}"/><text x="${M.left + i * 110 + 16}" y="${H - 8}" class="tick">${esc(labels[`severity.${s.severity}`] ?? s.severity)}</text>`,
    )
    .join('');
  const label = rows.map((r) => `${labels[`category.${r.category}`] ?? r.category} ${r.total}`).join(', ');
  return `<figure class="chart"><figcaption>${esc(w.chartIncidents)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}" class="ack-chart"><line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + rows.length * rowH}" class="grid"/>${bars}${legend}</svg></figure>`;
}

/** The drill's acknowledgement curve: the console's drill chart (web/src/components/ack-chart.tsx), as a string. */
function drillChart(
  d: AnnualReport['drills']['items'][number],
  labels: Record<string, string>,
  duration: (s: number) => string,
) {
  const curve = ackCurve(
    {
      distributedAt: d.distributedAt,
      ackDueAt: d.ackDueAt,
      windowHours: d.windowHours,
      overall: { recipients: d.recipients },
      recipients: d.secondsToAcknowledge.map((s) => ({ secondsToAcknowledge: s })),
    },
    // The window's end: the chart of a past drill, drawn the same whatever the clock says.
    d.ackDueAt ? Math.max(Date.parse(d.ackDueAt), 0) : 0,
  );
  if (curve === null) return '';
  const W = 640;
  const H = 260;
  const M = { left: 52, right: 20, top: 16, bottom: 44 };
  const PW = W - M.left - M.right;
  const PH = H - M.top - M.bottom;
  const x = (s: number) => M.left + (curve.endSeconds === 0 ? 0 : (s / curve.endSeconds) * PW);
  const y = (share: number) => M.top + PH - share * PH;
  const ticks = [0, curve.windowSeconds / 2, curve.windowSeconds];
  if (curve.endSeconds > curve.windowSeconds * 1.15) ticks.push(curve.endSeconds);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (share) =>
        `<line x1="${M.left}" x2="${M.left + PW}" y1="${y(share)}" y2="${y(share)}" class="grid"/><text x="${M.left - 6}" y="${y(share) + 4}" text-anchor="end" class="tick">${pct(share)}</text>`,
    )
    .join('');
  const xt = ticks
    .map(
      (s) =>
        `<text x="${x(s).toFixed(1)}" y="${M.top + PH + 18}" text-anchor="middle" class="tick">${esc(s === 0 ? '0' : duration(s))}</text>`,
    )
    .join('');
  const dl = x(curve.windowSeconds).toFixed(1);
  return `<figure class="chart"><figcaption>${esc(labels['drill.chart'] ?? '')}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${d.acknowledgedWithinWindow} / ${d.recipients}`)}" class="ack-chart">${grid}${xt}<line x1="${dl}" x2="${dl}" y1="${M.top}" y2="${M.top + PH}" class="deadline"/><text x="${(x(curve.windowSeconds) - 4).toFixed(1)}" y="${M.top + 12}" text-anchor="end" class="deadline-label">${esc(labels['drill.chart.deadline'] ?? '')}</text><path d="${stepPath(curve, PW, PH)}" transform="translate(${M.left},${M.top})" class="curve"/><text x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle" class="axis-title">${esc(labels['drill.chart.x'] ?? '')}</text><text x="12" y="${M.top + PH / 2}" text-anchor="middle" class="axis-title" transform="rotate(-90 12 ${M.top + PH / 2})">${esc(labels['drill.chart.y'] ?? '')}</text></svg></figure>`;
}

const duration = (lang: ReportLang) => (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  if (lang === 'ja') return h > 0 ? `${h}時間${m > 0 ? `${m}分` : ''}` : `${m}分`;
  return h > 0 ? `${h} h${m > 0 ? ` ${m} min` : ''}` : `${m} min`;
};

const STYLE = `
@page { size: A4; margin: 16mm 14mm; }
:root { --text:#1b1b1b; --muted:#4a4a4a; --line:#c9ced6; --primary:#0a4a94; --danger:#a3001b; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans JP", "Noto Sans CJK JP", "Hiragino Sans", sans-serif; color: var(--text); font-size: 10.5pt; line-height: 1.55; margin: 0; }
main { max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 4mm; color: var(--primary); }
h2 { font-size: 13pt; border-bottom: 2px solid var(--primary); padding-bottom: 1mm; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0 0 4mm; }
dl.meta dt { font-weight: 700; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9.5pt; break-inside: auto; }
th, td { border: 1px solid var(--line); padding: 1mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
ul.summary li { margin: 1mm 0; }
figure.chart { margin: 2mm 0 4mm; break-inside: avoid; } figure.chart figcaption { font-weight: 700; font-size: 10pt; }
.ack-chart { width: 100%; height: auto; max-height: 80mm; }
.ack-chart .grid { stroke: var(--line); stroke-width: 1; }
.ack-chart .tick, .ack-chart .axis-title { fill: var(--muted); font-size: 12px; }
.ack-chart .axis-title { fill: var(--text); font-weight: 600; }
.ack-chart .deadline { stroke: var(--danger); stroke-width: 2; stroke-dasharray: 6 4; }
.ack-chart .deadline-label { fill: var(--danger); font-size: 12px; font-weight: 700; }
.ack-chart .curve { fill: none; stroke: var(--primary); stroke-width: 3; }
.plan section { break-inside: avoid; } .plan p { white-space: pre-wrap; margin: 1mm 0 3mm; }
.muted { color: var(--muted); } code { font-size: 8.5pt; overflow-wrap: anywhere; }
`;

/** Renders the report as a whole HTML document in `lang`. */
export function renderAnnualReportHtml(report: AnnualReport, lang: ReportLang): string {
  const w = words[lang];
  const labels: Record<string, string> = lang === 'ja' ? labelsJa : labelsEn;
  const day = (iso: string) => w.day(jst(iso));
  const time = (iso: string) => w.time(jst(iso));
  const months = (from: string, to: string) => w.months(jst(from), jst(to));
  const name = lang === 'ja' ? report.sectorNames.ja : report.sectorNames.en;
  const count = (kind: string) => report.activities.byKind.find((k) => k.kind === kind)?.count ?? 0;

  const summary: string[] = [];
  if (count('wg-meeting') > 0) summary.push(w.wgHeld(count('wg-meeting')));
  if (count('jpcert-exchange') > 0) summary.push(w.jpcert(count('jpcert-exchange')));
  for (const d of report.drills.items)
    summary.push(w.drillLine(months(d.issuedAt, d.issuedAt), pct(d.oneDayRate)));
  for (const s of report.surveys.items)
    summary.push(
      w.surveyLine(
        lang === 'ja' ? s.title.ja : s.title.en,
        months(s.issuedAt, s.closedAt ?? s.dueAt),
        pct(s.responseRate),
      ),
    );
  for (const e of report.exercises.items)
    summary.push(
      w.exerciseLine(
        lang === 'ja' ? e.title.ja : e.title.en,
        e.participantCount,
        e.observerCount,
        months(e.startedAt, e.startedAt),
      ),
    );
  if (count('council-meeting') > 0) summary.push(w.council(count('council-meeting')));
  if (report.advisories.fromNisc.count > 0)
    summary.push(
      w.nisc(
        report.advisories.fromNisc.received,
        report.advisories.fromNisc.shared,
        pct(report.advisories.fromNisc.rate),
      ),
    );
  summary.push(w.incidentsLine(report.incidents.reported, report.incidents.relayed));
  if (count('committee-report') > 0) summary.push(w.committee(count('committee-report')));

  const sev = (s: string) => esc(labels[`severity.${s}`] ?? s);
  const incidents =
    report.incidents.reported === 0
      ? `<p>${esc(w.none)}</p>`
      : [
          table(
            [w.reported, w.relayed, w.closed],
            [
              [
                String(report.incidents.reported),
                String(report.incidents.relayed),
                String(report.incidents.closed),
              ],
            ],
            [0, 1, 2],
          ),
          table(
            [
              w.category,
              ...report.incidents.bySeverity.map((s) => labels[`severity.${s.severity}`] ?? s.severity),
              w.total,
            ],
            report.incidents.byCategory.map((r) => [
              esc(labels[`category.${r.category}`] ?? r.category),
              ...r.bySeverity.map((s) => String(s.count)),
              String(r.total),
            ]),
            [1, 2, 3, 4, 5],
          ),
          incidentChart(report, w, labels),
          `<h3>${esc(w.compliance)}</h3>`,
          report.incidents.compliance.length === 0
            ? `<p>${esc(w.none)}</p>`
            : table(
                [w.hop, w.severity, w.total, w.met, w.missed, w.open, w.escalations, w.rate],
                report.incidents.compliance.map((r) => [
                  esc(labels[`hop.${r.hop}`] ?? r.hop),
                  sev(r.severity),
                  String(r.total),
                  String(r.met),
                  String(r.missed),
                  String(r.open),
                  String(r.escalations),
                  pct(r.shareMet),
                ]),
                [2, 3, 4, 5, 6, 7],
              ),
          `<h3>${esc(w.stages)}</h3>`,
          report.incidents.stages.length === 0
            ? `<p>${esc(w.none)}</p>`
            : table(
                [w.stage, w.total, w.met, w.late, w.missed, w.open, w.rate],
                report.incidents.stages.map((s) => [
                  esc(lang === 'ja' ? s.names.ja : s.names.en),
                  String(s.total),
                  String(s.met),
                  String(s.late),
                  String(s.missed),
                  String(s.open),
                  pct(s.shareMet),
                ]),
                [1, 2, 3, 4, 5, 6],
              ),
        ].join('');

  const adv = report.advisories;
  const totalsRow = (role: string, t: typeof adv.all) => [
    esc(w.issuerRole[role] ?? role),
    String(t.count),
    String(t.received),
    String(t.shared),
    String(t.recipients),
    String(t.acknowledgedWithinWindow),
    pct(t.rate),
  ];
  const advisories =
    adv.all.count === 0
      ? `<p>${esc(w.none)}</p>`
      : table(
          [w.issuer, w.count, w.received, w.shared, w.recipients, w.acked, w.transmission],
          [
            totalsRow('nisc', adv.fromNisc),
            totalsRow('ministry', adv.fromMinistry),
            totalsRow('secretariat', adv.fromSecretariat),
          ],
          [1, 2, 3, 4, 5, 6],
        ) +
        table(
          [w.issuedAt, w.issuer, w.titleCol, w.recipients, w.acked, w.transmission],
          adv.items.map((a) => [
            day(a.issuedAt),
            esc(w.issuerRole[a.issuerRole] ?? a.issuerRole),
            esc(a.title),
            String(a.recipients),
            String(a.acknowledgedWithinWindow),
            pct(a.rate),
          ]),
          [3, 4, 5],
        );

  const drills =
    report.drills.count === 0
      ? `<p>${esc(w.none)}</p>`
      : table(
          [w.issuedAt, w.titleCol, w.drillWindow, w.recipients, w.acked, w.oneDay],
          report.drills.items.map((d) => [
            day(d.issuedAt),
            esc(d.title),
            esc(w.hours(d.windowHours)),
            String(d.recipients),
            String(d.acknowledgedWithinWindow),
            `<strong>${pct(d.oneDayRate)}</strong>`,
          ]),
          [3, 4, 5],
        ) + report.drills.items.map((d) => drillChart(d, labels, duration(lang))).join('');

  const surveys =
    report.surveys.count === 0
      ? `<p>${esc(w.none)}</p>`
      : table(
          [w.titleCol, w.surveyPeriod, w.invited, w.responded, w.late, w.responseRate, w.score],
          report.surveys.items.map((s) => [
            esc(lang === 'ja' ? s.title.ja : s.title.en),
            `${day(s.issuedAt)}${w.tilde}${day(s.closedAt ?? s.dueAt)}`,
            String(s.invited),
            String(s.responded),
            String(s.late),
            pct(s.responseRate),
            s.sectorScore ? `${s.sectorScore.median} (${s.sectorScore.q1}–${s.sectorScore.q3})` : '—',
          ]),
          [2, 3, 4, 5],
        );

  const exercises =
    report.exercises.count === 0
      ? `<p>${esc(w.none)}</p>`
      : table(
          [w.date, w.titleCol, w.sectors, w.participants, w.observers, w.actions],
          report.exercises.items.map((e) => [
            day(e.startedAt),
            esc(lang === 'ja' ? e.title.ja : e.title.en),
            esc(e.sectors.join(', ')),
            `${e.participantCount}: ${esc(
              e.participants
                .filter((p) => p.role === 'participant')
                .map((p) => p.name)
                .join(', '),
            )}`,
            `${e.observerCount}: ${esc(
              e.participants
                .filter((p) => p.role === 'observer')
                .map((p) => p.name)
                .join(', '),
            )}`,
            `${e.expectedActions} (${e.actionsOnTime} / ${e.actionsLate} / ${e.actionsMissed})`,
          ]),
        );

  const activities =
    report.activities.count === 0
      ? `<p>${esc(w.none)}</p>`
      : table(
          [w.date, w.kind, w.titleCol, w.attendees, w.note, w.minutes],
          report.activities.items.map((a) => [
            esc(a.date),
            esc(w.kinds[a.kind] ?? a.kind),
            esc(a.title),
            esc([...a.participants.organizations, ...a.participants.people].join('、')),
            esc(a.note),
            a.minutes.map((m) => `${esc(m.filename)} <code>${m.sha256.slice(0, 12)}</code>`).join('<br>'),
          ]),
        );

  const plan = report.plan
    ? `<p class="muted">${esc(w.planSaved(time(report.plan.savedAt), report.plan.version))}</p>${report.plan.sections
        .map((s) => `<section><h3>${esc(s.heading)}</h3><p>${esc(s.body)}</p></section>`)
        .join('')}`
    : `<p>${esc(w.noPlan)}</p>`;

  const cp = report.checkpoint;
  const title = `${name} ${w.title(report.fiscalYear, report.planYear)}`;
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<dl class="meta">
<dt>${esc(w.sector)}</dt><dd>${esc(name)}</dd>
<dt>${esc(w.period)}</dt><dd>${esc(day(report.period.from))}${w.tilde}${esc(day(report.period.to))}</dd>
<dt>${esc(w.members)}</dt><dd>${esc(w.membersValue(report.members))}</dd>
<dt>${esc(w.basis)}</dt><dd>${esc(w.basisText(cp.id, time(cp.createdAt)))}</dd>
<dt>${esc(w.root)}</dt><dd><code>${esc(cp.rootHash)}</code> (${esc(w.treeSize)} ${cp.treeSize}, ${esc(w.key)} <code>${esc(cp.keyId)}</code>)</dd>
<dt>${esc(w.asOf)}</dt><dd>${esc(report.asOf === null ? w.latest : time(report.asOf))}</dd>
</dl>
<h2>${esc(w.summary)}</h2>
<ul class="summary">${summary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<h2>${esc(w.incidents)}</h2>
${incidents}
<h2>${esc(w.advisories)}</h2>
${advisories}
<h2>${esc(w.drills)}</h2>
${drills}
<h2>${esc(w.surveys)}</h2>
${surveys}
<h2>${esc(w.exercises)}</h2>
${exercises}
<h2>${esc(w.activities)}</h2>
${activities}
<h2>${esc(w.plan(report.planYear))}</h2>
<div class="plan">${plan}</div>
</main>
</body>
</html>
`;
}
