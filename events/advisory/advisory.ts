import type { AttemptRecord, DeliveryAttempt } from '../delivery.ts';
import type { Channel, Recorded } from '../incident/incident.ts';
import type { Tlp } from '../incident/report.ts';
import type { Severity } from '../policy.ts';
import type { SectorId } from '../sector/catalog.ts';
import { escalated } from '../workflow-plan.ts';

/** The roles that may issue an advisory: where it starts in the downward chain. */
export type IssuerRole = 'nisc' | 'ministry' | 'secretariat';

/** The intermediate hops of the downward chain: each forwards the advisory within its deadline. */
export const forwardHops = ['ministry', 'secretariat'] as const;
export type ForwardHop = (typeof forwardHops)[number];

/**
 * What the advisory workflow waits on: a hop's forward, or the acknowledgement window's
 * half-time (reminders on the secondary channel) and end (missed recipients).
 */
export const advisoryWaits = ['ministry', 'secretariat', 'remind', 'close'] as const;
export type AdvisoryWait = (typeof advisoryWaits)[number];

export type AdvisoryStatus = 'awaiting_ministry' | 'awaiting_secretariat' | 'distributed' | 'closed';

/** Why a message about an advisory is sent. */
export const advisoryPurposes = [
  'forward_requested',
  'forward_escalation',
  'forward_stalled',
  'advisory',
  'reminder',
  'window_closed',
  'contact_check',
] as const;
export type AdvisoryPurpose = (typeof advisoryPurposes)[number];

/**
 * Whether the chain's contacts with a voice number are also called (電話) for a message: a critical
 * advisory's forwarding request, and every missed forwarding deadline or stall, as a second route
 * beside the written message. Recipients are called only where voice is the channel they chose.
 */
export const chainCalls = (purpose: AdvisoryPurpose, severity: Severity): boolean =>
  purpose === 'forward_escalation' ||
  purpose === 'forward_stalled' ||
  (purpose === 'forward_requested' && severity === 'critical');

/** Who receives an advisory: every member, or a list of member organisations. */
export type Audience = 'all' | readonly string[];

/** The events of an advisory's own stream: the chain of hops and the acknowledgement window. */
export type AdvisoryEvent =
  | {
      type: 'AdvisoryIssued';
      data: {
        advisoryId: string;
        /** The sector it goes to; absent in streams from before sectors (chemical). */
        sector?: SectorId;
        /** The cross-sector exercise whose inject this is (then `drill` is true); absent otherwise. */
        exerciseId?: string;
        /** The advisory to several sectors this one is the sector's chain of (events/advisory/fork.ts). */
        parentId?: string;
        title: string;
        body: string;
        tlp: Tlp;
        severity: Severity;
        ackWithinHours: number;
        audience: Audience;
        drill: boolean;
        issuedBy: string;
        issuerRole: IssuerRole;
        /** The shared incident: only the secretariat's views show it. */
        sourceIncidentId?: string;
        /** A reachability check: every channel of every contact, each confirming by its link. */
        contactCheck?: boolean;
        /** Organisations that must not receive it (the reporter of a shared incident). */
        excludeOrgs?: string[];
        /** The first hop's deadline, when the issuer is above the secretariat. */
        forwardDueAt?: string;
      };
    }
  | { type: 'AdvisoryForwarded'; data: { hop: ForwardHop; note?: string; nextDueAt?: string } }
  | {
      type: 'AdvisoryDistributed';
      data: {
        recipients: string[];
        ackDueAt: string;
        remindAt: string;
        /** For TLP:RED, the logins of each recipient organisation's named contacts. */
        named?: Record<string, string[]>;
      };
    }
  | {
      type: 'AdvisoryWaitStarted';
      data: { wait: AdvisoryWait; attempt: number; dueAt: string; taskToken: string };
    }
  | {
      type: 'ForwardDeadlineMissed';
      data: { hop: ForwardHop; escalation: number; missedDueAt: string; nextDueAt: string };
    }
  | { type: 'ForwardStalled'; data: { hop: ForwardHop; escalations: number } }
  | { type: 'RemindersDue'; data: { orgs: string[] } }
  | { type: 'AckWindowClosed'; data: { missed: string[]; acknowledged: number } }
  | {
      type: 'NotificationDelivered';
      data: { key: string; purpose: AdvisoryPurpose; channel: Channel; to: string; messageId: string };
    }
  | {
      type: 'NotificationFailed';
      data: { key: string; purpose: AdvisoryPurpose; channel: Channel; to: string; reason: string };
    }
  | {
      /** A chain message's failed attempt that the queue retries: the failure's class, never more (events/delivery.ts). */
      type: 'NotificationAttemptFailed';
      data: AttemptRecord<AdvisoryPurpose>;
    };

/** One forwarding hop's progress. */
export interface ForwardProgress {
  startedAt: string | null;
  dueAt: string | null;
  doneAt: string | null;
  doneBy: string | null;
  note: string | null;
  escalations: { at: string; escalation: number; missedDueAt: string; nextDueAt: string }[];
}

/** The folded state of an advisory's own stream (recipients' facts live in their own streams). */
export interface AdvisoryState {
  id: string;
  /** The sector (absent in heads from before sectors: read it with sectorOr, chemical). */
  sector?: SectorId;
  /** Set on an exercise's inject: kept out of default lists, drills and statistics. */
  exerciseId?: string;
  /** Set on one sector's chain of an advisory to several sectors: the parent's id. */
  parentId?: string;
  title: string;
  body: string;
  tlp: Tlp;
  severity: Severity;
  ackWithinHours: number;
  audience: Audience;
  drill: boolean;
  /** A contact check (absent in snapshots from before contact checks: read as false). */
  contactCheck?: boolean;
  issuedBy: string;
  issuerRole: IssuerRole;
  sourceIncidentId: string | null;
  excludeOrgs: string[];
  status: AdvisoryStatus;
  createdAt: string;
  updatedAt: string;
  hops: Record<ForwardHop, ForwardProgress | null>;
  distributedAt: string | null;
  recipients: string[];
  named: Record<string, string[]>;
  ackDueAt: string | null;
  remindAt: string | null;
  remindersSentAt: string | null;
  reminded: string[];
  closedAt: string | null;
  missed: string[];
  waits: Partial<Record<AdvisoryWait, { taskToken: string; attempt: number; dueAt: string; at: string }>>;
  stalledHop: ForwardHop | null;
  /** The version of the forward that moved a stalled advisory on: it starts a new workflow. */
  restartAt: number | null;
  deliveries: {
    key: string;
    at: string;
    purpose: AdvisoryPurpose;
    channel: Channel;
    to: string;
    ok: boolean;
  }[];
  /** The chain messages' failed attempts retried before their outcome (absent in heads written before they were recorded). */
  attempts?: DeliveryAttempt<AdvisoryPurpose>[];
  version: number;
}
export type MaybeAdvisory = AdvisoryState | null;
export const initialAdvisory = (): MaybeAdvisory => null;

const progress = (startedAt: string | null, dueAt: string | null): ForwardProgress => ({
  startedAt,
  dueAt,
  doneAt: null,
  doneBy: null,
  note: null,
  escalations: [],
});

/** The hop an advisory waits on in a status, if any. */
export function pendingHop(status: AdvisoryStatus): ForwardHop | null {
  switch (status) {
    case 'awaiting_ministry':
      return 'ministry';
    case 'awaiting_secretariat':
      return 'secretariat';
    case 'distributed':
    case 'closed':
      return null;
    default: {
      const _never: never = status;
      return _never;
    }
  }
}

/** Folds one advisory event. Pure. */
export function evolveAdvisory(state: MaybeAdvisory, event: Recorded<AdvisoryEvent>): MaybeAdvisory {
  const at = event.recordedAt;
  if (event.type === 'AdvisoryIssued') {
    const d = event.data;
    const status: AdvisoryStatus =
      d.issuerRole === 'nisc'
        ? 'awaiting_ministry'
        : d.issuerRole === 'ministry'
          ? 'awaiting_secretariat'
          : 'distributed';
    return {
      id: d.advisoryId,
      ...(d.sector ? { sector: d.sector } : {}),
      ...(d.exerciseId ? { exerciseId: d.exerciseId } : {}),
      ...(d.parentId ? { parentId: d.parentId } : {}),
      title: d.title,
      body: d.body,
      tlp: d.tlp,
      severity: d.severity,
      ackWithinHours: d.ackWithinHours,
      audience: d.audience,
      drill: d.drill,
      contactCheck: d.contactCheck === true,
      issuedBy: d.issuedBy,
      issuerRole: d.issuerRole,
      sourceIncidentId: d.sourceIncidentId ?? null,
      excludeOrgs: d.excludeOrgs ?? [],
      status,
      createdAt: at,
      updatedAt: at,
      hops: {
        ministry: d.issuerRole === 'nisc' ? progress(at, d.forwardDueAt ?? null) : null,
        secretariat: d.issuerRole === 'ministry' ? progress(at, d.forwardDueAt ?? null) : null,
      },
      distributedAt: null,
      recipients: [],
      named: {},
      ackDueAt: null,
      remindAt: null,
      remindersSentAt: null,
      reminded: [],
      closedAt: null,
      missed: [],
      waits: {},
      stalledHop: null,
      restartAt: null,
      deliveries: [],
      version: event.version,
    };
  }
  if (state === null) return state;
  const s: AdvisoryState = { ...state, updatedAt: at, version: event.version };
  switch (event.type) {
    case 'AdvisoryForwarded': {
      const { hop, note, nextDueAt } = event.data;
      const done = {
        ...(s.hops[hop] ?? progress(at, null)),
        doneAt: at,
        doneBy: event.actor.sub,
        note: note ?? null,
      };
      s.hops = { ...s.hops, [hop]: done };
      if (hop === 'ministry') {
        s.status = 'awaiting_secretariat';
        s.hops = { ...s.hops, secretariat: progress(at, nextDueAt ?? null) };
      }
      if (s.stalledHop !== null) s.restartAt = event.version;
      s.stalledHop = null;
      return s;
    }
    case 'AdvisoryDistributed':
      s.status = 'distributed';
      s.distributedAt = at;
      s.recipients = event.data.recipients;
      s.named = event.data.named ?? {};
      s.ackDueAt = event.data.ackDueAt;
      s.remindAt = event.data.remindAt;
      return s;
    case 'AdvisoryWaitStarted': {
      const { wait, taskToken, attempt, dueAt } = event.data;
      s.waits = { ...s.waits, [wait]: { taskToken, attempt, dueAt, at } };
      return s;
    }
    case 'ForwardDeadlineMissed': {
      const { hop } = event.data;
      s.hops = { ...s.hops, [hop]: escalated(s.hops[hop] ?? progress(at, null), at, event.data) };
      return s;
    }
    case 'ForwardStalled':
      s.stalledHop = event.data.hop;
      return s;
    case 'RemindersDue':
      s.remindersSentAt = at;
      s.reminded = event.data.orgs;
      return s;
    case 'AckWindowClosed':
      s.status = 'closed';
      s.closedAt = at;
      s.missed = event.data.missed;
      return s;
    case 'NotificationDelivered':
    case 'NotificationFailed': {
      const { key, purpose, channel, to } = event.data;
      s.deliveries = [
        ...s.deliveries,
        { key, at, purpose, channel, to, ok: event.type === 'NotificationDelivered' },
      ];
      return s;
    }
    case 'NotificationAttemptFailed':
      s.attempts = [...(s.attempts ?? []), { ...event.data, at }];
      return s;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** The message to one recipient's contact on one channel that a delivery fact is about. */
export interface RecipientMessage {
  advisoryId: string;
  org: string;
  /** The advisory's sector (absent in events recorded before it was carried): where the audit keeps the stream. */
  sector?: SectorId;
  key: string;
  purpose: 'advisory' | 'reminder';
  contactId: string;
  channel: Channel;
}

/** The events of one recipient organisation's stream for one advisory: deliveries and acknowledgements. */
export type RecipientEvent =
  | {
      type: 'AdvisoryDelivered';
      data: RecipientMessage & { to: string; messageId: string };
    }
  | {
      type: 'AdvisoryDeliveryFailed';
      data: RecipientMessage & { to: string; reason: string };
    }
  | {
      type: 'AdvisoryDeliveryAttemptFailed';
      data: RetriedAttemptData;
    }
  | {
      type: 'AdvisoryAcknowledged';
      data: {
        advisoryId: string;
        org: string;
        /** As in {@link RecipientMessage}. */
        sector?: SectorId;
        contactId: string | null;
        by: string;
        via: 'link' | 'api';
      };
    };

/**
 * A failed attempt at one message that the queue retries (attempts 1 to 4 of 5; the last one's failure
 * is an `AdvisoryDeliveryFailed`). It names the class of the failure, never the answer's body, the
 * address or anything secret: `status` the HTTP status a webhook answered with, `error` its class
 * (`HTTP 503`, `TimeoutError`, `ECONNREFUSED`, an SDK exception's name).
 */
export interface RetriedAttemptData extends RecipientMessage {
  attempt: number;
  status?: number;
  error: string;
  nextAttemptAt: string;
}

/** One failed attempt the queue retried, as a recipient's state holds it. */
export type RecipientAttempt = Omit<RetriedAttemptData, 'advisoryId' | 'org' | 'sector'> & { at: string };

/** One delivery attempt's outcome to one contact on one channel. */
export interface RecipientDelivery {
  key: string;
  at: string;
  purpose: 'advisory' | 'reminder';
  contactId: string;
  channel: Channel;
  to: string;
  ok: boolean;
  detail: string;
}

/** The folded state of one recipient organisation for one advisory. */
export interface RecipientState {
  advisoryId: string;
  org: string;
  /** The advisory's sector, from the first event that carries it (absent in older streams: the advisory's). */
  sector?: SectorId;
  deliveries: RecipientDelivery[];
  /** Failed attempts retried before a delivery's outcome (absent in heads written before they were recorded). */
  attempts?: RecipientAttempt[];
  acknowledgements: { at: string; contactId: string | null; by: string; via: 'link' | 'api' }[];
  /** The first acknowledgement: the organisation counts as reached from then on. */
  acknowledgedAt: string | null;
  remindedAt: string | null;
  updatedAt: string;
  version: number;
}
export type MaybeRecipient = RecipientState | null;
export const initialRecipient = (): MaybeRecipient => null;

/** Folds one recipient event; the first event of any type opens the stream. */
export function evolveRecipient(state: MaybeRecipient, event: Recorded<RecipientEvent>): MaybeRecipient {
  const at = event.recordedAt;
  const s: RecipientState = {
    ...(state ?? {
      advisoryId: event.data.advisoryId,
      org: event.data.org,
      deliveries: [],
      acknowledgements: [],
      acknowledgedAt: null,
      remindedAt: null,
    }),
    updatedAt: at,
    version: event.version,
  };
  if (s.sector === undefined && event.data.sector !== undefined) s.sector = event.data.sector;
  switch (event.type) {
    case 'AdvisoryDelivered':
    case 'AdvisoryDeliveryFailed': {
      const { key, purpose, contactId, channel, to } = event.data;
      const ok = event.type === 'AdvisoryDelivered';
      s.deliveries = [
        ...s.deliveries,
        {
          key,
          at,
          purpose,
          contactId,
          channel,
          to,
          ok,
          detail: event.type === 'AdvisoryDelivered' ? event.data.messageId : event.data.reason,
        },
      ];
      if (purpose === 'reminder' && s.remindedAt === null) s.remindedAt = at;
      return s;
    }
    case 'AdvisoryDeliveryAttemptFailed': {
      const { advisoryId: _a, org: _o, sector: _s, ...attempt } = event.data;
      s.attempts = [...(s.attempts ?? []), { ...attempt, at }];
      return s;
    }
    case 'AdvisoryAcknowledged': {
      const { contactId, by, via } = event.data;
      s.acknowledgements = [...s.acknowledgements, { at, contactId, by, via }];
      s.acknowledgedAt ??= at;
      return s;
    }
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
