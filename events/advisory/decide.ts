import { type Actor, hasRole } from '../actor.ts';
import {
  type AttemptRecord,
  attemptIsNew,
  type DeliveryRecord,
  decideDelivery,
  decideDeliveryAttempt,
} from '../delivery.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../errors.ts';
import type { Tlp } from '../incident/report.ts';
import type { RelayPolicy, Severity } from '../policy.ts';
import { DEFAULT_SECTOR, type SectorId, sectorOr } from '../sector/catalog.ts';
import { canSeeSector } from '../sector/visibility.ts';
import { DONE, planHop, type WaitPlan, waitUntil } from '../workflow-plan.ts';
import {
  type AdvisoryEvent,
  type AdvisoryPurpose,
  type AdvisoryState,
  type AdvisoryWait,
  type Audience,
  type ForwardHop,
  type IssuerRole,
  type MaybeAdvisory,
  type MaybeRecipient,
  pendingHop,
  type RecipientEvent,
  type RecipientMessage,
  type RetriedAttemptData,
} from './advisory.ts';
import { canSeeAdvisory } from './visibility.ts';

/** What the directory says at decision time: the member organisations and their named logins. */
export interface MemberRoster {
  readonly members: readonly string[];
  /** Logins of each member organisation's contacts (TLP:RED shows the advisory to these only). */
  readonly logins: Readonly<Record<string, readonly string[]>>;
}

/** Commands on an advisory's own stream. */
export type AdvisoryCommand =
  | {
      type: 'IssueAdvisory';
      data: {
        advisoryId: string;
        /** The sector it goes to (the roster is that sector's members); none is chemical. */
        sector?: SectorId | undefined;
        exerciseId?: string;
        /** The advisory to several sectors this is one sector's chain of. */
        parentId?: string;
        title: string;
        body: string;
        tlp: Tlp;
        severity: Severity;
        ackWithinHours: number;
        audience: Audience;
        drill: boolean;
        contactCheck?: boolean;
        sourceIncidentId?: string;
        excludeOrgs?: string[];
        roster: MemberRoster;
      };
    }
  | { type: 'ForwardAdvisory'; data: { note?: string | undefined; roster: MemberRoster } }
  | {
      type: 'StartAdvisoryWait';
      data: { wait: AdvisoryWait; attempt: number; dueAt: string; taskToken: string };
    }
  | {
      type: 'RecordAdvisoryTimeout';
      /** `acknowledged`: the recipient organisations that acknowledged so far (read from their streams). */
      data: { wait: AdvisoryWait; attempt: number; acknowledged: readonly string[] };
    }
  | {
      type: 'RecordAdvisoryNotification';
      data: DeliveryRecord<AdvisoryPurpose>;
    }
  | {
      /** A chain message's failed attempt that the queue retries (its outcome comes as RecordAdvisoryNotification). */
      type: 'RecordAdvisoryNotificationAttempt';
      data: AttemptRecord<AdvisoryPurpose>;
    };

/** What every advisory decision receives besides the command and the state. */
export interface AdvisoryContext {
  readonly now: string;
  readonly actor: Actor;
  readonly policy: RelayPolicy;
}

const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

function issuerRoleOf(actor: Actor): IssuerRole {
  if (hasRole(actor, 'nisc')) return 'nisc';
  if (hasRole(actor, 'ministry')) return 'ministry';
  if (hasRole(actor, 'secretariat')) return 'secretariat';
  throw new ForbiddenError('only NISC, the ministry or the secretariat issue advisories');
}

/** The recipient organisations: the audience among the current members, without the excluded ones. */
function recipientsOf(
  state: Pick<AdvisoryState, 'audience' | 'excludeOrgs'>,
  roster: MemberRoster,
): string[] {
  const members = new Set(roster.members);
  const wanted =
    state.audience === 'all' ? [...roster.members] : state.audience.filter((o) => members.has(o));
  const excluded = new Set(state.excludeOrgs);
  return [...new Set(wanted)].filter((o) => !excluded.has(o)).sort();
}

function distribution(
  state: Pick<AdvisoryState, 'audience' | 'excludeOrgs' | 'tlp' | 'ackWithinHours'>,
  roster: MemberRoster,
  ctx: AdvisoryContext,
): AdvisoryEvent {
  const recipients = recipientsOf(state, roster);
  if (recipients.length === 0) throw new IllegalStateError('the audience names no current member');
  const windowMs = ctx.policy.scaleMs(state.ackWithinHours * 3_600_000);
  const named =
    state.tlp === 'RED'
      ? Object.fromEntries(recipients.map((org) => [org, [...(roster.logins[org] ?? [])]]))
      : undefined;
  return {
    type: 'AdvisoryDistributed',
    data: {
      recipients,
      ackDueAt: addMs(ctx.now, windowMs),
      remindAt: addMs(ctx.now, Math.round(windowMs / 2)),
      ...(named ? { named } : {}),
    },
  };
}

const forwardPolicyHop = (hop: ForwardHop) =>
  hop === 'ministry' ? 'ministry_forward' : 'secretariat_forward';

/** Decides a command on an advisory. Pure: throws a domain error, or [] for a harmless repeat. */
export function decideAdvisory(
  command: AdvisoryCommand,
  state: MaybeAdvisory,
  ctx: AdvisoryContext,
): AdvisoryEvent[] {
  // Another sector's advisory is not there for the caller: 404, never 403.
  if (state !== null && !canSeeSector(ctx.actor, state.sector)) throw new NotFoundError('no such advisory');
  switch (command.type) {
    case 'IssueAdvisory': {
      const issuerRole = issuerRoleOf(ctx.actor);
      if (state !== null) throw new IllegalStateError('this advisory was already issued');
      const { roster, sector = DEFAULT_SECTOR, ...d } = command.data;
      if (!canSeeSector(ctx.actor, sector))
        throw new ValidationError('not a sector of yours', [
          { path: 'sector', message: 'not a sector of yours' },
        ]);
      if (d.audience !== 'all') {
        const members = new Set(roster.members);
        const unknown = d.audience.flatMap((org, i) =>
          members.has(org) ? [] : [{ path: `audience.${i}`, message: `${org} is not a member organisation` }],
        );
        if (unknown.length > 0)
          throw new ValidationError('the audience names unknown organisations', unknown);
      }
      const firstHop: ForwardHop | null =
        issuerRole === 'nisc' ? 'ministry' : issuerRole === 'ministry' ? 'secretariat' : null;
      const issued: AdvisoryEvent = {
        type: 'AdvisoryIssued',
        data: {
          advisoryId: d.advisoryId,
          sector,
          ...(d.exerciseId ? { exerciseId: d.exerciseId } : {}),
          ...(d.parentId ? { parentId: d.parentId } : {}),
          title: d.title,
          body: d.body,
          tlp: d.tlp,
          severity: d.severity,
          ackWithinHours: d.ackWithinHours,
          audience: d.audience,
          drill: d.drill,
          ...(d.contactCheck ? { contactCheck: true } : {}),
          issuedBy: ctx.actor.sub,
          issuerRole,
          ...(d.sourceIncidentId ? { sourceIncidentId: d.sourceIncidentId } : {}),
          ...(d.excludeOrgs && d.excludeOrgs.length > 0 ? { excludeOrgs: d.excludeOrgs } : {}),
          ...(firstHop
            ? { forwardDueAt: addMs(ctx.now, ctx.policy.deadlineMs(forwardPolicyHop(firstHop), d.severity)) }
            : {}),
        },
      };
      if (firstHop) return [issued];
      const excludeOrgs = d.excludeOrgs ?? [];
      return [issued, distribution({ ...d, excludeOrgs }, roster, ctx)];
    }
    case 'ForwardAdvisory': {
      if (state === null || !canSeeAdvisory(state, ctx.actor)) throw new NotFoundError('no such advisory');
      const hop = pendingHop(state.status);
      const role = ctx.actor.kind === 'user' ? ctx.actor.role : null;
      if (role !== 'ministry' && role !== 'secretariat') {
        throw new ForbiddenError('only the ministry or the secretariat forwards an advisory');
      }
      if (hop !== role) {
        throw new IllegalStateError(
          state.hops[role]?.doneAt
            ? `the ${role} already forwarded this advisory`
            : `the advisory is ${state.status}, not awaiting the ${role}`,
        );
      }
      const note = command.data.note;
      if (hop === 'ministry') {
        return [
          {
            type: 'AdvisoryForwarded',
            data: {
              hop,
              ...(note ? { note } : {}),
              nextDueAt: addMs(ctx.now, ctx.policy.deadlineMs('secretariat_forward', state.severity)),
            },
          },
        ];
      }
      return [
        { type: 'AdvisoryForwarded', data: { hop, ...(note ? { note } : {}) } },
        distribution(state, command.data.roster, ctx),
      ];
    }
    case 'StartAdvisoryWait': {
      if (state === null) throw new NotFoundError('no such advisory');
      const { wait, taskToken } = command.data;
      if (state.waits[wait]?.taskToken === taskToken) return [];
      return [{ type: 'AdvisoryWaitStarted', data: command.data }];
    }
    case 'RecordAdvisoryTimeout': {
      if (state === null) throw new NotFoundError('no such advisory');
      const { wait, attempt, acknowledged } = command.data;
      const now = Date.parse(ctx.now);
      if (wait === 'remind' || wait === 'close') {
        const dueAt = wait === 'remind' ? state.remindAt : state.ackDueAt;
        if (state.status !== 'distributed' || dueAt === null || now < Date.parse(dueAt)) return [];
        const acked = new Set(acknowledged);
        const silent = state.recipients.filter((org) => !acked.has(org));
        if (wait === 'remind') {
          return state.remindersSentAt === null ? [{ type: 'RemindersDue', data: { orgs: silent } }] : [];
        }
        return [
          {
            type: 'AckWindowClosed',
            data: { missed: silent, acknowledged: state.recipients.length - silent.length },
          },
        ];
      }
      const p = state.hops[wait];
      // Only the hop still pending, at the attempt the workflow saw, past its deadline.
      if (pendingHop(state.status) !== wait || p === null || p.escalations.length !== attempt) return [];
      if (state.stalledHop === wait || p.dueAt === null || now < Date.parse(p.dueAt)) return [];
      if (attempt >= ctx.policy.maxEscalations) {
        return [{ type: 'ForwardStalled', data: { hop: wait, escalations: attempt } }];
      }
      return [
        {
          type: 'ForwardDeadlineMissed',
          data: {
            hop: wait,
            escalation: attempt + 1,
            missedDueAt: p.dueAt,
            nextDueAt: addMs(ctx.now, ctx.policy.deadlineMs(forwardPolicyHop(wait), state.severity)),
          },
        },
      ];
    }
    case 'RecordAdvisoryNotification':
      if (state === null) throw new NotFoundError('no such advisory');
      return decideDelivery(state.deliveries, command.data);
    case 'RecordAdvisoryNotificationAttempt':
      if (state === null) throw new NotFoundError('no such advisory');
      return decideDeliveryAttempt(state, command.data);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** What the advisory workflow should do next, read from the advisory's state alone. */
export type AdvisoryPlan = WaitPlan<AdvisoryWait>;

/** Plans the advisory workflow's next wait: a hop's forward, the reminder time, or the window's end. */
export function planAdvisory(state: MaybeAdvisory, now: string): AdvisoryPlan {
  if (state === null || state.status === 'closed') return DONE;
  const hop = pendingHop(state.status);
  if (hop !== null) return planHop<AdvisoryWait>(hop, state.hops[hop], state.stalledHop, now);
  if (state.remindersSentAt === null && state.remindAt !== null)
    return waitUntil('remind', 0, state.remindAt, now);
  if (state.ackDueAt !== null) return waitUntil('close', 0, state.ackDueAt, now);
  return DONE;
}

/** Commands on a recipient organisation's stream. */
export type RecipientCommand =
  | {
      type: 'RecordDelivery';
      data: RecipientMessage & {
        to: string;
        outcome: { ok: true; messageId: string } | { ok: false; reason: string };
      };
    }
  | { type: 'RecordDeliveryAttempt'; data: RetriedAttemptData }
  | {
      type: 'Acknowledge';
      data: { advisoryId: string; org: string; contactId: string | null; via: 'link' | 'api' };
    };

/** A recipient decision also sees the advisory (read from its own stream). */
export interface RecipientContext extends AdvisoryContext {
  readonly advisory: AdvisoryState | null;
}

/** Decides a delivery record or an acknowledgement for one recipient organisation. Pure. */
export function decideRecipient(
  command: RecipientCommand,
  state: MaybeRecipient,
  ctx: RecipientContext,
): RecipientEvent[] {
  switch (command.type) {
    case 'RecordDelivery': {
      const { outcome, ...d } = command.data;
      if (state?.deliveries.some((x) => x.key === d.key)) return [];
      return outcome.ok
        ? [{ type: 'AdvisoryDelivered', data: { ...d, messageId: outcome.messageId } }]
        : [{ type: 'AdvisoryDeliveryFailed', data: { ...d, reason: outcome.reason } }];
    }
    case 'RecordDeliveryAttempt': {
      const d = command.data;
      if (state !== null && !attemptIsNew(state, d)) return [];
      return [{ type: 'AdvisoryDeliveryAttemptFailed', data: d }];
    }
    case 'Acknowledge': {
      const { advisoryId, org, contactId, via } = command.data;
      const advisory = ctx.advisory;
      if (advisory === null || !advisory.recipients.includes(org))
        throw new NotFoundError('no such advisory');
      if (via === 'api') {
        if (ctx.actor.kind !== 'user' || ctx.actor.role !== 'member' || ctx.actor.org !== org) {
          throw new ForbiddenError('only a member of a recipient organisation acknowledges');
        }
        if (!canSeeAdvisory(advisory, ctx.actor)) throw new NotFoundError('no such advisory');
      }
      const by = ctx.actor.sub;
      const again = state?.acknowledgements.some((a) =>
        contactId !== null ? a.contactId === contactId : a.contactId === null && a.by === by,
      );
      if (again) return [];
      const sector = sectorOr(advisory.sector);
      return [{ type: 'AdvisoryAcknowledged', data: { advisoryId, org, sector, contactId, by, via } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}
