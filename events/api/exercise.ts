import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';

/** The response schemas of the exercise routes. */

const names = z.object({ ja: z.string(), en: z.string() });
const nullableString = z.nullable(z.string());

/** GET /exercises/{id}, and the answer of POST /exercises, /start and /end. */
export const exerciseSchema = z.object({
  id: z.string(),
  title: names,
  status: z.enum(['planned', 'running', 'ended']),
  sectors: z.array(z.enum(sectorIds)),
  participants: z.array(
    z.object({
      org: z.string(),
      sector: z.enum(sectorIds),
      role: z.enum(['participant', 'observer']),
      name: z.string(),
    }),
  ),
  plannedStart: z.string(),
  preparedBy: z.string(),
  preparerRole: z.enum(['nisc', 'ministry']),
  startedAt: nullableString,
  endedAt: nullableString,
  timeScale: z.number(),
  injects: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['incident', 'advisory']),
      sector: z.enum(sectorIds),
      from: z.string(),
      offsetMinutes: z.number(),
      title: z.string(),
      expected: z.array(z.object({ role: z.string(), action: z.string(), withinMinutes: z.number() })),
      releaseAt: nullableString,
      releasedAt: nullableString,
      /** The incident's or advisory's id once released (read it with ?exercise= on the lists). */
      subjectId: nullableString,
    }),
  ),
  version: z.number(),
});

/** GET /exercises. */
export const exerciseListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: names,
      status: z.enum(['planned', 'running', 'ended']),
      sectors: z.array(z.enum(sectorIds)),
      plannedStart: z.string(),
      startedAt: nullableString,
      endedAt: nullableString,
      injects: z.number(),
      released: z.number(),
    }),
  ),
  cursor: nullableString,
});

const tally = {
  expected: z.number(),
  onTime: z.number(),
  late: z.number(),
  missed: z.number(),
  pending: z.number(),
  rate: z.nullable(z.number()),
};
const outcome = z.enum(['on_time', 'late', 'missed', 'pending']);

/** GET /exercises/{id}/report (JSON). */
export const exerciseReportSchema = z.object({
  exerciseId: z.string(),
  title: names,
  status: z.enum(['planned', 'running', 'ended']),
  asOf: z.string(),
  startedAt: nullableString,
  endedAt: nullableString,
  timeScale: z.number(),
  injects: z.number(),
  released: z.number(),
  overall: z.object(tally),
  stages: z.array(
    z.object({ stage: z.string(), kind: z.string(), role: z.string(), action: z.string(), ...tally }),
  ),
  sectors: z.array(z.object({ sector: z.enum(sectorIds), medianSeconds: z.nullable(z.number()), ...tally })),
  organizations: z.array(
    z.object({ org: z.string(), sector: z.enum(sectorIds), role: z.string(), ...tally }),
  ),
  rows: z.array(
    z.object({
      injectId: z.string(),
      kind: z.string(),
      sector: z.enum(sectorIds),
      subjectId: z.string(),
      releasedAt: z.string(),
      role: z.string(),
      action: z.string(),
      org: z.string(),
      dueAt: z.string(),
      actedAt: nullableString,
      seconds: z.nullable(z.number()),
      outcome,
    }),
  ),
  timeline: z.array(
    z.object({
      at: z.string(),
      offsetSeconds: z.number(),
      injectId: z.string(),
      sector: z.enum(sectorIds),
      org: nullableString,
      what: z.string(),
      outcome: z.nullable(outcome),
    }),
  ),
});
