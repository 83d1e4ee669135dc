import { tlpLabels } from '../incident/report.ts';
import { severities } from '../policy.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';
import {
  channel,
  cursor,
  hopProgress,
  instant,
  messageAttempt,
  nullableInstant,
  retriedAttemptShape,
} from './shapes.ts';

/** The response schemas of the advisory, board, drill, contact-check and acknowledgement routes. */

export const advisoryStatus = z.enum(['awaiting_ministry', 'awaiting_secretariat', 'distributed', 'closed']);
const forwardHop = z.enum(['ministry', 'secretariat']);
const issuerRole = z.enum(['nisc', 'ministry', 'secretariat']);
const tlp = z.enum(tlpLabels);
const severity = z.enum(severities);

/** The answer of every advisory command (issue, forward, drill, share, contact check). */
export const advisoryAnswer = z.object({
  id: z.uuid(),
  status: advisoryStatus,
  drill: z.boolean(),
  version: z.number(),
});

/** The answer of POST /advisories with `sectors`: the parent and the id of each sector's chain. */
export const forkAnswer = z.object({
  id: z.uuid(),
  kind: z.literal('fork'),
  drill: z.boolean(),
  children: z.array(z.object({ sector: z.enum(sectorIds), advisoryId: z.uuid() })),
  version: z.number(),
});

/** What any reader of an advisory sees (the public board: this alone). */
const contentShape = {
  id: z.uuid(),
  sector: z.enum(sectorIds),
  /** The cross-sector exercise it belongs to (only with `?exercise=`). */
  exerciseId: z.optional(z.string()),
  /** The advisory to several sectors this is one sector's chain of (GET /advisories/{parentId}). */
  parentId: z.optional(z.uuid()),
  title: z.string(),
  body: z.string(),
  tlp,
  drill: z.boolean(),
  severity,
  status: advisoryStatus,
  issuerRole,
  createdAt: instant,
  distributedAt: nullableInstant,
  ackDueAt: nullableInstant,
  ackWithinHours: z.number(),
  notes: z.array(z.object({ hop: forwardHop, note: z.string() })),
  version: z.number(),
};
export const advisoryContent = z.object(contentShape);

/** One recipient organisation: delivered when and on which channel (after which failed attempts), acknowledged when. */
export const recipientRowSchema = z.object({
  org: z.string(),
  deliveries: z.array(
    z.object({
      at: instant,
      purpose: z.enum(['advisory', 'reminder']),
      contactId: z.string(),
      channel,
      to: z.string(),
      ok: z.boolean(),
      detail: z.string(),
    }),
  ),
  /** Failed attempts the queue retried before a delivery's outcome (in `deliveries`): the failure's class, never more. */
  attempts: z.array(
    z.object({
      purpose: z.enum(['advisory', 'reminder']),
      contactId: z.string(),
      ...retriedAttemptShape,
    }),
  ),
  acknowledgedAt: nullableInstant,
  acknowledgements: z.array(
    z.object({
      at: instant,
      contactId: z.nullable(z.string()),
      by: z.string(),
      via: z.enum(['link', 'api']),
    }),
  ),
  remindedAt: nullableInstant,
  missed: z.boolean(),
});

export const transmissionSchema = z.object({
  recipients: z.number(),
  delivered: z.number(),
  acknowledged: z.number(),
  withinWindow: z.number(),
  rate: z.number().check(z.minimum(0), z.maximum(1)),
});

/** A member's view: the advisory and its own organisation's row only. */
export const memberAdvisoryView = z.object({ ...contentShape, recipient: z.nullable(recipientRowSchema) });

/** The chain's view (NISC, the ministry, the secretariat, auditors): every recipient and the rate. */
export const chainAdvisoryView = z.object({
  ...contentShape,
  sourceIncidentId: z.optional(z.uuid()),
  issuedBy: z.string(),
  hops: z.object({ ministry: z.nullable(hopProgress), secretariat: z.nullable(hopProgress) }),
  stalledHop: z.nullable(forwardHop),
  remindAt: nullableInstant,
  remindersSentAt: nullableInstant,
  closedAt: nullableInstant,
  transmission: transmissionSchema,
  recipients: z.array(recipientRowSchema),
  deliveries: z.array(
    z.object({
      key: z.string(),
      at: instant,
      purpose: z.string(),
      channel,
      to: z.string(),
      ok: z.boolean(),
    }),
  ),
  /** The chain messages' failed attempts the queue retried before their outcome (in `deliveries`, by `key`). */
  attempts: z.array(messageAttempt(z.string())),
});

/** A share of recipients, 0 to 1. */
const rate = z.number().check(z.minimum(0), z.maximum(1));
const nullableRate = z.nullable(rate);
const forkFigures = {
  recipients: z.number(),
  delivered: z.number(),
  acknowledged: z.number(),
  /** Acknowledged within the acknowledgement window, and `rate` = withinWindow / recipients (0 when none). */
  withinWindow: z.number(),
  rate,
  /** Acknowledged within one day of the distribution (the drills' １日以内の情報伝達率); null when no recipients. */
  acknowledgedWithinOneDay: z.number(),
  oneDayRate: nullableRate,
};

/** A child of an advisory to several sectors: its sector, its advisory, its status (`pending` until issued). */
const forkChildShape = {
  sector: z.enum(sectorIds),
  advisoryId: z.uuid(),
  status: z.enum(['pending', ...advisoryStatus.options]),
};

/**
 * GET /advisories/{id} of an advisory to several sectors (NISC, the ministry for its sectors,
 * auditors): each of the caller's sectors' chains with its transmission, and the same over them.
 */
export const forkViewSchema = z.object({
  id: z.uuid(),
  kind: z.literal('fork'),
  title: z.string(),
  body: z.string(),
  tlp,
  severity,
  drill: z.boolean(),
  issuerRole,
  issuedBy: z.string(),
  createdAt: instant,
  ackWithinHours: z.number(),
  sectors: z.array(z.enum(sectorIds)),
  children: z.array(
    z.object({
      ...forkChildShape,
      forwarded: z.object({ ministry: nullableInstant, secretariat: nullableInstant }),
      stalledHop: z.nullable(forwardHop),
      distributedAt: nullableInstant,
      ackDueAt: nullableInstant,
      ...forkFigures,
    }),
  ),
  overall: z.object({ sectors: z.number(), distributed: z.number(), ...forkFigures }),
  version: z.number(),
});

/** GET /advisories/{id}: the member's or the chain's view, or an advisory to several sectors. */
export const advisoryViewSchema = z.union([chainAdvisoryView, memberAdvisoryView, forkViewSchema]);

/** A board row: what the caller may know of an advisory in a list. */
const summaryShape = {
  id: z.uuid(),
  sector: z.enum(sectorIds),
  /** The cross-sector exercise it belongs to (only with `?exercise=`). */
  exerciseId: z.optional(z.string()),
  title: z.string(),
  tlp,
  drill: z.boolean(),
  status: advisoryStatus,
  issuerRole,
  createdAt: instant,
  distributedAt: nullableInstant,
  ackDueAt: nullableInstant,
};
export const advisorySummarySchema = z.object(summaryShape);

const awaiting = z.nullable(z.object({ action: z.enum(['forward', 'acknowledge']), dueAt: nullableInstant }));

/** Set on a child of an advisory to several sectors when `forks` carries its parent. */
const parentId = z.optional(z.uuid());

/** GET /advisories `forks`: the parent of an advisory to several sectors, for a caller of several sectors. */
const forkListRowSchema = z.object({
  id: z.uuid(),
  view: z.literal('fork'),
  title: z.string(),
  tlp,
  severity,
  drill: z.boolean(),
  issuerRole,
  createdAt: instant,
  sectors: z.array(z.enum(sectorIds)),
  children: z.array(z.object({ ...forkChildShape, recipients: z.number() })),
  overall: z.object({ sectors: z.number(), distributed: z.number(), recipients: z.number() }),
});

/**
 * GET /advisories: rows for the chain or for a member; for a caller who sees several sectors,
 * `forks` holds the parents of the advisories to several sectors whose children are on the page
 * (each child row names its `parentId`); empty for a caller of one sector.
 */
export const advisoryListSchema = z.object({
  items: z.array(
    z.union([
      z.object({
        ...summaryShape,
        parentId,
        view: z.literal('chain'),
        severity,
        awaiting,
        pending: z.nullable(z.object({ hop: forwardHop, dueAt: nullableInstant, escalations: z.number() })),
        stalledHop: z.nullable(forwardHop),
        recipients: z.number(),
        closedWindow: z.nullable(z.object({ acknowledged: z.number(), rate: z.number() })),
      }),
      z.object({
        ...summaryShape,
        parentId,
        view: z.literal('member'),
        severity,
        awaiting,
        recipient: z.boolean(),
        acknowledgedAt: nullableInstant,
        missed: z.boolean(),
      }),
    ]),
  ),
  forks: z.array(forkListRowSchema),
  cursor,
});

/** GET /board: summaries. */
export const boardSchema = z.object({ items: z.array(advisorySummarySchema), cursor });
/** GET /public/board: TLP:CLEAR advisories with their text. */
export const publicBoardSchema = z.object({ items: z.array(advisoryContent), cursor });

/** GET /drills. */
export const drillListSchema = z.object({
  items: z.array(
    z.object({
      ...summaryShape,
      severity,
      ackWithinHours: z.number(),
      closedAt: nullableInstant,
      transmission: z.nullable(transmissionSchema),
    }),
  ),
  cursor,
});

/** GET /drills/{id}/report as JSON. */
export const drillReportSchema = z.object({
  advisoryId: z.uuid(),
  title: z.string(),
  drill: z.boolean(),
  tlp,
  status: advisoryStatus,
  issuedAt: instant,
  issuerRole,
  distributedAt: nullableInstant,
  ackDueAt: nullableInstant,
  windowHours: z.number(),
  overall: z.object({ recipients: z.number(), acknowledgedWithinWindow: z.number(), rate }),
  stages: z.array(
    z.union([
      z.object({
        stage: forwardHop,
        expected: z.number(),
        withinDeadline: z.number(),
        rate,
        startedAt: nullableInstant,
        dueAt: nullableInstant,
        forwardedAt: nullableInstant,
        secondsToForward: z.nullable(z.number()),
        escalations: z.number(),
      }),
      z.object({
        stage: z.literal('members'),
        expected: z.number(),
        withinDeadline: z.number(),
        rate,
        startedAt: nullableInstant,
        dueAt: nullableInstant,
      }),
    ]),
  ),
  recipients: z.array(
    z.object({
      org: z.string(),
      deliveredAt: nullableInstant,
      channel: z.nullable(channel),
      deliveryFailures: z.number(),
      acknowledgedAt: nullableInstant,
      secondsToAcknowledge: z.nullable(z.number()),
      withinWindow: z.boolean(),
      reminded: z.boolean(),
      missed: z.boolean(),
    }),
  ),
});

/** GET /contact-checks/{id}. */
export const contactCheckSchema = z.object({
  id: z.uuid(),
  status: advisoryStatus,
  createdAt: instant,
  dueAt: nullableInstant,
  contacts: z.number(),
  confirmed: z.number(),
  organizations: z.array(
    z.object({
      org: z.string(),
      contacts: z.array(
        z.object({
          contactId: z.string(),
          reached: z.array(
            z.object({ channel, ok: z.boolean(), at: instant, purpose: z.enum(['advisory', 'reminder']) }),
          ),
          confirmedAt: nullableInstant,
        }),
      ),
      allConfirmed: z.boolean(),
    }),
  ),
});

/** POST /advisories/{id}/receipt: recorded now, or already recorded (nothing written). */
export const ackAnswerSchema = z.object({
  advisoryId: z.uuid(),
  org: z.string(),
  status: z.enum(['acknowledged', 'already_acknowledged']),
  acknowledgedAt: nullableInstant,
});

/** POST /ack/{token} for an API client: the same, naming the contact the link was sent to. */
export const ackLinkRecorded = z.object({ ...ackAnswerSchema.shape, contactId: z.string() });

/** GET /ack/{token} for an API client: the state, nothing recorded. */
export const ackLinkState = z.object({
  advisoryId: z.uuid(),
  org: z.string(),
  contactId: z.string(),
  status: z.enum(['not_acknowledged', 'already_acknowledged']),
  acknowledgedAt: nullableInstant,
});

/** POST /incidents/{id}/share?preview=true: what one recipient member would see; nothing written. */
export const sharePreviewSchema = z.object({
  preview: z.literal(true),
  recipients: z.number(),
  member: z.nullable(z.string()),
  advisory: z.nullable(memberAdvisoryView),
});
