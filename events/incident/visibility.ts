import type { Actor } from '../actor.ts';
import { nextStage, presetOf, type StageClock, stageClocks } from '../reporting.ts';
import { sectorOr } from '../sector/catalog.ts';
import { canSeeSector } from '../sector/visibility.ts';
import { currentHop, type IncidentState } from './incident.ts';

/**
 * Who may know an incident exists: the secretariat and auditors always; a member only
 * for its own organisation's reports; the ministry and NISC once the relay reached them.
 */
export function canSee(state: IncidentState, actor: Actor): boolean {
  if (actor.kind === 'system') return true;
  if (!canSeeSector(actor, state.sector)) return false;
  switch (actor.role) {
    case 'secretariat':
    case 'auditor':
      return true;
    case 'member':
      return actor.org !== undefined && actor.org === state.org;
    case 'ministry':
      return state.hops.ministry.startedAt !== null;
    case 'nisc':
      return state.hops.nisc.startedAt !== null;
    default: {
      const _never: never = actor.role;
      return _never;
    }
  }
}

/** Who may read the raw event stream: the secretariat, auditors and the reporting member. */
export function canReadEvents(state: IncidentState, actor: Actor): boolean {
  if (actor.kind === 'system') return true;
  if (!canSeeSector(actor, state.sector)) return false;
  return (
    actor.role === 'secretariat' ||
    actor.role === 'auditor' ||
    (actor.role === 'member' && canSee(state, actor))
  );
}

/** A stage's clock as a reader sees it: with the reminders sent and the escalation, if any. */
export type StageView = StageClock & { reminded: string[]; escalatedAt: string | null };

/** Every reporting stage's clock at `now`, with the reminders and escalations recorded of it. */
export function stageViews(state: IncidentState, now: string): StageView[] {
  return incidentStages(state, now).stages.map((clock) => ({
    ...clock,
    reminded: (state.stageReminders ?? []).filter((r) => r.stage === clock.id).map((r) => r.at),
    escalatedAt: (state.stageEscalations ?? []).find((e) => e.stage === clock.id)?.at ?? null,
  }));
}

/** Every reporting stage's clock at `now`, and the one due next. */
export function incidentStages(
  state: IncidentState,
  now: string,
): { stages: StageClock[]; nextStage: StageClock | null } {
  const stages = stageClocks(
    presetOf(state),
    {
      detectedAt: state.report.detectedAt,
      submitted: Object.fromEntries(state.stageSubmissions.map((s) => [s.stage, s.at])),
      ransomPaidAt: state.ransomPaidAt,
    },
    now,
  );
  return { stages, nextStage: nextStage(stages) };
}

/**
 * Reader-facing view of an incident at `now`: the state without workflow internals (task tokens), with
 * its reporting preset's id in place of the whole preset and each stage's clock.
 */
export function incidentView(state: IncidentState, now: string) {
  const {
    waits: _waits,
    hops,
    customPreset: _custom,
    stageSubmissions: _submissions,
    ransomPaidAt: _paid,
    ransomStatedAt: _stated,
    stageReminders: _reminders,
    stageEscalations: _escalations,
    stageWait: _stageWait,
    ...rest
  } = state;
  const { nextStage } = incidentStages(state, now);
  return {
    ...rest,
    sector: sectorOr(state.sector),
    stages: stageViews(state, now),
    nextStage,
    attempts: state.attempts ?? [],
    hops: {
      secretariat: hops.secretariat,
      ...(hops.member.startedAt ? { member: hops.member } : {}),
      ministry: hops.ministry,
      nisc: hops.nisc,
    },
  };
}

/**
 * The hop an incident waits on (the member's, while returned), with its deadline and escalations so far;
 * null once relayed or closed.
 */
export function waitingOn(state: IncidentState) {
  const hop = currentHop(state.status);
  if (hop === null) return null;
  const progress = state.hops[hop];
  return {
    hop,
    dueAt: progress.dueAt,
    startedAt: progress.startedAt,
    escalations: progress.escalations.length,
  };
}

/**
 * A summary row for lists at `now`: enough to sort a queue by deadline without reading each
 * incident, the relay's hop and the reporting stage due next (`nextStage`: its id, deadline and
 * whether it is past it; null when no stage's clock runs).
 */
export function incidentSummary(state: IncidentState, now: string) {
  const next = incidentStages(state, now).nextStage;
  return {
    id: state.id,
    title: state.report.title,
    org: state.org,
    sector: sectorOr(state.sector),
    ...(state.exerciseId ? { exerciseId: state.exerciseId } : {}),
    status: state.status,
    severity: state.severity,
    tlp: state.report.tlp,
    category: state.report.category,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    waitingOn: waitingOn(state),
    stalledHop: state.stalledHop,
    nextStage:
      next === null || next.dueAt === null
        ? null
        : { id: next.id, dueAt: next.dueAt, overdue: next.status === 'overdue' },
    version: state.version,
  };
}

/** Event data as a reader may see it: task tokens are workflow secrets, not history. */
export function redactEventData(type: string, data: unknown): unknown {
  if ((type === 'RelayWaitStarted' || type === 'StageWaitStarted') && data && typeof data === 'object') {
    const { taskToken: _t, ...rest } = data as Record<string, unknown>;
    return rest;
  }
  return data;
}
