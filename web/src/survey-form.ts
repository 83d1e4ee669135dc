// The survey pages' pure parts: which questions a member sees, what the form sends, the API's
// per-question errors as message keys, and the builder's fields as a POST /surveys body.
import {
  type AnswerValue,
  isShown,
  type Question,
  questionKinds,
  questionSchema,
  questionsOf,
  type SurveyDefinition,
} from '../../events/survey/definition.ts';
import type { FieldError } from './report-form.ts';

export type { Question, SurveyDefinition };
export { isShown, questionKinds };

/** The answers as the form holds them: a question id → its value (numbers typed are text until sent). */
export type FormAnswers = Record<string, string | string[]>;

/** The saved answers as the form holds them. */
export function formAnswersOf(saved: Readonly<Record<string, AnswerValue>>): FormAnswers {
  const out: FormAnswers = {};
  for (const [id, v] of Object.entries(saved)) out[id] = Array.isArray(v) ? [...v] : String(v);
  return out;
}

/** The value a question's typed answer is sent as (a number or a maturity level as a number). */
function sentValue(q: Question, v: string | string[]): AnswerValue | undefined {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v;
  const trimmed = v.trim();
  if (trimmed === '') return undefined;
  if (q.kind === 'number' || q.kind === 'maturity') {
    const n = Number(trimmed);
    // Not a number: sent as typed, so the API's schema names the question.
    return Number.isFinite(n) ? n : trimmed;
  }
  return q.kind === 'text' ? v : trimmed;
}

/**
 * The body's answers: every shown question with something typed, in the definition's order (a
 * hidden question's answer stays in the form, so showing it again brings it back, but is not sent).
 */
export function answersBody(def: SurveyDefinition, form: FormAnswers): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {};
  for (const { question } of questionsOf(def)) {
    const raw = form[question.id];
    if (raw === undefined || !isShown(question, out)) continue;
    const v = sentValue(question, raw);
    if (v !== undefined) out[question.id] = v;
  }
  return out;
}

/** The API's messages about an answer, by what they say (events/survey/definition.ts), as message keys. */
const answerMessages: readonly [RegExp, (m: RegExpExecArray) => FieldError][] = [
  [/must be answered/, () => ({ key: 'error.required' })],
  [/maturity level/, () => ({ key: 'survey.error.maturity' })],
  [/at least (-?[\d.]+)/, (m) => ({ key: 'survey.error.min', params: { min: m[1] ?? '' } })],
  [/at most (\d+) choices/, (m) => ({ key: 'survey.error.maxChoices', params: { max: m[1] ?? '' } })],
  [/at most (\d+) characters/, (m) => ({ key: 'error.tooLong', params: { max: m[1] ?? '' } })],
  [/at most (-?[\d.]+)/, (m) => ({ key: 'survey.error.max', params: { max: m[1] ?? '' } })],
  [/whole number/, () => ({ key: 'survey.error.integer' })],
  [/must be a date/, () => ({ key: 'survey.error.date' })],
  [/repeat a choice/, () => ({ key: 'error.duplicate' })],
  [/no such question/, () => ({ key: 'survey.error.unknownQuestion' })],
];

/** The first error of each question the API's 400 names (`answers.<question id>`). */
export function answerErrorsOf(
  errors: readonly { path: string; message: string }[],
): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const e of errors) {
    if (!e.path.startsWith('answers.')) continue;
    const id = e.path.slice('answers.'.length).split('.')[0] ?? '';
    if (out[id]) continue;
    const found = answerMessages.find(([pattern]) => pattern.test(e.message));
    const m = found ? found[0].exec(e.message) : null;
    out[id] = found && m ? found[1](m) : { key: 'error.invalid' };
  }
  return out;
}

// --- the builder (POST /surveys) ---

export interface BuilderQuestion {
  /** The question's id in the definition (q1, q2…: given once, kept when others move). */
  id: string;
  kind: Question['kind'];
  labelJa: string;
  labelEn: string;
  required: boolean;
  /** Choices, one a line: `日本語 | English | score` (the score optional). */
  options: string;
  min: string;
  max: string;
  /** An earlier question's id, or '' for always shown. */
  showIfQuestion: string;
  /** The values that show it, comma-separated (an option's value o1, o2…, or a level or number). */
  showIfValues: string;
  /** A revised question's option values, by line: line i keeps value i, so earlier answers keep their meaning. */
  optionValues?: readonly string[];
  /** What the builder has no field for (help, integer, maxSelected, maxLength), kept as it was on a revision. */
  keep?: Readonly<Record<string, unknown>>;
}

export interface BuilderSection {
  id: string;
  titleJa: string;
  titleEn: string;
  questions: BuilderQuestion[];
}

export interface BuilderFields {
  titleJa: string;
  titleEn: string;
  language: 'ja' | 'en';
  tlp: string;
  /** datetime-local text; empty: the survey stays a draft. */
  dueAt: string;
  sections: BuilderSection[];
  /** A revised definition's description, kept as it was (the builder has no field for it). */
  keep?: Readonly<Record<string, unknown>>;
}

export const emptyQuestion = (id: string): BuilderQuestion => ({
  id,
  kind: 'single',
  labelJa: '',
  labelEn: '',
  required: false,
  options: '',
  min: '',
  max: '',
  showIfQuestion: '',
  showIfValues: '',
});

export const emptyBuilder = (): BuilderFields => ({
  titleJa: '',
  titleEn: '',
  language: 'ja',
  tlp: 'AMBER',
  dueAt: '',
  sections: [{ id: 's1', titleJa: '', titleEn: '', questions: [emptyQuestion('q1')] }],
});

/**
 * The choices typed in a question's options box: values o1, o2… in the order written. A revised
 * question's lines keep the values its options had (`values`, by line); a line beyond them gets the
 * first oN none of them uses.
 */
export function optionsOf(
  text: string,
  values: readonly string[] = [],
): { value: string; label: { ja: string; en: string }; score?: number }[] {
  const used = new Set(values);
  let next = 1;
  const fresh = () => {
    while (used.has(`o${next}`)) next++;
    used.add(`o${next}`);
    return `o${next}`;
  };
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line, i) => {
      const [ja = '', en = '', score = ''] = line.split('|').map((x) => x.trim());
      const n = score === '' ? undefined : Number(score);
      const value = values[i] ?? fresh();
      return { value, label: { ja, en: en || ja }, ...(n === undefined ? {} : { score: n }) };
    });
}

/** A survey's definition as the builder's fields, to revise it (surveyBody's inverse for what it shows). */
export function builderOf(def: SurveyDefinition, tlp: string): BuilderFields {
  const { title, language, sections, ...keep } = def;
  return {
    titleJa: title.ja,
    titleEn: title.en,
    language,
    tlp,
    dueAt: '',
    sections: sections.map((section) => ({
      id: section.id,
      titleJa: section.title.ja,
      titleEn: section.title.en,
      questions: section.questions.map((q): BuilderQuestion => {
        const { id, kind, label, required, showIf, ...rest } = q;
        const base: BuilderQuestion = {
          ...emptyQuestion(id),
          kind,
          labelJa: label.ja,
          labelEn: label.en,
          required,
          showIfQuestion: showIf?.question ?? '',
          showIfValues: showIf?.anyOf.join(', ') ?? '',
        };
        if (q.kind === 'single' || q.kind === 'multiple') {
          const { options, ...other } = rest as { options: typeof q.options };
          return {
            ...base,
            options: options
              .map((o) =>
                [o.label.ja, o.label.en, ...(o.score === undefined ? [] : [String(o.score)])].join(' | '),
              )
              .join('\n'),
            optionValues: options.map((o) => o.value),
            keep: other,
          };
        }
        if (q.kind === 'number') {
          const { min, max, ...other } = rest as { min?: number; max?: number };
          return {
            ...base,
            min: min === undefined ? '' : String(min),
            max: max === undefined ? '' : String(max),
            keep: other,
          };
        }
        return { ...base, keep: rest };
      }),
    })),
    keep,
  };
}

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

/** The question fields the builder has a control for; every other one a kind allows is kept on a revision. */
const BUILT = new Set(['id', 'kind', 'label', 'required', 'showIf', 'options', 'min', 'max']);
let keptByKind: ReadonlyMap<string, readonly string[]> | undefined;
/**
 * What a question's kind keeps of a revised question's other settings (help, maxSelected, integer,
 * maxLength…; a changed kind drops what it has no place for), read from the API's own question schema.
 */
const keptFor = (q: BuilderQuestion) => {
  keptByKind ??= new Map(
    questionSchema().def.options.map((o) => [
      String(o.def.shape.kind.def.values[0]),
      Object.keys(o.def.shape).filter((k) => !BUILT.has(k)),
    ]),
  );
  const kept = keptByKind.get(q.kind) ?? [];
  return Object.fromEntries(Object.entries(q.keep ?? {}).filter(([k]) => kept.includes(k)));
};

/** The builder as the body of POST /surveys (the API's schema judges it, naming each field by path). */
export function surveyBody(f: BuilderFields): Record<string, unknown> {
  return {
    tlp: f.tlp,
    definition: {
      ...f.keep,
      title: { ja: f.titleJa, en: f.titleEn },
      language: f.language,
      sections: f.sections.map((s) => ({
        id: s.id,
        title: { ja: s.titleJa, en: s.titleEn },
        questions: s.questions.map((q) => {
          const showIf =
            q.showIfQuestion === ''
              ? {}
              : {
                  showIf: {
                    question: q.showIfQuestion,
                    anyOf: q.showIfValues
                      .split(/[,、]/)
                      .map((v) => v.trim())
                      .filter((v) => v !== '')
                      .map((v) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)),
                  },
                };
          const base = {
            ...keptFor(q),
            id: q.id,
            kind: q.kind,
            label: { ja: q.labelJa, en: q.labelEn },
            required: q.required,
            ...showIf,
          };
          if (q.kind === 'single' || q.kind === 'multiple')
            return { ...base, options: optionsOf(q.options, q.optionValues) };
          if (q.kind === 'number') {
            const min = num(q.min);
            const max = num(q.max);
            return { ...base, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
          }
          return base;
        }),
      })),
    },
  };
}

/** A datetime-local text (Japan time when the browser is) as an ISO instant, or null when it is not one. */
export function instantOf(local: string): string | null {
  if (local.trim() === '') return null;
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
