import type { Hop } from '../policy.ts';
import type { IncidentEvent, IncidentState, NotificationPurpose, Recorded } from './incident.ts';

/**
 * Who a notification goes to: an organisation's duty contacts, its escalation contacts, the reporter
 * (the report's own contact), or the reporting member organisation's contacts in the directory.
 */
export type Audience =
  | { readonly org: 'secretariat' | 'ministry' | 'nisc'; readonly contacts: 'duty' | 'escalation' }
  | { readonly reporter: true }
  | { readonly member: true };

/** One notification to send in reaction to an event. */
export interface NotificationPlan {
  readonly purpose: NotificationPurpose;
  readonly audience: readonly Audience[];
  /** The hop whose deadline the message names, if any. */
  readonly hop: Hop | null;
  /** The reporting stage whose deadline the message names, if any (its id in the incident's preset). */
  readonly stage?: string;
  /**
   * Whether contacts with a voice number are also called (電話): the action a critical incident asks
   * for, and every escalation, as a second route beside the written message.
   */
  readonly call: boolean;
}

const duty = (org: 'secretariat' | 'ministry' | 'nisc'): Audience => ({ org, contacts: 'duty' });
const escalation = (org: 'secretariat' | 'ministry' | 'nisc'): Audience => ({ org, contacts: 'escalation' });
const reporter: Audience = { reporter: true };
const member: Audience = { member: true };

/**
 * The organisations the relay had reached when an event was recorded at `at` (they receive that
 * follow-up): a hop counts from its start, as the state records it. Planned from the state however
 * late the plan is made (stream-notifier reads the stream's state when it handles the event, recovery
 * and the soak's checker the state at their time), so an early follow-up goes where it went then, not
 * also to a ministry the relay reached later. Times never run backwards within a stream; a hop started
 * in the same millisecond counts as reached.
 */
function reached(state: IncidentState, at: string): Audience[] {
  const orgs: Audience[] = [duty('secretariat')];
  const by = (startedAt: string | null) => startedAt !== null && startedAt <= at;
  if (by(state.hops.ministry.startedAt)) orgs.push(duty('ministry'));
  if (by(state.hops.nisc.startedAt)) orgs.push(duty('nisc'));
  return orgs;
}

/**
 * The notifications an event calls for: the next hop is told it has something to do,
 * the reporter hears what happened to its report, a missed deadline goes to escalation.
 */
export function notificationsFor(event: Recorded<IncidentEvent>, state: IncidentState): NotificationPlan[] {
  return writtenNotificationsFor(event, state).map((plan) => ({ ...plan, call: calls(plan, state) }));
}

/**
 * Purposes that ask an organisation on the relay to act now; a critical incident's are also phoned
 * through. (The reporter is reached at the report's own addresses, which hold no voice number.)
 */
const ACTION: ReadonlySet<NotificationPurpose> = new Set(['review_requested', 'relay']);

/** A call for what a critical incident asks someone to do, and for every escalation or stall. */
function calls(plan: Omit<NotificationPlan, 'call'>, state: IncidentState): boolean {
  if (plan.purpose === 'escalation' || plan.purpose === 'stalled' || plan.purpose === 'stage_escalation')
    return true;
  return state.severity === 'critical' && ACTION.has(plan.purpose);
}

function writtenNotificationsFor(
  event: Recorded<IncidentEvent>,
  state: IncidentState,
): Omit<NotificationPlan, 'call'>[] {
  switch (event.type) {
    case 'IncidentReported':
      return [{ purpose: 'review_requested', audience: [duty('secretariat')], hop: 'secretariat' }];
    case 'FollowUpAdded':
      return event.data.resubmitted
        ? [{ purpose: 'review_requested', audience: [duty('secretariat')], hop: 'secretariat' }]
        : [{ purpose: 'follow_up', audience: reached(state, event.recordedAt), hop: null }];
    case 'RelayApproved':
      return [
        { purpose: 'relay', audience: [duty('ministry')], hop: 'ministry' },
        { purpose: 'approved', audience: [reporter], hop: null },
      ];
    case 'RelayReturned':
      return [{ purpose: 'returned', audience: [reporter], hop: 'member' }];
    case 'ReceiptAcknowledged':
      return event.data.hop === 'ministry'
        ? [{ purpose: 'relay', audience: [duty('nisc')], hop: 'nisc' }]
        : [{ purpose: 'relayed', audience: [reporter, duty('secretariat')], hop: null }];
    case 'HopDeadlineMissed': {
      const { hop } = event.data;
      const audience: Audience[] =
        hop === 'member' ? [reporter, escalation('secretariat')] : [escalation(hop), duty(hop)];
      if (hop === 'ministry' || hop === 'nisc') audience.push(escalation('secretariat'));
      return [{ purpose: 'escalation', audience, hop }];
    }
    case 'RelayStalled':
      return [{ purpose: 'stalled', audience: [escalation('secretariat')], hop: event.data.hop }];
    // A stage is the member's to submit: the reminder goes to it; a missed one to its secretariat too.
    case 'StageReminderDue':
      return [
        { purpose: 'stage_reminder', audience: [reporter, member], hop: null, stage: event.data.stage },
      ];
    case 'StageEscalated':
      return [
        {
          purpose: 'stage_escalation',
          audience: [reporter, member, escalation('secretariat')],
          hop: null,
          stage: event.data.stage,
        },
      ];
    case 'IncidentClosed':
    case 'RelayWaitStarted':
    case 'StageWaitStarted':
    case 'NotificationDelivered':
    case 'NotificationFailed':
    case 'NotificationAttemptFailed':
      return [];
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
