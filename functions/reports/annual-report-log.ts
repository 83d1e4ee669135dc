import type { ActivityState } from '../../events/activity/activity.ts';
import type { PlanState } from '../../events/activity/plan.ts';
import { planId } from '../../events/activity/plan.ts';
import type { AdvisoryState, RecipientState } from '../../events/advisory/advisory.ts';
import { transmissionReport } from '../../events/advisory/report.ts';
import { checkpointId } from '../../events/audit/checkpoint.ts';
import { IllegalStateError, NotFoundError } from '../../events/errors.ts';
import type { IncidentState } from '../../events/incident/incident.ts';
import { fiscalYearOfDate, fiscalYearRange } from '../../events/report/fiscal-year.ts';
import { type SectorId, sectorOr } from '../../events/sector/catalog.ts';
import type { SectorState } from '../../events/sector/sector.ts';
import { activities, plans } from '../aggregates/activities.ts';
import { advisories, RECIPIENT_STREAM_PREFIX, recipients } from '../aggregates/advisories.ts';
import { incidents } from '../aggregates/incidents.ts';
import { sectors } from '../aggregates/sectors.ts';
import { streamTypeOf } from '../audit/audit-aggregates.ts';
import type { CheckpointArchive } from '../audit/audit-checkpoints.ts';
import { ComplianceReport } from '../audit/audit-compliance.ts';
import { forEachLimit } from '../runtime/parallel.ts';
import type { Folding } from '../store/command-runner.ts';
import type { StoredEvent } from '../store/event-store.ts';
import {
  type AnnualReport,
  buildAnnualReport,
  type ExerciseSummary,
  type SurveySummary,
} from './annual-report.ts';
import type { ProviderDeps, ReportProviders } from './providers.ts';

/** Where a report reads: the checkpoints, the events of a period (byTime), and any stream up to a version. */
export interface ReportSources {
  readonly archive: CheckpointArchive;
  periodEvents(from: string, to: string): AsyncIterable<StoredEvent>;
  streamEvents(streamId: string, toVersion: number): AsyncIterable<StoredEvent>;
  readonly providers: ReportProviders;
  readonly providerDeps: ProviderDeps;
}

/** Streams read at the same time. */
const READERS = 8;

async function fold<S>(
  sources: ReportSources,
  aggregate: Folding<S, never>,
  streamId: string,
  version: number,
) {
  let state = aggregate.initialState();
  const events: StoredEvent[] = [];
  for await (const e of sources.streamEvents(streamId, version)) {
    events.push(e);
    state = aggregate.evolve(state, aggregate.upcast(e));
  }
  return { state, events };
}

/**
 * The checkpoint a report is computed against: the newest signed one at or before `asOf`
 * (the newest of all without it). None yet is 409: a report names a checkpoint or is not made.
 */
export async function reportCheckpoint(archive: CheckpointArchive, asOf: string | null) {
  const ids = await archive.list();
  const bound = asOf === null ? null : checkpointId(asOf);
  const id = [...ids].reverse().find((c) => bound === null || c <= bound);
  const found = id === undefined ? null : await archive.get(id);
  if (!found)
    throw new IllegalStateError(
      asOf === null
        ? 'no signed checkpoint has been published yet: a report is computed against one (POST /audit/checkpoints)'
        : `no signed checkpoint was published at or before ${asOf}`,
    );
  return found;
}

/**
 * Reads what the report needs from the log exactly as the checkpoint covered it: every stream up
 * to the version its leaf records (a stream the checkpoint does not know is left out), so anyone
 * holding the log and the checkpoint computes the same report.
 */
export async function annualReportAt(
  sources: ReportSources,
  q: { sector: SectorId; fiscalYear: number; asOf: string | null },
): Promise<AnnualReport> {
  const { checkpoint, leaves } = await reportCheckpoint(sources.archive, q.asOf);
  const at = new Map(leaves.map((l) => [l.streamId, l.version]));
  const period = fiscalYearRange(q.fiscalYear);
  const moment = checkpoint.createdAt;
  // ISO instants in UTC sort as text: the earlier of the checkpoint and the year's end.
  const until = [moment, period.to].sort()[0] ?? period.to;

  const sectorVersion = at.get(sectors.streamId(q.sector));
  const sector =
    sectorVersion === undefined
      ? null
      : ((
          await fold(
            sources,
            sectors as unknown as Folding<SectorState | null, never>,
            sectors.streamId(q.sector),
            sectorVersion,
          )
        ).state as SectorState | null);
  if (sector === null) throw new NotFoundError('no such sector');

  // The incidents and advisories with an event in the year (as far as the checkpoint reaches).
  const touched = new Set<string>();
  if (until >= period.from) {
    for await (const e of sources.periodEvents(period.from, until)) {
      const type = streamTypeOf(e.streamId);
      if ((type === 'incident' || type === 'advisory') && at.has(e.streamId)) touched.add(e.streamId);
    }
  }
  const ids = [...touched].sort();
  const compliance = new ComplianceReport(period.from, until, moment);
  const incidentStates: IncidentState[] = [];
  const advisoryStates: AdvisoryState[] = [];
  await forEachLimit(ids, READERS, async (streamId) => {
    const version = at.get(streamId) ?? 0;
    if (streamTypeOf(streamId) === 'incident') {
      const { state, events } = await fold(
        sources,
        incidents as unknown as Folding<IncidentState | null, never>,
        streamId,
        version,
      );
      if (state === null || sectorOr(state.sector) !== q.sector) return;
      compliance.addIncident(events);
      if (state.createdAt >= period.from && state.createdAt <= period.to) incidentStates.push(state);
    } else {
      const { state } = await fold(
        sources,
        advisories as unknown as Folding<AdvisoryState | null, never>,
        streamId,
        version,
      );
      if (state === null || sectorOr(state.sector) !== q.sector) return;
      if (state.createdAt >= period.from && state.createdAt <= period.to) advisoryStates.push(state);
    }
  });

  const advisoryReports: { state: AdvisoryState; report: ReturnType<typeof transmissionReport> }[] = [];
  await forEachLimit(advisoryStates, READERS, async (state) => {
    const prefix = `${RECIPIENT_STREAM_PREFIX}${state.id}#`;
    const rs: RecipientState[] = [];
    for (const [streamId, version] of at) {
      if (!streamId.startsWith(prefix)) continue;
      const { state: r } = await fold(
        sources,
        recipients as unknown as Folding<RecipientState | null, never>,
        streamId,
        version,
      );
      if (r !== null) rs.push(r);
    }
    rs.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
    advisoryReports.push({ state, report: transmissionReport(state, state.distributedAt ? rs : []) });
  });

  const activityStates: ActivityState[] = [];
  const activityStreams = [...at].filter(([id]) => streamTypeOf(id) === 'activity').sort();
  await forEachLimit(activityStreams, READERS, async ([streamId, version]) => {
    const { state } = await fold(
      sources,
      activities as unknown as Folding<ActivityState | null, never>,
      streamId,
      version,
    );
    if (state !== null && state.sector === q.sector && fiscalYearOfDate(state.date) === q.fiscalYear)
      activityStates.push(state);
  });

  const planStream = plans.streamId(planId(q.sector, q.fiscalYear));
  const planVersion = at.get(planStream);
  const plan =
    planVersion === undefined
      ? null
      : ((await fold(sources, plans as unknown as Folding<PlanState | null, never>, planStream, planVersion))
          .state as PlanState | null);

  const summaryQuery = { sector: q.sector, from: period.from, to: period.to, asOf: moment };
  const surveys: SurveySummary[] = sources.providers.surveys
    ? await sources.providers.surveys(sources.providerDeps, summaryQuery)
    : [];
  const exercises: ExerciseSummary[] = sources.providers.exercises
    ? await sources.providers.exercises(sources.providerDeps, summaryQuery)
    : [];

  return buildAnnualReport({
    sector: q.sector,
    sectorNames: sector.entry.names,
    members: sector.entry.members,
    fiscalYear: q.fiscalYear,
    period,
    asOf: q.asOf,
    checkpoint: {
      id: checkpoint.id,
      createdAt: checkpoint.createdAt,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      algorithm: checkpoint.algorithm,
      keyId: checkpoint.keyId,
    },
    incidents: incidentStates,
    compliance: { rows: compliance.result(), stages: compliance.stageResult() },
    advisories: advisoryReports,
    activities: activityStates,
    plan,
    surveys,
    exercises,
  });
}
