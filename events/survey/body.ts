import { builtOnce } from '../built-once.ts';
import { text, tlpLabels } from '../fields.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';
import { definitionSchema } from './definition.ts';
import { DEFAULT_K } from './survey.ts';

/** The request bodies of the survey routes. */

const answers = () => z.record(z.string().check(z.maxLength(63)), z.unknown());

/** POST /surveys. Built on first use, like the definition it holds: only create-survey parses it. */
export const createSurveyBody = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    definition: definitionSchema(),
    /** The sectors it goes to, among the caller's (default: every sector the caller speaks for). */
    sectors: z.optional(
      z.array(z.enum(sectorIds)).check(
        z.minLength(1),
        z.maxLength(sectorIds.length),
        z.refine((a) => new Set(a).size === a.length, 'must not repeat a sector'),
      ),
    ),
    /** Links the yearly editions of a repeated survey (e.g. jclics-self-assessment). */
    series: z.optional(
      z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an id such as jclics')),
    ),
    tlp: z.enum(tlpLabels),
    resultsTlp: z.optional(z.enum(tlpLabels)),
    /** The smallest number of respondents a cell going up the chain may describe. */
    k: z._default(z.int().check(z.minimum(2), z.maximum(50)), DEFAULT_K),
  }),
);
export type CreateSurveyBody = z.output<ReturnType<typeof createSurveyBody>>;

/** PUT /surveys/{id}: the edited definition, a new version (built on first use). */
export const reviseSurveyBody = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({ definition: definitionSchema() }),
);

/** POST /surveys/{id}/issue. */
export const issueSurveyBody = z.strictObject({
  dueAt: z.iso.datetime({ offset: true }),
  /** When the silent members are reminded (default: halfway between issue and due). */
  remindAt: z.optional(z.iso.datetime({ offset: true })),
});

/** PUT /surveys/{id}/response: a draft (every answer checked, none required). */
export const saveResponseBody = z.strictObject({ answers: answers() });

/** POST /surveys/{id}/response/submit: the answers, or none to submit the saved draft. */
export const submitResponseBody = z.strictObject({ answers: z.optional(answers()) });

/** POST /surveys/{id}/free-text/{questionId}/release: the secretariat's edited answers. */
export const releaseTextBody = z.strictObject({
  texts: z.array(text(4000)).check(z.maxLength(5000)),
});
