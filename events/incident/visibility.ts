import type { Actor } from '../actor.ts';
import type { Hop } from '../policy.ts';
import { nextStage, presetOf, type StageClock, stageClocks } from '../reporting.ts';
import { sectorOr } from '../sector/catalog.ts';
import { canSeeSector } from '../sector/visibility.ts';
import type { HopProgress, IncidentState, StageSubmission } from './incident.ts';
import { currentHop } from './incident.ts';

/**
 * What lists show of an incident and decide on (visibility, the hop it waits on, the stage due next): a few
 * hundred bytes, none of the report's text, follow-ups, returns or deliveries. The incident's list item holds
 * this (functions/aggregates/incidents.ts, `listing`), so the list indexes copy it and not the whole state,
 * whose follow-ups grow with the stream. A whole state is a listing too (an older head, listed itself).
 */
export interface IncidentListing {
  readonly id: string;
  readonly status: IncidentState['status'];
  readonly org: string;
  readonly sector?: IncidentState['sector'];
  readonly exerciseId?: string;
  readonly severity: IncidentState['severity'];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly stalledHop: Hop | null;
  readonly version: number;
  readonly report: Pick<IncidentState['report'], 'title' | 'tlp' | 'category' | 'detectedAt'>;
  readonly hops: Readonly<Record<Hop, Pick<HopProgress, 'startedAt' | 'dueAt' | 'escalations'>>>;
  readonly preset: string;
  readonly customPreset: IncidentState['customPreset'];
  readonly stageSubmissions: readonly Pick<StageSubmission, 'stage' | 'at'>[];
  readonly ransomPaidAt: string | null;
}

/** An incident's listing: of its whole state, or of a listing (the same listing). */
export function incidentListing(state: IncidentListing): IncidentListing {
  const hop = ({ startedAt, dueAt, escalations }: IncidentListing['hops'][Hop]) => ({
    startedAt,
    dueAt,
    escalations,
  });
  const { title, tlp, category, detectedAt } = state.report;
  return {
    id: state.id,
    status: state.status,
    org: state.org,
    ...(state.sector ? { sector: state.sector } : {}),
    ...(state.exerciseId ? { exerciseId: state.exerciseId } : {}),
    severity: state.severity,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    stalledHop: state.stalledHop,
    version: state.version,
    report: { title, tlp, category, detectedAt },
    // Each hop the state has (a head of an earlier release may lack one).
    hops: Object.fromEntries(
      Object.entries(state.hops).map(([name, progress]) => [name, hop(progress)]),
    ) as IncidentListing['hops'],
    preset: state.preset,
    customPreset: state.customPreset,
    stageSubmissions: state.stageSubmissions.map(({ stage, at }) => ({ stage, at })),
    ransomPaidAt: state.ransomPaidAt,
  };
}

/**
 * Who may know an incident exists: the secretariat and auditors always; a member only
 * for its own organisation's reports; the ministry and NISC once the relay reached them.
 */
export function canSee(state: IncidentListing, actor: Actor): boolean {
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
  state: IncidentListing,
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
export function waitingOn(state: IncidentListing) {
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
export function incidentSummary(state: IncidentListing, now: string) {
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
