import { tlpLabels } from '../fields.ts';
import { sectorIds } from '../sector/catalog.ts';
import { definitionSchema, questionKinds, surveyLanguages } from '../survey/definition.ts';
import * as z from '../zod.ts';
import { channel, instant, messageAttempt } from './shapes.ts';

/** The response schemas of the survey routes. */

const tlp = z.enum(tlpLabels);
const sector = z.enum(sectorIds);
const status = z.enum(['draft', 'open', 'closed']);
const label = z.object({ ja: z.string(), en: z.string() });
const owner = z.enum(['nisc', 'ministry', 'secretariat']);

/** The answer of every command on a survey. */
export const surveyAnswerSchema = z.object({
  id: z.uuid(),
  status,
  surveyVersion: z.number(),
  version: z.number(),
});

const rowShape = {
  id: z.uuid(),
  title: label,
  sectors: z.array(sector),
  owner,
  series: z.optional(z.string()),
  tlp,
  status,
  surveyVersion: z.number(),
  createdAt: instant,
  issuedAt: z.optional(instant),
  dueAt: z.optional(instant),
  closedAt: z.optional(instant),
};

/** GET /surveys. */
export const surveyListSchema = z.object({ items: z.array(z.object(rowShape)) });

/** GET /surveys/{id}. */
export const surveyViewSchema = z.object({
  ...rowShape,
  resultsTlp: tlp,
  k: z.number(),
  definition: definitionSchema(),
  remindAt: z.optional(instant),
  invited: z.optional(z.number()),
});

const answerValue = z.union([z.string(), z.number(), z.array(z.string())]);

/** GET, PUT /surveys/{id}/response and POST …/submit: the caller's organisation's answers. */
export const responseViewSchema = z.object({
  surveyId: z.uuid(),
  org: z.string(),
  surveyVersion: z.number(),
  status: z.enum(['empty', 'draft', 'submitted']),
  answers: z.record(z.string(), answerValue),
  savedAt: z.optional(instant),
  answeredVersion: z.optional(z.number()),
  saves: z.number(),
  submittedAt: z.optional(instant),
  firstSubmittedAt: z.optional(instant),
  late: z.boolean(),
  amendments: z.number(),
  dueAt: z.optional(instant),
  open: z.boolean(),
});

const spread = z.object({ median: z.number(), q1: z.number(), q3: z.number() });
const scores = z.object({
  sections: z.record(z.string(), z.nullable(z.number())),
  overall: z.nullable(z.number()),
});

const questionResult = z.object({
  id: z.string(),
  section: z.string(),
  kind: z.enum(questionKinds),
  label,
  answered: z.nullable(z.number()),
  cells: z.optional(z.array(z.object({ value: z.string(), label, count: z.nullable(z.number()) }))),
  stats: z.optional(
    z.object({ median: z.number(), q1: z.number(), q3: z.number(), min: z.number(), max: z.number() }),
  ),
  texts: z.optional(z.array(z.string())),
  suppressed: z.boolean(),
});

const sectorResult = z.object({
  sector: z.union([sector, z.literal('all')]),
  invited: z.number(),
  responded: z.number(),
  late: z.number(),
  responseRate: z.number(),
  score: z.object({
    respondents: z.number(),
    overall: z.optional(spread),
    sections: z.record(z.string(), z.optional(spread)),
  }),
  questions: z.array(questionResult),
});

const memberRow = z.object({
  org: z.string(),
  submittedAt: instant,
  late: z.boolean(),
  surveyVersion: z.number(),
  scores,
});

const surveyPurpose = z.enum(['survey', 'survey_reminder']);

/** GET /surveys/{id}/recipients: the secretariat's recipients in its sector, each one's answer and messages. */
export const recipientsSchema = z.object({
  surveyId: z.uuid(),
  sector,
  status,
  issuedAt: z.optional(instant),
  dueAt: z.optional(instant),
  invited: z.number(),
  /** Organisations at least one of whose contacts the survey reached. */
  reached: z.number(),
  /** Organisations the survey reached no contact of: every message's outcome a failure. */
  failed: z.number(),
  /** Organisations with no outcome yet (the message queued, or being retried). */
  pending: z.number(),
  responded: z.number(),
  items: z.array(
    z.object({
      org: z.string(),
      reach: z.enum(['reached', 'failed', 'pending']),
      response: z.enum(['none', 'draft', 'submitted']),
      late: z.boolean(),
      submittedAt: z.optional(instant),
      deliveries: z.array(
        z.object({
          key: z.string(),
          at: instant,
          purpose: surveyPurpose,
          contactId: z.string(),
          channel,
          to: z.string(),
          ok: z.boolean(),
        }),
      ),
      /** Failed attempts the queue retried before a message's outcome (in `deliveries`, by `key`). */
      attempts: z.array(z.object({ ...messageAttempt(surveyPurpose).shape, contactId: z.string() })),
    }),
  ),
});

/** GET /surveys/{id}/results (JSON). */
export const resultsSchema = z.object({
  surveyId: z.uuid(),
  title: label,
  language: z.enum(surveyLanguages),
  surveyVersion: z.number(),
  tlp,
  k: z.number(),
  status,
  view: z.enum(['member', 'sector', 'chain']),
  series: z.optional(z.string()),
  history: z.optional(
    z.array(
      z.object({
        surveyId: z.uuid(),
        title: label,
        issuedAt: z.optional(instant),
        sectors: z.array(
          z.object({ sector, responded: z.number(), responseRate: z.number(), overall: z.optional(spread) }),
        ),
        own: z.optional(z.nullable(z.number())),
      }),
    ),
  ),
  sectors: z.array(sectorResult),
  total: z.optional(sectorResult),
  own: z.optional(memberRow),
  members: z.optional(z.array(memberRow)),
  /** The secretariat's view: its released edit of each free-text question (what leaves the sector). */
  released: z.optional(
    z.array(z.object({ questionId: z.string(), texts: z.array(z.string()), releasedAt: instant })),
  ),
});
