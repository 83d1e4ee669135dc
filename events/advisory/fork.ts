import { type Actor, hasRole } from '../actor.ts';
import { ForbiddenError, IllegalStateError, ValidationError } from '../errors.ts';
import type { Recorded } from '../incident/incident.ts';
import type { Tlp } from '../incident/report.ts';
import type { Severity } from '../policy.ts';
import type { SectorId } from '../sector/catalog.ts';
import { canSeeSector, visibleSectors } from '../sector/visibility.ts';
import type { AdvisoryState, Audience, IssuerRole, RecipientState } from './advisory.ts';
import type { AdvisoryCommand, MemberRoster } from './decide.ts';
import { acknowledgedWithinOneDay, transmissionReport } from './report.ts';
import { canSeeAdvisory, transmission } from './visibility.ts';

/**
 * One advisory to several sectors (or all): the parent of one ordinary advisory per sector, each
 * running its own chain (the issuer → that sector's ministry → its secretariat → its members).
 * The parent's stream holds the request alone; the children are issued by a reaction to it
 * (functions/reactions/fork-reactions.ts), with the ids the parent recorded.
 */

/** Where a forked advisory goes: the sectors named, or every sector the issuer sees. */
export type ForkTarget = 'all' | readonly SectorId[];

/** One child advisory: the sector and the id its stream gets. */
export interface ForkChild {
  readonly sector: SectorId;
  readonly advisoryId: string;
}

/** The events of a forked advisory's own stream. */
export type ForkEvent = {
  type: 'AdvisoryForked';
  data: {
    forkId: string;
    /** What the issuer asked for: every sector it sees, or a list. */
    requested: 'all' | SectorId[];
    children: ForkChild[];
    title: string;
    body: string;
    tlp: Tlp;
    severity: Severity;
    ackWithinHours: number;
    drill: boolean;
    issuedBy: string;
    issuerRole: IssuerRole;
  };
};

/** The folded state of a forked advisory: what it was issued with, when, and its version. */
export type ForkState = Omit<Extract<ForkEvent, { type: 'AdvisoryForked' }>['data'], 'forkId'> & {
  id: string;
  createdAt: string;
  version: number;
};
export type MaybeFork = ForkState | null;
export const initialFork = (): MaybeFork => null;

/** Folds one event of a forked advisory. Pure. */
export function evolveFork(_state: MaybeFork, event: Recorded<ForkEvent>): MaybeFork {
  switch (event.type) {
    case 'AdvisoryForked': {
      const { forkId, ...d } = event.data;
      return { id: forkId, ...d, createdAt: event.recordedAt, version: event.version };
    }
    default: {
      const _never: never = event.type;
      return _never;
    }
  }
}

/** The command on a forked advisory's stream. */
export type ForkCommand = {
  type: 'ForkAdvisory';
  data: {
    forkId: string;
    target: ForkTarget;
    /** The body's `sector`: a fork names `sectors` instead, never both. */
    sector?: SectorId | undefined;
    audience: Audience;
    title: string;
    body: string;
    tlp: Tlp;
    severity: Severity;
    ackWithinHours: number;
    drill: boolean;
    /** The id of a sector's child advisory (derived from the fork's id, so a repeat finds it). */
    childId: (sector: SectorId) => string;
  };
};

export interface ForkContext {
  readonly now: string;
  readonly actor: Actor;
}

/** Decides a fork: NISC (or a ministry, to the sectors it oversees) sends one advisory to several sectors. Pure. */
export function decideFork(command: ForkCommand, state: MaybeFork, ctx: ForkContext): ForkEvent[] {
  const { actor } = ctx;
  const issuerRole: IssuerRole | null = hasRole(actor, 'nisc')
    ? 'nisc'
    : hasRole(actor, 'ministry')
      ? 'ministry'
      : null;
  if (actor.kind !== 'user' || issuerRole === null)
    throw new ForbiddenError('only NISC or a ministry sends an advisory to several sectors');
  if (state !== null) throw new IllegalStateError('this advisory was already issued');
  const { forkId, target, childId, sector, audience, ...d } = command.data;
  const fields = [
    ...(sector !== undefined ? [{ path: 'sector', message: 'name either sector or sectors, not both' }] : []),
    ...(audience !== 'all'
      ? [{ path: 'audience', message: 'an advisory to several sectors goes to all their members' }]
      : []),
    ...(target === 'all'
      ? []
      : target.flatMap((s, i) =>
          canSeeSector(actor, s) ? [] : [{ path: `sectors.${i}`, message: 'not a sector of yours' }],
        )),
  ];
  if (fields.length > 0) throw new ValidationError('the advisory cannot go to these sectors', fields);
  const sectors = [...new Set(target === 'all' ? visibleSectors(actor) : target)].sort();
  if (sectors.length === 0)
    throw new ValidationError('no sector to send to', [{ path: 'sectors', message: 'no sector of yours' }]);
  return [
    {
      type: 'AdvisoryForked',
      data: {
        forkId,
        requested: target === 'all' ? 'all' : [...target],
        children: sectors.map((s) => ({ sector: s, advisoryId: childId(s) })),
        ...d,
        issuedBy: actor.sub,
        issuerRole,
      },
    },
  ];
}

/**
 * The command that issues one sector's child of a fork (the reaction runs it as the fork's issuer,
 * whose recorded actor it is): an ordinary advisory of that sector to all its members, linked to
 * the parent. Pure.
 */
export function childIssue(fork: ForkState, child: ForkChild, roster: MemberRoster): AdvisoryCommand {
  return {
    type: 'IssueAdvisory',
    data: {
      advisoryId: child.advisoryId,
      parentId: fork.id,
      sector: child.sector,
      title: fork.title,
      body: fork.body,
      tlp: fork.tlp,
      severity: fork.severity,
      ackWithinHours: fork.ackWithinHours,
      audience: 'all',
      drill: fork.drill,
      roster,
    },
  };
}

/**
 * Who may read a fork and its rates: auditors, the issuer's role (NISC a fork from NISC; a
 * ministry one of its sectors' forks, which passed through it or which it sent), for a sector of
 * theirs among the fork's. A secretariat and a member read their own sector's child only.
 */
export function canSeeFork(state: ForkState, actor: Actor): boolean {
  if (!state.children.some((c) => canSeeSector(actor, c.sector))) return false;
  if (actor.kind === 'system') return true;
  switch (actor.role) {
    case 'auditor':
    case 'ministry':
      return true;
    case 'nisc':
      return state.issuerRole === 'nisc';
    case 'secretariat':
    case 'member':
      return false;
    default: {
      const _never: never = actor.role;
      return _never;
    }
  }
}

/** A child as read: its advisory (null until the reaction issued it) and its recipients' heads. */
export interface ForkChildRead {
  readonly sector: SectorId;
  readonly advisoryId: string;
  readonly state: AdvisoryState | null;
  readonly recipients: readonly RecipientState[];
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** One sector's figures: its chain's progress and its transmission, as the drills count it. */
function sectorRow(child: ForkChildRead) {
  const s = child.state;
  const t = s
    ? transmission(s, child.recipients)
    : { recipients: 0, delivered: 0, acknowledged: 0, withinWindow: 0, rate: 0 };
  const oneDay = s ? acknowledgedWithinOneDay(transmissionReport(s, child.recipients)) : 0;
  return {
    sector: child.sector,
    advisoryId: child.advisoryId,
    /** `pending` until the child is issued (the reaction to the fork). */
    status: s?.status ?? ('pending' as const),
    forwarded: {
      ministry: s?.hops.ministry?.doneAt ?? null,
      secretariat: s?.hops.secretariat?.doneAt ?? null,
    },
    stalledHop: s?.stalledHop ?? null,
    distributedAt: s?.distributedAt ?? null,
    ackDueAt: s?.ackDueAt ?? null,
    ...t,
    acknowledgedWithinOneDay: oneDay,
    oneDayRate: ratio(oneDay, t.recipients),
  };
}

/**
 * A fork as the caller may see it: each of the caller's sectors' chains with its transmission
 * (recipients, delivered, acknowledged, within the window, and within one day as the drills count
 * it), and the same figures over those sectors together. Another sector's chain is not there. Pure.
 */
export function forkView(state: ForkState, actor: Actor, children: readonly ForkChildRead[]) {
  const rows = children
    .filter((c) => canSeeSector(actor, c.sector) && (c.state === null || canSeeAdvisory(c.state, actor)))
    .map(sectorRow);
  const sum = (
    key: 'recipients' | 'delivered' | 'acknowledged' | 'withinWindow' | 'acknowledgedWithinOneDay',
  ) => rows.reduce((n, r) => n + r[key], 0);
  const recipients = sum('recipients');
  return {
    id: state.id,
    kind: 'fork' as const,
    title: state.title,
    body: state.body,
    tlp: state.tlp,
    severity: state.severity,
    drill: state.drill,
    issuerRole: state.issuerRole,
    issuedBy: state.issuedBy,
    createdAt: state.createdAt,
    ackWithinHours: state.ackWithinHours,
    sectors: rows.map((r) => r.sector),
    children: rows,
    overall: {
      sectors: rows.length,
      distributed: rows.filter((r) => r.distributedAt !== null).length,
      recipients,
      delivered: sum('delivered'),
      acknowledged: sum('acknowledged'),
      withinWindow: sum('withinWindow'),
      rate: recipients === 0 ? 0 : sum('withinWindow') / recipients,
      acknowledgedWithinOneDay: sum('acknowledgedWithinOneDay'),
      oneDayRate: ratio(sum('acknowledgedWithinOneDay'), recipients),
    },
    version: state.version,
  };
}
