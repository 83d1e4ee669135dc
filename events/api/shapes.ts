import { roles } from '../actor.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';

/**
 * Small zod/mini building blocks of the API's response schemas (events/api/*.ts). They are
 * the contract docs/openapi.json is generated from; nothing here runs in a handler's hot path.
 */

/** An instant as the API writes it (ISO 8601, `Date#toISOString`, or a reporter's own offset). */
export const instant = z.iso.datetime({ offset: true });
export const nullableInstant = z.nullable(instant);
export const uuid = z.uuid();

/** Who did something: a signed-in person (token claims) or the system itself. */
export const actorSchema = z.union([
  z.object({
    kind: z.literal('user'),
    sub: z.string(),
    role: z.enum(roles),
    org: z.optional(z.string()),
    /** The token's sector, when it named one. */
    sector: z.optional(z.enum(sectorIds)),
  }),
  z.object({ kind: z.literal('system'), sub: z.string() }),
]);

/** A page's cursor: pass it back as `?cursor=` for the next page; null on the last page. */
export const cursor = z.nullable(z.string());

/** A deadline's escalation: when it was missed and the next deadline. */
export const escalation = z.object({
  at: instant,
  escalation: z.number(),
  missedDueAt: instant,
  nextDueAt: instant,
});

/** One hop's progress against its deadline (the upward relay's and the advisory chain's alike). */
export const hopProgress = z.object({
  startedAt: nullableInstant,
  dueAt: nullableInstant,
  doneAt: nullableInstant,
  doneBy: z.nullable(z.string()),
  note: z.nullable(z.string()),
  escalations: z.array(escalation),
});

export const channel = z.enum(['email', 'sms', 'webhook', 'voice']);

/** The failure of an attempt the queue retried: its number (1 to 4 of 5), its class and the retry's time, never more. */
export const retriedAttemptShape = {
  at: instant,
  channel,
  attempt: z.int().check(z.minimum(1)),
  /** The HTTP status a webhook answered with (absent when no answer came). */
  status: z.optional(z.int()),
  /** The failure's class: `HTTP 503`, `TimeoutError`, `ECONNREFUSED`, an SDK exception's name. */
  error: z.string(),
  nextAttemptAt: instant,
};

/**
 * A stream's failed attempt at one of its messages (an incident's, an advisory chain's), before the
 * message's outcome in `deliveries`: `key` is the message's, as its delivery's.
 */
export const messageAttempt = <P extends z.ZodMiniType<string>>(purpose: P) =>
  z.object({ key: z.string(), purpose, ...retriedAttemptShape });

/** RFC 9457 problem details: the body of every error response (application/problem+json). */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int(), z.minimum(400), z.maximum(599)),
  detail: z.string(),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});

/** An event as readers see it: its place in the stream, who caused it, and its data. */
export const eventShape = {
  version: z.number(),
  type: z.string(),
  recordedAt: instant,
  actor: actorSchema,
  schemaVersion: z.number(),
  data: z.unknown(),
};
