import type { Actor } from '../actor.ts';
import type { Severity } from '../policy.ts';
import type { SectorId } from '../sector/catalog.ts';
import { canSeeSector, visibleSectors } from '../sector/visibility.ts';
import { type AdvisoryState, type ForwardHop, pendingHop, type RecipientState } from './advisory.ts';
import { canSeeFork, type ForkState } from './fork.ts';
import { advisorySummary, canSeeAdvisory } from './visibility.ts';

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

/** One sector's child of an advisory to several sectors, as a list row of its parent shows it. */
export interface ForkListChild {
  readonly sector: SectorId;
  readonly advisoryId: string;
  /** `pending` until the reaction to the fork issued the child. */
  readonly status: AdvisoryState['status'] | 'pending';
  readonly recipients: number;
}

/**
 * The parent of an advisory to several sectors in GET /advisories (its `forks`), for a caller who
 * sees several sectors and may read the fork (canSeeFork): its content, its sectors among the
 * caller's, each child's progress and the overall counts. The transmission rates, which live in
 * the recipients' streams, are GET /advisories/{id}'s. Pure.
 */
export interface ForkListRow {
  readonly id: string;
  readonly view: 'fork';
  readonly title: string;
  readonly tlp: ForkState['tlp'];
  readonly severity: Severity;
  readonly drill: boolean;
  readonly issuerRole: ForkState['issuerRole'];
  readonly createdAt: string;
  readonly sectors: readonly SectorId[];
  readonly children: readonly ForkListChild[];
  readonly overall: { readonly sectors: number; readonly distributed: number; readonly recipients: number };
}

/** Whether GET /advisories groups a fork's children under their parent for this caller: it sees several sectors. */
export const groupsForks = (actor: Actor): boolean => visibleSectors(actor).length > 1;

/**
 * The parent row of a fork for a caller who may read it, with the children it may see (their
 * sector's, among the list's `within` sectors when it names them (`?sector=`), and the advisory's
 * TLP audience); null when the caller may not read the fork or sees none of its children.
 * `children` maps a child's id to its head's state (null until issued).
 */
export function forkListRow(
  fork: ForkState,
  actor: Extract<Actor, { kind: 'user' }>,
  children: ReadonlyMap<string, AdvisoryState | null>,
  within: readonly SectorId[] = visibleSectors(actor),
): ForkListRow | null {
  if (!groupsForks(actor) || !canSeeFork(fork, actor)) return null;
  const rows = fork.children.flatMap((c): ForkListChild[] => {
    const state = children.get(c.advisoryId) ?? null;
    if (!canSeeSector(actor, c.sector) || !within.includes(c.sector)) return [];
    if (state !== null && !canSeeAdvisory(state, actor)) return [];
    return [
      {
        sector: c.sector,
        advisoryId: c.advisoryId,
        status: state?.status ?? 'pending',
        recipients: state?.recipients.length ?? 0,
      },
    ];
  });
  if (rows.length === 0) return null;
  return {
    id: fork.id,
    view: 'fork',
    title: fork.title,
    tlp: fork.tlp,
    severity: fork.severity,
    drill: fork.drill,
    issuerRole: fork.issuerRole,
    createdAt: fork.createdAt,
    sectors: rows.map((r) => r.sector),
    children: rows,
    overall: {
      sectors: rows.length,
      distributed: rows.filter((r) => children.get(r.advisoryId)?.distributedAt).length,
      recipients: rows.reduce((n, r) => n + r.recipients, 0),
    },
  };
}
