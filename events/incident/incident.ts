import type { Actor } from '../actor.ts';
import type { AttemptRecord, DeliveryAttempt } from '../delivery.ts';
import type { Hop, RelayPolicyConfig, Severity } from '../policy.ts';
import {
  DEFAULT_PRESET_ID,
  presetOf,
  type RecordedPreset,
  type ReportingPreset,
  type StageDetails,
} from '../reporting.ts';
import type { SectorId } from '../sector/catalog.ts';
import { escalated } from '../workflow-plan.ts';
import type { RecoveryStatus, Report } from './report.ts';

/** Where an incident stands in the upward relay. */
export type IncidentStatus =
  | 'awaiting_secretariat'
  | 'returned'
  | 'awaiting_ministry'
  | 'awaiting_nisc'
  | 'relayed'
  | 'closed';

/** Why a notification was sent; the template and the recipients follow from it. */
export type NotificationPurpose =
  | 'review_requested'
  | 'returned'
  | 'approved'
  | 'relay'
  | 'relayed'
  | 'follow_up'
  | 'escalation'
  | 'stalled'
  | 'stage_reminder'
  | 'stage_escalation';

/** How a message reaches a contact: `voice` is a phone call that reads it aloud (電話). */
export type Channel = 'email' | 'sms' | 'webhook' | 'voice';

/** The events of one incident's stream, newest schema. Past tense, data only. */
export type IncidentEvent =
  | {
      type: 'IncidentReported';
      data: {
        incidentId: string;
        org: string;
        /** The reporting member's sector; absent in streams from before sectors (chemical). */
        sector?: SectorId;
        /** The cross-sector exercise whose inject this scripted report is; absent for a real incident. */
        exerciseId?: string;
        reportedBy: string;
        report: Report;
        secretariatDueAt: string;
        /**
         * The reporting stages' preset the incident runs under: a built-in's id (its stages are the
         * code's), or a custom preset recorded whole, so its clocks read the same whatever the
         * configuration says later. Absent from streams written before stages: those read under the
         * default preset (japan-ceptoar).
         */
        reporting?: RecordedPreset;
        /**
         * The reporting sector's own relay policy (deadline hours and escalations), recorded whole so
         * a later change of the sector's entry does not move this incident's deadlines. Absent: the
         * deployment's policy.
         */
        relayPolicy?: RelayPolicyConfig;
      };
    }
  | {
      type: 'FollowUpAdded';
      data: {
        number: number;
        description: string;
        recoveryStatus: RecoveryStatus;
        /** True when it answered a return and put the report back under review. */
        resubmitted: boolean;
        secretariatDueAt?: string;
        /** The reporting stage this follow-up fulfils, if it names one. */
        stage?: string;
        /** The stage fields it carries (impact, root cause, ransom payment, …). */
        details?: StageDetails;
      };
    }
  | { type: 'RelayApproved'; data: { note?: string; ministryDueAt: string } }
  | { type: 'RelayReturned'; data: { note?: string; memberDueAt: string } }
  | { type: 'ReceiptAcknowledged'; data: { hop: 'ministry' | 'nisc'; note?: string; niscDueAt?: string } }
  | { type: 'IncidentClosed'; data: { note?: string } }
  | { type: 'RelayWaitStarted'; data: { hop: Hop; attempt: number; dueAt: string; taskToken: string } }
  | {
      type: 'HopDeadlineMissed';
      data: { hop: Hop; escalation: number; missedDueAt: string; nextDueAt: string };
    }
  | { type: 'RelayStalled'; data: { hop: Hop; escalations: number } }
  /** The stage-alarm workflow waits (its task token resumes it): for an alarm at `dueAt`, or a bounded wait to plan again. */
  | {
      type: 'StageWaitStarted';
      data: { wait: StageWait; attempt: number; dueAt: string; taskToken: string };
    }
  /** A reporting stage's reminder fell due (`at`, before the stage's deadline `dueAt`); the member is told. */
  | { type: 'StageReminderDue'; data: { stage: string; at: string; dueAt: string } }
  /** A reporting stage was not submitted by its deadline (`dueAt`); escalated at `at` to the member and the secretariat. */
  | { type: 'StageEscalated'; data: { stage: string; at: string; dueAt: string } }
  | {
      type: 'NotificationDelivered';
      data: { key: string; purpose: NotificationPurpose; channel: Channel; to: string; messageId: string };
    }
  | {
      type: 'NotificationFailed';
      data: { key: string; purpose: NotificationPurpose; channel: Channel; to: string; reason: string };
    }
  | {
      /**
       * A message's failed attempt that the queue retries (attempts 1 to 4 of 5): the failure's class,
       * never the answer, the address or a secret (events/delivery.ts). Its outcome is one of the two above.
       */
      type: 'NotificationAttemptFailed';
      data: AttemptRecord<NotificationPurpose>;
    };

export type IncidentEventType = IncidentEvent['type'];

/** An event as stored: the domain event plus its place in the stream and who caused it. */
export type Recorded<E extends { type: string; data: unknown }> = E & {
  readonly version: number;
  readonly recordedAt: string;
  readonly actor: Actor;
};

/** One hop's progress: its deadline, when it started and ended, and its escalations. */
export interface HopProgress {
  startedAt: string | null;
  dueAt: string | null;
  doneAt: string | null;
  doneBy: string | null;
  note: string | null;
  escalations: { at: string; escalation: number; missedDueAt: string; nextDueAt: string }[];
}

export interface FollowUp {
  number: number;
  at: string;
  by: string;
  description: string;
  recoveryStatus: RecoveryStatus;
  stage?: string;
  details?: StageDetails;
}

/** A reporting stage submitted: by the report itself (followUp null) or by a follow-up. */
export interface StageSubmission {
  stage: string;
  at: string;
  by: string;
  followUp: number | null;
}

export interface Delivery {
  key: string;
  at: string;
  purpose: NotificationPurpose;
  channel: Channel;
  to: string;
  ok: boolean;
  detail: string;
}

/**
 * What the stage-alarm workflow waits for: `alarm`, a reminder or escalation at its `dueAt`; `replan`,
 * a bounded wait (for a stage clock that has not started yet, or an alarm further ahead), planned
 * again when it ends.
 */
export const stageWaits = ['alarm', 'replan'] as const;
export type StageWait = (typeof stageWaits)[number];

/** A stage reminder or escalation recorded: the stage, the alarm's instant, the stage's deadline. */
export interface StageAlarm {
  stage: string;
  at: string;
  dueAt: string;
}

/** The folded state of an incident: what every view and decision reads. */
export interface IncidentState {
  id: string;
  status: IncidentStatus;
  org: string;
  /** The sector (absent in heads from before sectors: read it with sectorOr, chemical). */
  sector?: SectorId;
  /** Set on an exercise's scripted incident: kept out of default lists, statistics and compliance. */
  exerciseId?: string;
  reportedBy: string;
  report: Report;
  severity: Severity;
  recoveryStatus: RecoveryStatus;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  followUps: FollowUp[];
  returns: { at: string; by: string; note: string | null }[];
  hops: Record<Hop, HopProgress>;
  /** The relay workflow's latest wait per hop (its task token resumes it). */
  waits: Partial<Record<Hop, { taskToken: string; attempt: number; dueAt: string; at: string }>>;
  stalledHop: Hop | null;
  /**
   * The version of the event that moved a stalled relay on: the relay workflow had ended,
   * so that event starts a new one (named after this version, so a replay starts none).
   */
  restartAt: number | null;
  deliveries: Delivery[];
  /** Messages' failed attempts retried before their outcome (absent in heads written before they were recorded). */
  attempts?: DeliveryAttempt<NotificationPurpose>[];
  /** The reporting stages' preset (events/reporting.ts: presetOf reads it) and what has been submitted of it. */
  preset: string;
  customPreset: ReportingPreset | null;
  stageSubmissions: StageSubmission[];
  /** When the member says a ransom was paid (it starts CIRCIA's ransom payment clock). */
  ransomPaidAt: string | null;
  /** When the follow-up that stated the ransom payment was recorded (the relay knew of the clock from then). */
  ransomStatedAt: string | null;
  /** The stage reminders and escalations recorded (events/incident/stage-alarms.ts decides them). */
  stageReminders: StageAlarm[];
  stageEscalations: StageAlarm[];
  /** The stage-alarm workflow's latest wait (its task token resumes it). */
  stageWait: { wait: StageWait; attempt: number; dueAt: string; taskToken: string; at: string } | null;
  /** The sector's own relay policy recorded when reported; absent: the deployment's. */
  relayPolicy?: RelayPolicyConfig;
  version: number;
}

/** State before the first event: nothing exists yet. */
export type MaybeIncident = IncidentState | null;
export const initialState = (): MaybeIncident => null;

const newHop = (): HopProgress => ({
  startedAt: null,
  dueAt: null,
  doneAt: null,
  doneBy: null,
  note: null,
  escalations: [],
});

const startHop = (at: string, dueAt: string): HopProgress => ({ ...newHop(), startedAt: at, dueAt });

const by = (actor: Actor) => actor.sub;

function clearStall(s: IncidentState, version: number) {
  if (s.stalledHop !== null) s.restartAt = version;
  s.stalledHop = null;
}

/** The hop the relay is waiting on in a status, if any. */
export function currentHop(status: IncidentStatus): Hop | null {
  switch (status) {
    case 'awaiting_secretariat':
      return 'secretariat';
    case 'returned':
      return 'member';
    case 'awaiting_ministry':
      return 'ministry';
    case 'awaiting_nisc':
      return 'nisc';
    case 'relayed':
    case 'closed':
      return null;
    default: {
      const _never: never = status;
      return _never;
    }
  }
}

/**
 * What `decide` reads of an incident, and nothing it does not: the state without the report's
 * text, earlier follow-ups, returns and the details of each delivery (only their keys, which
 * make a redelivered message record nothing twice). The store keeps this beside the newest
 * event, so a command reads and writes a snapshot whose size does not grow with the
 * follow-ups' text; `test/incident-decision-state.unit.test.ts` holds that deciding and
 * folding on it give what they give on the whole state.
 */
export function decisionState(state: MaybeIncident): MaybeIncident {
  if (state === null) return null;
  const last = state.followUps.at(-1);
  return {
    ...state,
    report: { ...state.report, description: '' },
    followUps: last
      ? [
          {
            number: last.number,
            at: last.at,
            by: last.by,
            description: '',
            recoveryStatus: last.recoveryStatus,
          },
        ]
      : [],
    returns: [],
    deliveries: state.deliveries.map((d) => ({ ...d, at: '', to: '', detail: '' })),
    // Only the attempts of messages still without an outcome decide anything (a redelivered attempt).
    ...(state.attempts === undefined
      ? {}
      : {
          attempts: state.attempts
            .filter((a) => !state.deliveries.some((d) => d.key === a.key))
            .map((a) => ({ ...a, at: '', nextAttemptAt: '', error: '' })),
        }),
  };
}

/** Folds one recorded event into the state. Pure; never throws on a valid stream. */
export function evolve(state: MaybeIncident, event: Recorded<IncidentEvent>): MaybeIncident {
  const at = event.recordedAt;
  if (event.type === 'IncidentReported') {
    const { data } = event;
    const preset = data.reporting?.preset ?? DEFAULT_PRESET_ID;
    const customPreset = data.reporting?.custom ?? null;
    const first = presetOf({ preset, customPreset }).stages[0];
    return {
      id: data.incidentId,
      status: 'awaiting_secretariat',
      org: data.org,
      ...(data.sector ? { sector: data.sector } : {}),
      ...(data.relayPolicy ? { relayPolicy: data.relayPolicy } : {}),
      ...(data.exerciseId ? { exerciseId: data.exerciseId } : {}),
      reportedBy: data.reportedBy,
      report: data.report,
      severity: data.report.severity,
      recoveryStatus: 'investigating',
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      followUps: [],
      returns: [],
      hops: {
        secretariat: startHop(at, data.secretariatDueAt),
        member: newHop(),
        ministry: newHop(),
        nisc: newHop(),
      },
      waits: {},
      stalledHop: null,
      restartAt: null,
      deliveries: [],
      preset,
      customPreset,
      // The report is the first stage (第一報, early warning, …), submitted when it was recorded.
      stageSubmissions: first ? [{ stage: first.id, at, by: data.reportedBy, followUp: null }] : [],
      ransomPaidAt: null,
      ransomStatedAt: null,
      stageReminders: [],
      stageEscalations: [],
      stageWait: null,
      version: event.version,
    };
  }
  if (state === null) return state;
  const s: IncidentState = { ...state, updatedAt: at, version: event.version };
  switch (event.type) {
    case 'FollowUpAdded': {
      const { data } = event;
      s.followUps = [
        ...s.followUps,
        {
          number: data.number,
          at,
          by: by(event.actor),
          description: data.description,
          recoveryStatus: data.recoveryStatus,
          ...(data.stage === undefined ? {} : { stage: data.stage }),
          ...(data.details === undefined ? {} : { details: data.details }),
        },
      ];
      s.recoveryStatus = data.recoveryStatus;
      if (data.stage !== undefined)
        s.stageSubmissions = [
          ...s.stageSubmissions,
          { stage: data.stage, at, by: by(event.actor), followUp: data.number },
        ];
      // The first payment stated counts; a later correction would be a new report, not a moved clock.
      if (data.details?.ransomPayment && s.ransomPaidAt === null) {
        s.ransomPaidAt = new Date(Date.parse(data.details.ransomPayment.paidAt)).toISOString();
        s.ransomStatedAt = at;
      }
      if (data.resubmitted && data.secretariatDueAt) {
        s.status = 'awaiting_secretariat';
        s.hops = {
          ...s.hops,
          member: { ...s.hops.member, doneAt: at, doneBy: by(event.actor) },
          secretariat: startHop(at, data.secretariatDueAt),
        };
        clearStall(s, event.version);
      }
      return s;
    }
    case 'RelayApproved':
      s.status = 'awaiting_ministry';
      s.hops = {
        ...s.hops,
        secretariat: {
          ...s.hops.secretariat,
          doneAt: at,
          doneBy: by(event.actor),
          note: event.data.note ?? null,
        },
        ministry: startHop(at, event.data.ministryDueAt),
      };
      clearStall(s, event.version);
      return s;
    case 'RelayReturned':
      s.status = 'returned';
      s.returns = [...s.returns, { at, by: by(event.actor), note: event.data.note ?? null }];
      s.hops = {
        ...s.hops,
        secretariat: {
          ...s.hops.secretariat,
          doneAt: at,
          doneBy: by(event.actor),
          note: event.data.note ?? null,
        },
        member: startHop(at, event.data.memberDueAt),
      };
      clearStall(s, event.version);
      return s;
    case 'ReceiptAcknowledged': {
      const { hop, note, niscDueAt } = event.data;
      const done = { ...s.hops[hop], doneAt: at, doneBy: by(event.actor), note: note ?? null };
      if (hop === 'ministry') {
        s.status = 'awaiting_nisc';
        s.hops = { ...s.hops, ministry: done, nisc: startHop(at, niscDueAt ?? at) };
      } else {
        s.status = 'relayed';
        s.hops = { ...s.hops, nisc: done };
      }
      clearStall(s, event.version);
      return s;
    }
    case 'IncidentClosed':
      s.status = 'closed';
      s.closedAt = at;
      return s;
    case 'RelayWaitStarted': {
      const { hop, taskToken, attempt, dueAt } = event.data;
      s.waits = { ...s.waits, [hop]: { taskToken, attempt, dueAt, at } };
      return s;
    }
    case 'HopDeadlineMissed': {
      const { hop } = event.data;
      s.hops = { ...s.hops, [hop]: escalated(s.hops[hop], at, event.data) };
      return s;
    }
    case 'RelayStalled':
      s.stalledHop = event.data.hop;
      return s;
    case 'StageWaitStarted':
      s.stageWait = { ...event.data, at };
      return s;
    case 'StageReminderDue':
      s.stageReminders = [...s.stageReminders, event.data];
      return s;
    case 'StageEscalated':
      s.stageEscalations = [...s.stageEscalations, event.data];
      return s;
    case 'NotificationDelivered':
    case 'NotificationFailed': {
      const { data } = event;
      s.deliveries = [
        ...s.deliveries,
        {
          key: data.key,
          at,
          purpose: data.purpose,
          channel: data.channel,
          to: data.to,
          ok: event.type === 'NotificationDelivered',
          detail: event.type === 'NotificationDelivered' ? event.data.messageId : event.data.reason,
        },
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
