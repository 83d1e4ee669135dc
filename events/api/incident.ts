import { categories, recoveryStatuses, reportIncidentBody, tlpLabels } from '../incident/report.ts';
import { hops, severities } from '../policy.ts';
import { stageFieldSchemas } from '../reporting.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';
import {
  channel,
  cursor,
  eventShape,
  hopProgress,
  instant,
  messageAttempt,
  nullableInstant,
} from './shapes.ts';

/** The response schemas of the incident routes (GET /incidents…, the commands' answers). */

export const incidentStatus = z.enum([
  'awaiting_secretariat',
  'returned',
  'awaiting_ministry',
  'awaiting_nisc',
  'relayed',
  'closed',
]);
const hop = z.enum(hops);
/** Why an incident's message is sent (NotificationPurpose). */
export const notificationPurposes = [
  'review_requested',
  'returned',
  'approved',
  'relay',
  'relayed',
  'follow_up',
  'escalation',
  'stalled',
  'stage_reminder',
  'stage_escalation',
] as const;
const purpose = z.enum(notificationPurposes);

const stageFields = stageFieldSchemas();

/** One reporting stage's clock (events/reporting.ts): `waiting` while what starts it has not happened. */
export const stageClockSchema = z.object({
  id: z.string(),
  names: z.object({ ja: z.string(), en: z.string() }),
  startedAt: nullableInstant,
  dueAt: nullableInstant,
  submittedAt: nullableInstant,
  status: z.enum(['done', 'due', 'overdue', 'waiting']),
  onTime: z.nullable(z.boolean()),
});

/**
 * A stage as GET /incidents/{id} shows it: its clock, the reminders sent to the member before its
 * deadline (their instants) and when it was escalated to the secretariat after it (null: not escalated).
 */
export const stageViewSchema = z.object({
  ...stageClockSchema.shape,
  reminded: z.array(instant),
  escalatedAt: nullableInstant,
});

/** The answer of every incident command: where the incident now stands. */
export const incidentAnswer = z.object({ id: z.uuid(), status: incidentStatus, version: z.number() });

/** GET /incidents/{id}: the state without workflow internals. */
export const incidentViewSchema = z.object({
  id: z.uuid(),
  status: incidentStatus,
  org: z.string(),
  sector: z.enum(sectorIds),
  /** The cross-sector exercise it belongs to (only with `?exercise=`). */
  exerciseId: z.optional(z.string()),
  reportedBy: z.string(),
  report: reportIncidentBody(),
  severity: z.enum(severities),
  recoveryStatus: z.enum(recoveryStatuses),
  createdAt: instant,
  updatedAt: instant,
  closedAt: nullableInstant,
  followUps: z.array(
    z.object({
      number: z.number(),
      at: instant,
      by: z.string(),
      description: z.string(),
      recoveryStatus: z.enum(recoveryStatuses),
      stage: z.optional(z.string()),
      details: z.optional(
        z.object({
          impact: z.optional(z.string()),
          indicators: z.optional(z.string()),
          rootCause: z.optional(z.string()),
          mitigation: z.optional(z.string()),
          crossBorderImpact: z.optional(z.string()),
          ransomPayment: z.optional(stageFields.ransomPayment),
        }),
      ),
    }),
  ),
  returns: z.array(z.object({ at: instant, by: z.string(), note: z.nullable(z.string()) })),
  hops: z.object({
    secretariat: hopProgress,
    member: z.optional(hopProgress),
    ministry: hopProgress,
    nisc: hopProgress,
  }),
  stalledHop: z.nullable(hop),
  restartAt: z.nullable(z.number()),
  deliveries: z.array(
    z.object({
      key: z.string(),
      at: instant,
      purpose,
      channel,
      to: z.string(),
      ok: z.boolean(),
      detail: z.string(),
    }),
  ),
  /** The messages' failed attempts the queue retried before their outcome (in `deliveries`, by `key`). */
  attempts: z.array(messageAttempt(purpose)),
  /** The reporting preset the incident runs under (japan-ceptoar, nis2, circia or a custom id). */
  preset: z.string(),
  stages: z.array(stageViewSchema),
  nextStage: z.nullable(stageClockSchema),
  version: z.number(),
});

/** A row of GET /incidents. */
export const incidentSummarySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  org: z.string(),
  sector: z.enum(sectorIds),
  /** The cross-sector exercise it belongs to (only with `?exercise=`). */
  exerciseId: z.optional(z.string()),
  status: incidentStatus,
  severity: z.enum(severities),
  tlp: z.enum(tlpLabels),
  category: z.enum(categories),
  createdAt: instant,
  updatedAt: instant,
  waitingOn: z.nullable(
    z.object({ hop, dueAt: nullableInstant, startedAt: nullableInstant, escalations: z.number() }),
  ),
  stalledHop: z.nullable(hop),
  /** The reporting stage to report next: the running, unsubmitted one due first; null when none runs. */
  nextStage: z.nullable(z.object({ id: z.string(), dueAt: instant, overdue: z.boolean() })),
  version: z.number(),
});

export const incidentListSchema = z.object({ items: z.array(incidentSummarySchema), cursor });

/** GET /incidents/{id}/events: the stream, oldest first (task tokens redacted). */
export const incidentEventsSchema = z.object({
  items: z.array(z.object(eventShape)),
  cursor,
});
