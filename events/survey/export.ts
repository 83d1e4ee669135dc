import type { SurveyLanguage } from './definition.ts';
import type { ResultsView } from './views.ts';

/**
 * The results as tables for CSV and XLSX, headed in the survey's language. Pure: the same view
 * gives the same tables. A withheld cell (fewer than k respondents) reads 秘匿 / suppressed.
 */

export type CellValue = string | number | null;
export interface Table {
  readonly name: string;
  readonly headings: readonly string[];
  readonly rows: readonly (readonly CellValue[])[];
}

const HEAD = {
  ja: {
    questions: '設問別',
    members: '組織別',
    scores: 'セクター得点',
    q: [
      'セクター',
      'セクション',
      '設問ID',
      '設問',
      '回答',
      '件数',
      '回答数',
      '中央値',
      '第1四分位',
      '第3四分位',
    ],
    m: ['組織', '提出日時', '期限後', '回答版', '総合'],
    s: ['セクター', 'セクション', '回答組織数', '中央値', '第1四分位', '第3四分位'],
    suppressed: '秘匿',
    overall: '総合',
    yes: 'はい',
    no: 'いいえ',
  },
  en: {
    questions: 'Questions',
    members: 'Members',
    scores: 'Sector scores',
    q: ['Sector', 'Section', 'Question ID', 'Question', 'Answer', 'Count', 'Answered', 'Median', 'Q1', 'Q3'],
    m: ['Organisation', 'Submitted at', 'Late', 'Version answered', 'Overall'],
    s: ['Sector', 'Section', 'Respondents', 'Median', 'Q1', 'Q3'],
    suppressed: 'suppressed',
    overall: 'Overall',
    yes: 'yes',
    no: 'no',
  },
} as const;

/** The tables of a results view: per question, and (the secretariat's view) per member and the sector's scores. */
export function resultTables(view: ResultsView, lang: SurveyLanguage = view.language): Table[] {
  const h = HEAD[lang];
  const questionRows: CellValue[][] = [];
  const scoreRows: CellValue[][] = [];
  const sections = [...view.sectors, ...('total' in view && view.total ? [view.total] : [])];
  for (const s of sections) {
    for (const q of s.questions) {
      const label = q.label[lang];
      const head = [s.sector, q.section, q.id, label];
      const answered = q.answered ?? h.suppressed;
      if (q.cells)
        for (const c of q.cells)
          questionRows.push([...head, c.label[lang], c.count ?? h.suppressed, answered, null, null, null]);
      else if (q.stats)
        questionRows.push([...head, null, null, answered, q.stats.median, q.stats.q1, q.stats.q3]);
      else if (q.texts)
        for (const t of q.texts) questionRows.push([...head, t, null, answered, null, null, null]);
      else questionRows.push([...head, null, null, answered, null, null, null]);
    }
    const { score } = s;
    scoreRows.push([
      s.sector,
      h.overall,
      score.respondents,
      score.overall?.median ?? null,
      score.overall?.q1 ?? null,
      score.overall?.q3 ?? null,
    ]);
    for (const [id, sp] of Object.entries(score.sections))
      scoreRows.push([s.sector, id, score.respondents, sp?.median ?? null, sp?.q1 ?? null, sp?.q3 ?? null]);
  }
  const tables: Table[] = [
    { name: h.questions, headings: h.q, rows: questionRows },
    { name: h.scores, headings: h.s, rows: scoreRows },
  ];
  if ('members' in view) {
    const ids = view.sectors[0] ? Object.keys(view.sectors[0].score.sections) : [];
    tables.push({
      name: h.members,
      headings: [...h.m, ...ids],
      rows: view.members.map((m) => [
        m.org,
        m.submittedAt,
        m.late ? h.yes : h.no,
        m.surveyVersion,
        m.scores.overall,
        ...ids.map((id) => m.scores.sections[id] ?? null),
      ]),
    });
  }
  return tables;
}

/**
 * A table as CSV (RFC 4180, CRLF). A text cell a spreadsheet would run as a formula (=, +, -, @,
 * tab, CR first) is prefixed with an apostrophe: members' free text must not execute on export.
 */
export function tableCsv(table: Table): string {
  const cell = (v: CellValue) => {
    if (v === null) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[table.headings, ...table.rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
