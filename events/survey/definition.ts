import { builtOnce } from '../built-once.ts';
import { plainText, text } from '../fields.ts';
import * as z from '../zod.ts';

/**
 * A survey's definition (設問票): sections of questions, labelled in Japanese and English, and the
 * function that builds the zod schema of one version's answers from it. Pure; factories only, so
 * importing this module builds nothing.
 */

/** The languages every label carries; a survey's own language heads its exports. */
export const surveyLanguages = ['ja', 'en'] as const;
export type SurveyLanguage = (typeof surveyLanguages)[number];

/** The kinds of question real surveys use. */
export const questionKinds = ['single', 'multiple', 'maturity', 'number', 'date', 'text'] as const;
export type QuestionKind = (typeof questionKinds)[number];

/** The J-CLICS maturity scale: 0 (not done) to 4 (optimised), one level per control. */
export const MATURITY_LEVELS = [0, 1, 2, 3, 4] as const;

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const idSchema = () => z.string().check(z.regex(ID, 'must be an id such as q1 or access-control'));
const label = (max: number) => z.strictObject({ ja: text(max), en: text(max) });

const optionSchema = () =>
  z.strictObject({
    value: idSchema(),
    label: label(200),
    /** Points this option is worth (0–4); an option without one does not count towards a score. */
    score: z.optional(z.number().check(z.minimum(0), z.maximum(4))),
  });

/** Shows a question only when an earlier question's answer is (or, for multiple choice, includes) one of `anyOf`. */
const showIfSchema = () =>
  z.strictObject({
    question: idSchema(),
    anyOf: z
      .array(z.union([z.string().check(z.maxLength(63)), z.number()]))
      .check(z.minLength(1), z.maxLength(50)),
  });

/** The fields every question has, built once on first use (not at import: bench/RESULTS.md, section 2). */
const commonFields = () => ({
  id: idSchema(),
  label: label(1000),
  help: z.optional(label(2000)),
  required: z._default(z.boolean(), false),
  showIf: z.optional(showIfSchema()),
});
const common = /* @__PURE__ */ builtOnce(commonFields);

const choices = () =>
  z.array(optionSchema()).check(
    z.minLength(2, 'must offer at least 2 options'),
    z.maxLength(50),
    z.refine((o) => new Set(o.map((x) => x.value)).size === o.length, 'option values must be unique'),
  );

/** One question, by kind. */
export const questionSchema = () =>
  z.discriminatedUnion('kind', [
    z.strictObject({ ...common(), kind: z.literal('single'), options: choices() }),
    z.strictObject({
      ...common(),
      kind: z.literal('multiple'),
      options: choices(),
      maxSelected: z.optional(z.int().check(z.minimum(1), z.maximum(50))),
    }),
    z.strictObject({ ...common(), kind: z.literal('maturity') }),
    z.strictObject({
      ...common(),
      kind: z.literal('number'),
      min: z.optional(z.number()),
      max: z.optional(z.number()),
      integer: z._default(z.boolean(), false),
    }),
    z.strictObject({ ...common(), kind: z.literal('date') }),
    z.strictObject({
      ...common(),
      kind: z.literal('text'),
      maxLength: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 4000),
    }),
  ]);
export type Question = z.output<ReturnType<typeof questionSchema>>;

const sectionSchema = () =>
  z.strictObject({
    id: idSchema(),
    title: label(300),
    questions: z.array(questionSchema()).check(z.minLength(1), z.maxLength(200)),
  });
export type Section = z.output<ReturnType<typeof sectionSchema>>;

/**
 * A whole definition. Question ids are unique across sections, and a condition names an earlier
 * question (so a form can be filled top to bottom) with values that question can take. Built on first use
 * and kept (some 10 ms on this machine): the bodies that carry a definition, `parseDefinition` and the
 * API document share it, and the survey functions that parse none never build it.
 */
export const definitionSchema = /* @__PURE__ */ builtOnce(() =>
  z
    .strictObject({
      title: label(300),
      description: z.optional(label(4000)),
      /** The survey's language: the one its exports are headed in. */
      language: z._default(z.enum(surveyLanguages), 'ja'),
      sections: z.array(sectionSchema()).check(z.minLength(1), z.maxLength(50)),
    })
    .check(
      z.superRefine((def, ctx) => {
        const seen = new Map<string, Question>();
        const sectionIds = new Set<string>();
        def.sections.forEach((section, s) => {
          if (sectionIds.has(section.id))
            ctx.issues.push({
              code: 'custom',
              input: section.id,
              path: ['sections', s, 'id'],
              message: 'section ids must be unique',
            });
          sectionIds.add(section.id);
          section.questions.forEach((q, i) => {
            const path = ['sections', s, 'questions', i];
            if (seen.has(q.id))
              ctx.issues.push({
                code: 'custom',
                input: q.id,
                path: [...path, 'id'],
                message: 'question ids must be unique in the survey',
              });
            if (q.kind === 'number' && q.min !== undefined && q.max !== undefined && q.min > q.max)
              ctx.issues.push({ code: 'custom', input: q, path: [...path, 'max'], message: 'must be ≥ min' });
            if (q.showIf) {
              const target = seen.get(q.showIf.question);
              const problem = !target
                ? 'must name an earlier question'
                : !['single', 'multiple', 'maturity', 'number'].includes(target.kind)
                  ? 'must name a choice, maturity or number question'
                  : undefined;
              if (problem)
                ctx.issues.push({
                  code: 'custom',
                  input: q.showIf,
                  path: [...path, 'showIf', 'question'],
                  message: problem,
                });
            }
            seen.set(q.id, q);
          });
        });
      }),
    ),
);
export type SurveyDefinition = z.output<ReturnType<typeof definitionSchema>>;

/** The answers to a survey: question id → value (string, string[], number). */
export type Answers = Readonly<Record<string, AnswerValue>>;
export type AnswerValue = string | number | string[];

/** Every question of a definition in order, with its section. */
export const questionsOf = (def: SurveyDefinition): { section: Section; question: Question }[] =>
  def.sections.flatMap((section) => section.questions.map((question) => ({ section, question })));

/** Whether a question is shown, given the answers so far: no condition, or the earlier answer matches. */
export function isShown(question: Question, answers: Readonly<Record<string, unknown>>): boolean {
  if (!question.showIf) return true;
  const given = answers[question.showIf.question];
  const wanted = question.showIf.anyOf.map(String);
  if (Array.isArray(given)) return given.some((v) => wanted.includes(String(v)));
  return given !== undefined && given !== null && wanted.includes(String(given));
}

/** The schema of one question's value. */
export function valueSchema(q: Question): z.ZodMiniType<AnswerValue> {
  switch (q.kind) {
    case 'single':
      return z.enum(q.options.map((o) => o.value) as [string, ...string[]]);
    case 'multiple':
      return z.array(z.enum(q.options.map((o) => o.value) as [string, ...string[]])).check(
        z.maxLength(
          q.maxSelected ?? q.options.length,
          `at most ${q.maxSelected ?? q.options.length} choices`,
        ),
        z.refine((a) => new Set(a).size === a.length, 'must not repeat a choice'),
      );
    case 'maturity':
      return z.int('must be a maturity level 0 to 4').check(z.minimum(0), z.maximum(4));
    case 'number': {
      const checks = [
        ...(q.min === undefined ? [] : [z.minimum(q.min, `must be at least ${q.min}`)]),
        ...(q.max === undefined ? [] : [z.maximum(q.max, `must be at most ${q.max}`)]),
      ];
      return (q.integer ? z.int('must be a whole number') : z.number()).check(...checks);
    }
    case 'date':
      return z.iso.date('must be a date such as 2026-07-31');
    case 'text':
      return z
        .string()
        .check(plainText(), z.trim(), z.maxLength(q.maxLength, `must be at most ${q.maxLength} characters`));
    default: {
      const _never: never = q;
      return _never;
    }
  }
}

/** An answer that says nothing: an empty string or an empty selection. */
const isBlank = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Walks the questions in order and keeps each answer that is shown (its condition holds on the
 * answers kept so far, so a chain of conditions hides together), not blank, and fits its question.
 */
function walk(
  all: readonly Question[],
  values: ReadonlyMap<string, z.ZodMiniType<AnswerValue>>,
  raw: Readonly<Record<string, unknown>>,
  onIssue?: (q: Question, message: string) => void,
): Answers {
  const kept: Record<string, AnswerValue> = {};
  for (const q of all) {
    const v = raw[q.id];
    const shown = isShown(q, kept);
    if (isBlank(v)) {
      if (shown && q.required) onIssue?.(q, 'this question must be answered');
      continue;
    }
    if (!shown) continue;
    const parsed = z.safeParse(values.get(q.id) as z.ZodMiniType<AnswerValue>, v);
    if (parsed.success) kept[q.id] = parsed.data;
    else onIssue?.(q, parsed.error.issues.map((i) => i.message).join('; '));
  }
  return kept;
}

/**
 * The zod schema of one version's answers, built from its definition. `final` (a submission):
 * every required question that is shown must be answered; a draft (`final: false`) may leave
 * anything out. Either way each answer must fit its question (one issue per question id, at
 * `path: [questionId]`), an unknown question id is refused, and answers to questions that are
 * not shown (their condition does not hold) are dropped from the output, as is a blank answer.
 */
export function answersSchema(def: SurveyDefinition, options: { final: boolean }) {
  const all = questionsOf(def).map((x) => x.question);
  const known = new Set(all.map((q) => q.id));
  const values = new Map(all.map((q) => [q.id, valueSchema(q)]));
  return z.pipe(
    z.record(z.string(), z.unknown()).check(
      z.superRefine((raw, ctx) => {
        for (const key of Object.keys(raw))
          if (!known.has(key))
            ctx.issues.push({
              code: 'custom',
              input: raw[key],
              path: [key],
              message: 'no such question in this version',
            });
        walk(all, values, raw, (q, message) => {
          if (!options.final && message === 'this question must be answered') return;
          ctx.issues.push({ code: 'custom', input: raw[q.id], path: [q.id], message });
        });
      }),
    ),
    z.transform((raw): Answers => walk(all, values, raw)),
  );
}
