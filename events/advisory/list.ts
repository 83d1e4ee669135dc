import type { Actor } from '../actor.ts';
import type { Severity } from '../policy.ts';
import { type AdvisoryState, type ForwardHop, pendingHop, type RecipientState } from './advisory.ts';
import { advisorySummary } from './visibility.ts';

/** What the caller has to do about an advisory, by when; null when nothing. */
export type Awaiting = { readonly action: 'forward' | 'acknowledge'; readonly dueAt: string | null } | null;

/** A row of GET /advisories for the chain (NISC, ministry, secretariat, auditors). */
export interface ChainListRow extends ReturnType<typeof advisorySummary> {
  readonly view: 'chain';
  readonly severity: Severity;
  readonly awaiting: Awaiting;
  /** The hop the advisory waits on, its forward deadline and how often it was missed. */
  readonly pending: {
    readonly hop: ForwardHop;
    readonly dueAt: string | null;
    readonly escalations: number;
  } | null;
  readonly stalledHop: ForwardHop | null;
  readonly recipients: number;
  /**
   * Acknowledged recipients and the rate, once the window closed (known from the advisory's own stream).
   * While it is open the count lives in the recipient streams: GET /advisories/{id} has it.
   */
  readonly closedWindow: { readonly acknowledged: number; readonly rate: number } | null;
}

/** A row of GET /advisories for a member: its own organisation's part only. */
export interface MemberListRow extends ReturnType<typeof advisorySummary> {
  readonly view: 'member';
  readonly severity: Severity;
  readonly awaiting: Awaiting;
  /** Whether the caller's organisation is a recipient (a TLP:CLEAR or GREEN advisory may be seen without). */
  readonly recipient: boolean;
  readonly acknowledgedAt: string | null;
  /** The window closed without the organisation's acknowledgement. */
  readonly missed: boolean;
}

export type AdvisoryListRow = ChainListRow | MemberListRow;

/**
 * A list row for a caller who may see the advisory (canSeeAdvisory). Pure. A member's row reads
 * its own organisation's recipient head (`recipient`, undefined when none was written yet).
 */
export function advisoryListRow(
  state: AdvisoryState,
  actor: Extract<Actor, { kind: 'user' }>,
  recipient: RecipientState | undefined,
): AdvisoryListRow {
  const summary = { ...advisorySummary(state), severity: state.severity };
  if (actor.role === 'member') {
    const isRecipient = state.recipients.includes(actor.org ?? '');
    const acknowledgedAt = isRecipient ? (recipient?.acknowledgedAt ?? null) : null;
    const open = isRecipient && acknowledgedAt === null && state.status === 'distributed';
    return {
      ...summary,
      view: 'member',
      awaiting: open ? { action: 'acknowledge', dueAt: state.ackDueAt } : null,
      recipient: isRecipient,
      acknowledgedAt,
      missed: isRecipient && state.missed.includes(actor.org ?? ''),
    };
  }
  const hop = pendingHop(state.status);
  const progress = hop ? state.hops[hop] : null;
  const total = state.recipients.length;
  const acknowledged = total - state.missed.length;
  return {
    ...summary,
    view: 'chain',
    awaiting:
      hop !== null && hop === actor.role ? { action: 'forward', dueAt: progress?.dueAt ?? null } : null,
    pending:
      hop === null
        ? null
        : { hop, dueAt: progress?.dueAt ?? null, escalations: progress?.escalations.length ?? 0 },
    stalledHop: state.stalledHop,
    recipients: total,
    closedWindow:
      state.status === 'closed' ? { acknowledged, rate: total === 0 ? 0 : acknowledged / total } : null,
  };
}
