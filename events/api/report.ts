import { activityKinds } from '../activity/activity.ts';
import { categories } from '../incident/report.ts';
import { severities } from '../policy.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';
import { complianceSchema } from './audit.ts';

/** The response schemas of the activity, plan and fiscal-year report routes. */

const names = z.object({ ja: z.string(), en: z.string() });
const nullableNumber = z.nullable(z.number());

/** One attached minutes file, as the activity shows it. */
export const minutesSchema = z.object({
  n: z.number(),
  filename: z.string(),
  contentType: z.enum([
    'application/pdf',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'text/plain; charset=utf-8',
  ]),
  size: z.number(),
  sha256: z.string(),
  attachedAt: z.string(),
});

/** One recorded activity. */
export const activitySchema = z.object({
  id: z.string(),
  sector: z.enum(sectorIds),
  date: z.string(),
  kind: z.enum(activityKinds),
  title: z.string(),
  participants: z.object({ organizations: z.array(z.string()), people: z.array(z.string()) }),
  note: z.string(),
  minutes: z.array(minutesSchema),
  recordedAt: z.string(),
  version: z.number(),
});

/** GET /activities. */
export const activityListSchema = z.object({ items: z.array(activitySchema) });

/** Next year's plan as drafted. */
export const planSchema = z.object({
  sector: z.enum(sectorIds),
  fiscalYear: z.number(),
  planYear: z.number(),
  sections: z.array(z.object({ heading: z.string(), body: z.string() })),
  savedAt: z.nullable(z.string()),
  version: z.number(),
});

/** PUT /reports/{sector}/{fy}/plan. */
export const planPutSchema = z.extend(planSchema, { changed: z.boolean() });

const advisoryTotals = z.object({
  count: z.number(),
  received: z.number(),
  shared: z.number(),
  recipients: z.number(),
  acknowledgedWithinWindow: z.number(),
  rate: nullableNumber,
});

/** GET /reports/{sector}/{fy} as JSON. */
export const annualReportSchema = z.object({
  sector: z.enum(sectorIds),
  sectorNames: names,
  members: z.number(),
  fiscalYear: z.number(),
  planYear: z.number(),
  period: z.object({ from: z.string(), to: z.string() }),
  asOf: z.nullable(z.string()),
  checkpoint: z.object({
    id: z.string(),
    createdAt: z.string(),
    treeSize: z.number(),
    rootHash: z.string(),
    algorithm: z.string(),
    keyId: z.string(),
  }),
  incidents: z.object({
    reported: z.number(),
    relayed: z.number(),
    closed: z.number(),
    byCategory: z.array(
      z.object({
        category: z.enum(categories),
        bySeverity: z.array(z.object({ severity: z.enum(severities), count: z.number() })),
        total: z.number(),
      }),
    ),
    bySeverity: z.array(z.object({ severity: z.enum(severities), count: z.number() })),
    /** GET /audit/compliance's rows (without the slowest runs) and stages, over the year. */
    compliance: z.array(z.omit(complianceSchema.shape.rows.def.element, { slowest: true })),
    stages: complianceSchema.shape.stages,
  }),
  advisories: z.object({
    fromNisc: advisoryTotals,
    fromMinistry: advisoryTotals,
    fromSecretariat: advisoryTotals,
    all: advisoryTotals,
    items: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        tlp: z.string(),
        severity: z.enum(severities),
        issuerRole: z.enum(['nisc', 'ministry', 'secretariat']),
        issuedAt: z.string(),
        receivedAt: z.nullable(z.string()),
        sharedAt: z.nullable(z.string()),
        recipients: z.number(),
        acknowledgedWithinWindow: z.number(),
        rate: z.number(),
        forwards: z.array(z.object({ stage: z.string(), withinDeadline: z.boolean() })),
      }),
    ),
  }),
  drills: z.object({
    count: z.number(),
    recipients: z.number(),
    acknowledgedWithinOneDay: z.number(),
    oneDayRate: nullableNumber,
    items: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        issuedAt: z.string(),
        distributedAt: z.nullable(z.string()),
        ackDueAt: z.nullable(z.string()),
        windowHours: z.number(),
        recipients: z.number(),
        acknowledgedWithinWindow: z.number(),
        windowRate: z.number(),
        acknowledgedWithinOneDay: z.number(),
        oneDayRate: nullableNumber,
        secondsToAcknowledge: z.array(nullableNumber),
      }),
    ),
  }),
  surveys: z.object({
    count: z.number(),
    items: z.array(
      z.object({
        id: z.string(),
        title: names,
        series: z.optional(z.string()),
        issuedAt: z.string(),
        dueAt: z.string(),
        closedAt: z.optional(z.string()),
        invited: z.number(),
        responded: z.number(),
        late: z.number(),
        responseRate: z.number(),
        sectorScore: z.optional(z.object({ median: z.number(), q1: z.number(), q3: z.number() })),
      }),
    ),
  }),
  exercises: z.object({
    count: z.number(),
    items: z.array(
      z.object({
        id: z.string(),
        title: names,
        startedAt: z.string(),
        sectors: z.array(z.string()),
        participants: z.array(
          z.object({ org: z.string(), name: z.string(), role: z.enum(['participant', 'observer']) }),
        ),
        participantCount: z.number(),
        observerCount: z.number(),
        injects: z.number(),
        expectedActions: z.number(),
        actionsOnTime: z.number(),
        actionsLate: z.number(),
        actionsMissed: z.number(),
      }),
    ),
  }),
  activities: z.object({
    count: z.number(),
    byKind: z.array(z.object({ kind: z.enum(activityKinds), count: z.number() })),
    items: z.array(activitySchema),
  }),
  plan: z.nullable(
    z.object({
      sections: z.array(z.object({ heading: z.string(), body: z.string() })),
      savedAt: z.string(),
      version: z.number(),
    }),
  ),
});
