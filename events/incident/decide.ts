import { type Actor, hasRole } from '../actor.ts';
import {
  type AttemptRecord,
  type DeliveryRecord,
  decideDelivery,
  decideDeliveryAttempt,
} from '../delivery.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../errors.ts';
import { type Hop, type RelayPolicy, type RelayPolicyConfig, withOwnPolicy } from '../policy.ts';
import {
  defaultReportingPreset,
  presetOf,
  type ReportingPreset,
  recordedPreset,
  type StageDetails,
  stageById,
  stageFields,
  stageRefusal,
  stageRequirementSchema,
} from '../reporting.ts';
import { DEFAULT_SECTOR } from '../sector/catalog.ts';
import { canSeeSector, visibleSectors } from '../sector/visibility.ts';
import { DONE, planHop, type WaitPlan } from '../workflow-plan.ts';
import * as z from '../zod.ts';
import type { FollowUpBody } from './bodies.ts';
import {
  currentHop,
  type IncidentEvent,
  type IncidentState,
  type MaybeIncident,
  type NotificationPurpose,
  type StageWait,
} from './incident.ts';
import type { RecoveryStatus, Report } from './report.ts';
import { dueStageAlarms } from './stage-alarms.ts';
import { canSee } from './visibility.ts';

/** Commands on an incident. Imperative names; `now` and the actor come in, never read. */
export type IncidentCommand =
  | { type: 'ReportIncident'; data: { incidentId: string; report: Report; exerciseId?: string } }
  | {
      type: 'AddFollowUp';
      data: { description: string; recoveryStatus: RecoveryStatus } & Partial<
        Omit<FollowUpBody, 'description' | 'recoveryStatus'>
      >;
    }
  | { type: 'DecideRelay'; data: { decision: 'approve' | 'return'; note?: string | undefined } }
  | { type: 'AcknowledgeReceipt'; data: { note?: string | undefined } }
  | { type: 'CloseIncident'; data: { note?: string | undefined } }
  | { type: 'StartRelayWait'; data: { hop: Hop; attempt: number; dueAt: string; taskToken: string } }
  | { type: 'RecordDeadlineMiss'; data: { hop: Hop; attempt: number } }
  | {
      type: 'StartStageWait';
      data: { wait: StageWait; attempt: number; dueAt: string; taskToken: string };
    }
  | { type: 'RecordStageAlarms'; data: Record<string, never> }
  | {
      type: 'RecordNotification';
      data: DeliveryRecord<NotificationPurpose>;
    }
  | {
      /** A message's failed attempt that the queue retries (its outcome comes as RecordNotification). */
      type: 'RecordNotificationAttempt';
      data: AttemptRecord<NotificationPurpose>;
    };

/** What every decision receives besides the command and the state. */
export interface DecisionContext {
  readonly now: string;
  readonly actor: Actor;
  readonly policy: RelayPolicy;
  /** The reporting stages a new incident runs under; japan-ceptoar when not given. */
  readonly reporting?: ReportingPreset;
  /** The reporting sector's own relay policy, recorded on a new incident; the deployment's when absent. */
  readonly sectorPolicy?: RelayPolicyConfig;
}

/** Allowed clock skew for a report's timestamps that lie in the future. */
const FUTURE_SKEW_MS = 5 * 60_000;

const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

function due(state: Pick<IncidentState, 'severity' | 'relayPolicy'>, hop: Hop, ctx: DecisionContext): string {
  return addMs(ctx.now, withOwnPolicy(ctx.policy, state.relayPolicy).deadlineMs(hop, state.severity));
}

function requireUser(ctx: DecisionContext, ...roles: Parameters<typeof hasRole>[1][]) {
  if (!hasRole(ctx.actor, ...roles))
    throw new ForbiddenError(`this action needs the role ${roles.join(' or ')}`);
}

/** The incident, or 404 when it does not exist or the caller may not know it exists. */
function visible(state: MaybeIncident, ctx: DecisionContext): IncidentState {
  if (state === null || !canSee(state, ctx.actor)) throw new NotFoundError('no such incident');
  return state;
}

function requireReporter(state: IncidentState, ctx: DecisionContext) {
  if (ctx.actor.kind !== 'user' || ctx.actor.role !== 'member' || ctx.actor.org !== state.org) {
    throw new ForbiddenError('only the reporting member may do this');
  }
}

/** The stage fields a follow-up carries, and nothing else. */
function stageDetailsOf(data: Partial<StageDetails>): StageDetails {
  const details: Record<string, unknown> = {};
  for (const field of stageFields) if (data[field] !== undefined) details[field] = data[field];
  return details as StageDetails;
}

/**
 * A follow-up that names a stage: the stage must be the incident preset's (400), not submitted yet and
 * not ahead of the stage its clock runs from (409), and the follow-up must carry its fields (400).
 */
function checkStage(s: IncidentState, id: string, data: object) {
  const preset = presetOf(s);
  const stage = stageById(preset, id);
  if (stage === undefined) {
    const ids = preset.stages.map((st) => st.id).join(', ');
    throw new ValidationError('the follow-up names no stage of this incident', [
      { path: 'stage', message: `must be one of this incident's stages (${preset.id}: ${ids})` },
    ]);
  }
  const submitted = Object.fromEntries(s.stageSubmissions.map((sub) => [sub.stage, sub.at]));
  const refusal = stageRefusal(stage, submitted);
  if (refusal !== null) throw new IllegalStateError(refusal);
  const parsed = z.safeParse(stageRequirementSchema(stage), data);
  if (!parsed.success) {
    throw new ValidationError(
      `the ${stage.names.en} (${stage.names.ja}) needs more fields`,
      parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: `required by the ${stage.names.en} (${stage.names.ja})`,
      })),
    );
  }
}

function checkRansomPayment(details: StageDetails, ctx: DecisionContext) {
  const paidAt = details.ransomPayment?.paidAt;
  if (paidAt !== undefined && Date.parse(paidAt) > Date.parse(ctx.now) + FUTURE_SKEW_MS) {
    throw new ValidationError('the ransom payment lies in the future', [
      { path: 'ransomPayment.paidAt', message: 'must not be in the future' },
    ]);
  }
}

/**
 * Decides which events a command produces in the current state. Pure: throws a domain
 * error when the command is not allowed; returns [] when it is a harmless repeat.
 */
export function decide(
  command: IncidentCommand,
  state: MaybeIncident,
  ctx: DecisionContext,
): IncidentEvent[] {
  // Another sector's incident is not there for the caller: 404, never 403.
  if (state !== null && !canSeeSector(ctx.actor, state.sector)) throw new NotFoundError('no such incident');
  switch (command.type) {
    case 'ReportIncident': {
      requireUser(ctx, 'member');
      if (ctx.actor.kind !== 'user' || !ctx.actor.org)
        throw new ForbiddenError('a member token must name its org');
      if (state !== null) throw new IllegalStateError('this incident was already reported');
      const { report } = command.data;
      const latest = Date.parse(ctx.now) + FUTURE_SKEW_MS;
      const future = (['occurredAt', 'detectedAt'] as const).filter((f) => Date.parse(report[f]) > latest);
      if (future.length > 0) {
        throw new ValidationError(
          'the report has times in the future',
          future.map((path) => ({ path, message: 'must not be in the future' })),
        );
      }
      return [
        {
          type: 'IncidentReported',
          data: {
            incidentId: command.data.incidentId,
            org: ctx.actor.org,
            sector: visibleSectors(ctx.actor)[0] ?? DEFAULT_SECTOR,
            ...(command.data.exerciseId ? { exerciseId: command.data.exerciseId } : {}),
            reportedBy: ctx.actor.sub,
            report,
            secretariatDueAt: due({ ...report, relayPolicy: ctx.sectorPolicy }, 'secretariat', ctx),
            reporting: recordedPreset(ctx.reporting ?? defaultReportingPreset),
            ...(ctx.sectorPolicy ? { relayPolicy: ctx.sectorPolicy } : {}),
          },
        },
      ];
    }
    case 'AddFollowUp': {
      const s = visible(state, ctx);
      requireReporter(s, ctx);
      if (s.status === 'closed') throw new IllegalStateError('the incident is closed');
      const { description, recoveryStatus, stage } = command.data;
      const details = stageDetailsOf(command.data);
      if (stage !== undefined) checkStage(s, stage, command.data);
      checkRansomPayment(details, ctx);
      const resubmitted = s.status === 'returned';
      return [
        {
          type: 'FollowUpAdded',
          data: {
            number: (s.followUps.at(-1)?.number ?? 0) + 1,
            description,
            recoveryStatus,
            resubmitted,
            ...(resubmitted ? { secretariatDueAt: due(s, 'secretariat', ctx) } : {}),
            ...(stage === undefined ? {} : { stage }),
            ...(Object.keys(details).length === 0 ? {} : { details }),
          },
        },
      ];
    }
    case 'DecideRelay': {
      requireUser(ctx, 'secretariat');
      const s = visible(state, ctx);
      if (s.status !== 'awaiting_secretariat') {
        throw new IllegalStateError(`the incident is ${s.status}, not awaiting the secretariat's decision`);
      }
      const note = command.data.note;
      return command.data.decision === 'approve'
        ? [
            {
              type: 'RelayApproved',
              data: { ...(note ? { note } : {}), ministryDueAt: due(s, 'ministry', ctx) },
            },
          ]
        : [
            {
              type: 'RelayReturned',
              data: { ...(note ? { note } : {}), memberDueAt: due(s, 'member', ctx) },
            },
          ];
    }
    case 'AcknowledgeReceipt': {
      requireUser(ctx, 'ministry', 'nisc');
      const s = visible(state, ctx);
      const hop = ctx.actor.kind === 'user' && ctx.actor.role === 'ministry' ? 'ministry' : 'nisc';
      if (s.hops[hop].doneAt !== null) throw new IllegalStateError(`the ${hop} already acknowledged receipt`);
      if (currentHop(s.status) !== hop) throw new IllegalStateError(`the incident is ${s.status}`);
      const note = command.data.note;
      return [
        {
          type: 'ReceiptAcknowledged',
          data: {
            hop,
            ...(note ? { note } : {}),
            ...(hop === 'ministry' ? { niscDueAt: due(s, 'nisc', ctx) } : {}),
          },
        },
      ];
    }
    case 'CloseIncident': {
      requireUser(ctx, 'secretariat', 'member');
      const s = visible(state, ctx);
      if (ctx.actor.kind === 'user' && ctx.actor.role === 'member') requireReporter(s, ctx);
      if (s.status !== 'relayed')
        throw new IllegalStateError(`only a relayed incident can be closed; it is ${s.status}`);
      const note = command.data.note;
      return [{ type: 'IncidentClosed', data: note ? { note } : {} }];
    }
    case 'StartRelayWait': {
      if (state === null) throw new NotFoundError('no such incident');
      const { hop, taskToken } = command.data;
      // A retried invocation carries the same token: recording it twice would add nothing.
      if (state.waits[hop]?.taskToken === taskToken) return [];
      return [{ type: 'RelayWaitStarted', data: command.data }];
    }
    case 'RecordDeadlineMiss': {
      if (state === null) throw new NotFoundError('no such incident');
      const { hop, attempt } = command.data;
      const progress = state.hops[hop];
      // Only the hop still pending, at the attempt the workflow saw, past its deadline:
      // anything else is a late or repeated timeout and changes nothing.
      if (currentHop(state.status) !== hop || progress.escalations.length !== attempt) return [];
      if (
        state.stalledHop === hop ||
        progress.dueAt === null ||
        Date.parse(ctx.now) < Date.parse(progress.dueAt)
      ) {
        return [];
      }
      if (attempt >= withOwnPolicy(ctx.policy, state.relayPolicy).maxEscalations) {
        return [{ type: 'RelayStalled', data: { hop, escalations: attempt } }];
      }
      return [
        {
          type: 'HopDeadlineMissed',
          data: {
            hop,
            escalation: attempt + 1,
            missedDueAt: progress.dueAt,
            nextDueAt: due(state, hop, ctx),
          },
        },
      ];
    }
    case 'StartStageWait': {
      if (state === null) throw new NotFoundError('no such incident');
      // A retried invocation carries the same token: recording it twice would add nothing.
      if (state.stageWait?.taskToken === command.data.taskToken) return [];
      return [{ type: 'StageWaitStarted', data: command.data }];
    }
    case 'RecordStageAlarms':
      if (state === null) throw new NotFoundError('no such incident');
      // Each alarm once, only while due, only for a running, unsubmitted stage of an open incident.
      return dueStageAlarms(state, ctx.now);
    case 'RecordNotification':
      if (state === null) throw new NotFoundError('no such incident');
      return decideDelivery(state.deliveries, command.data);
    case 'RecordNotificationAttempt':
      if (state === null) throw new NotFoundError('no such incident');
      return decideDeliveryAttempt(state, command.data);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** What the relay workflow should do next, read from the state alone. */
export type RelayPlan = WaitPlan<Hop>;

/** Plans the workflow's next wait: the current hop and the whole seconds left to its deadline. */
export function planRelay(state: MaybeIncident, now: string): RelayPlan {
  const hop = state ? currentHop(state.status) : null;
  if (state === null || hop === null) return DONE;
  return planHop(hop, state.hops[hop], state.stalledHop, now);
}
