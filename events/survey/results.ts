import type { SectorId } from '../sector/catalog.ts';
import {
  type Answers,
  type AnswerValue,
  MATURITY_LEVELS,
  type Question,
  questionsOf,
  type SurveyDefinition,
} from './definition.ts';
import { invitedOrgs, latestVersion, type ResponseState, type SurveyState } from './survey.ts';

/**
 * A survey's results, pure: per question the distribution, per member a score per section and
 * overall against its sector's median and quartiles, and what goes up the chain anonymised.
 *
 * Scoring (0–100, one decimal):
 * - a question scores when it is a maturity question (level ÷ 4), a single-choice question with
 *   scored options (the chosen option's score ÷ the highest option score), or a multiple-choice
 *   question with scored options (the chosen options' scores summed ÷ the sum of every positive
 *   option score, at most 1);
 * - a section's score is the mean of its scored questions the member answered, × 100 (questions
 *   not shown or left blank are not counted, neither as 0 nor at all); overall is the mean over
 *   every scored question answered, so a long section weighs more than a short one;
 * - a member with no scored answer in a section has no score there (null).
 * Quartiles are the linear-interpolation kind (Excel's QUARTILE.INC, R's type 7).
 */

/** One answered question's share of its full score, 0–1; undefined when the question does not score. */
export function questionFraction(q: Question, v: AnswerValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  switch (q.kind) {
    case 'maturity':
      return typeof v === 'number' ? v / 4 : undefined;
    case 'single': {
      const max = Math.max(...q.options.map((o) => o.score ?? 0));
      const chosen = q.options.find((o) => o.value === v);
      if (max <= 0 || chosen?.score === undefined) return undefined;
      return chosen.score / max;
    }
    case 'multiple': {
      const total = q.options.reduce((t, o) => t + Math.max(0, o.score ?? 0), 0);
      if (total <= 0 || !Array.isArray(v)) return undefined;
      const got = q.options.filter((o) => v.includes(o.value)).reduce((t, o) => t + (o.score ?? 0), 0);
      return Math.min(1, Math.max(0, got / total));
    }
    default:
      return undefined;
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) =>
  xs.length === 0 ? null : round1((100 * xs.reduce((a, b) => a + b, 0)) / xs.length);

export interface Scores {
  readonly sections: Readonly<Record<string, number | null>>;
  readonly overall: number | null;
}

/** A member's scores on the version it answered. */
export function scoreAnswers(def: SurveyDefinition, answers: Answers): Scores {
  const all: number[] = [];
  const sections: Record<string, number | null> = {};
  for (const section of def.sections) {
    const xs = section.questions
      .map((q) => questionFraction(q, answers[q.id]))
      .filter((x): x is number => x !== undefined);
    all.push(...xs);
    sections[section.id] = mean(xs);
  }
  return { sections, overall: mean(all) };
}

export interface Spread {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
}

/** Median and quartiles (type 7); undefined for no values. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    const a = s[lo] as number;
    const b = s[Math.min(lo + 1, s.length - 1)] as number;
    return round1(a + (h - lo) * (b - a));
  };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
}

/** One cell of a distribution: a count, or null where fewer than k respondents would show. */
export interface Cell {
  readonly value: string;
  readonly label: { ja: string; en: string };
  readonly count: number | null;
}

export interface QuestionResult {
  readonly id: string;
  readonly section: string;
  readonly kind: Question['kind'];
  readonly label: { ja: string; en: string };
  /** How many respondents answered it (null when suppressed). */
  readonly answered: number | null;
  /** Choice, multiple choice and maturity: one cell per option or level. */
  readonly cells?: Cell[];
  /** Number questions: the spread of the values (absent when suppressed). */
  readonly stats?: Spread & { min: number; max: number };
  /** Free text: the answers, where the viewer may read them (the sector's own, or released). */
  readonly texts?: string[];
  /** Some cell or figure of this question is withheld (fewer than k respondents). */
  readonly suppressed: boolean;
}

const MATURITY_LABELS: Record<number, { ja: string; en: string }> = {
  0: { ja: '0 未実施', en: '0 Not performed' },
  1: { ja: '1 初期', en: '1 Initial' },
  2: { ja: '2 管理', en: '2 Managed' },
  3: { ja: '3 定義', en: '3 Defined' },
  4: { ja: '4 最適化', en: '4 Optimised' },
};

/** The submitted answers that count: the latest submission of each responding organisation. */
export const submittedOf = (responses: readonly ResponseState[]) =>
  responses.flatMap((r) =>
    r.submitted ? [{ org: r.org, sector: r.sector, late: r.late, ...r.submitted }] : [],
  );

type Submission = ReturnType<typeof submittedOf>[number];

/**
 * Suppresses cells with 1 to k−1 respondents, and, where exactly one cell of a question would be
 * withheld, the next smallest non-zero cell too (otherwise the total gives the withheld one away).
 */
export function suppressCells(cells: readonly Cell[], k: number): { cells: Cell[]; suppressed: boolean } {
  const small = (c: Cell) => c.count !== null && c.count > 0 && c.count < k;
  const hidden = new Set(cells.filter(small).map((c) => c.value));
  if (hidden.size === 1) {
    const next = cells
      .filter((c) => !hidden.has(c.value) && (c.count ?? 0) > 0)
      .sort((a, b) => (a.count ?? 0) - (b.count ?? 0))[0];
    if (next) hidden.add(next.value);
  }
  return {
    cells: cells.map((c) => (hidden.has(c.value) ? { ...c, count: null } : c)),
    suppressed: hidden.size > 0,
  };
}

/**
 * Per question of the newest version, its distribution over the submissions (answers to a
 * question id count whichever version they answered). `k` withholds small cells (0: none);
 * `texts` gives what free text the viewer reads of a question (all given, the released edit, or none).
 */
export function questionResults(
  survey: SurveyState,
  subs: readonly Submission[],
  options: { k: number; texts: (questionId: string, given: string[]) => string[] | undefined },
): QuestionResult[] {
  const { definition } = latestVersion(survey);
  const k = options.k;
  const enough = subs.length >= k || k === 0;
  return questionsOf(definition).map(({ section, question: q }) => {
    const values = subs.map((s) => s.answers[q.id]).filter((v): v is AnswerValue => v !== undefined);
    const base = { id: q.id, section: section.id, kind: q.kind, label: q.label };
    const answered = k > 0 && values.length > 0 && values.length < k ? null : values.length;
    if (q.kind === 'single' || q.kind === 'multiple' || q.kind === 'maturity') {
      const opts =
        q.kind === 'maturity'
          ? MATURITY_LEVELS.map((l) => ({
              value: String(l),
              label: MATURITY_LABELS[l] as { ja: string; en: string },
            }))
          : q.options.map((o) => ({ value: o.value, label: o.label }));
      const raw: Cell[] = opts.map((o) => ({
        ...o,
        count: values.filter((v) => (Array.isArray(v) ? v.includes(o.value) : String(v) === o.value)).length,
      }));
      const { cells, suppressed } = k > 0 ? suppressCells(raw, k) : { cells: raw, suppressed: false };
      return { ...base, answered, cells, suppressed: suppressed || answered === null };
    }
    if (q.kind === 'number') {
      const nums = values.filter((v): v is number => typeof v === 'number');
      const s = spread(nums);
      const show = s && (k === 0 || nums.length >= k);
      return {
        ...base,
        answered,
        ...(show ? { stats: { ...s, min: Math.min(...nums), max: Math.max(...nums) } } : {}),
        suppressed: !show && nums.length > 0,
      };
    }
    if (q.kind === 'text') {
      const texts = options.texts(q.id, values.map(String));
      return { ...base, answered, ...(texts ? { texts } : {}), suppressed: answered === null };
    }
    return { ...base, answered, suppressed: answered === null || !enough };
  });
}

export interface SectorScore {
  readonly respondents: number;
  readonly overall?: Spread;
  readonly sections: Readonly<Record<string, Spread | undefined>>;
}

/** Each submission's scores, on the version it answered. */
export function memberScores(survey: SurveyState, subs: readonly Submission[]) {
  return subs.map((s) => {
    const def = survey.versions[s.surveyVersion - 1] ?? latestVersion(survey).definition;
    return {
      org: s.org,
      sector: s.sector,
      late: s.late,
      at: s.at,
      surveyVersion: s.surveyVersion,
      scores: scoreAnswers(def, s.answers),
    };
  });
}

/** The sector's median and quartiles per section and overall; none where fewer than k scored. */
export function sectorScore(
  survey: SurveyState,
  scored: readonly { scores: Scores }[],
  k: number,
): SectorScore {
  const pick = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length >= Math.max(1, k) ? spread(v) : undefined;
  };
  const { definition } = latestVersion(survey);
  const sections: Record<string, Spread | undefined> = {};
  for (const s of definition.sections)
    sections[s.id] = pick(scored.map((m) => m.scores.sections[s.id] ?? null));
  const overall = pick(scored.map((m) => m.scores.overall));
  return { respondents: scored.length, sections, ...(overall ? { overall } : {}) };
}

/** Invited, responded, late and the response rate (0–1) of one sector (or of every sector). */
export function participation(survey: SurveyState, responses: readonly ResponseState[], sector?: SectorId) {
  const invited = sector ? (survey.recipients[sector] ?? []).length : invitedOrgs(survey).length;
  const mine = responses.filter((r) => r.submitted && (!sector || r.sector === sector));
  const responded = mine.length;
  const late = mine.filter((r) => r.late).length;
  return {
    invited,
    responded,
    late,
    responseRate: invited === 0 ? 0 : Math.round((responded / invited) * 1000) / 1000,
  };
}
