import { durationMs, type HopEpisode, hopEpisodes, outcome } from '../../events/audit/hops.ts';
import { evolve, type IncidentEvent, initialState, type Recorded } from '../../events/incident/incident.ts';
import { incidentStages } from '../../events/incident/visibility.ts';
import { type Hop, hops, type Severity, severities } from '../../events/policy.ts';
import { incidents } from '../aggregates/incidents.ts';
import { forEachLimit } from '../runtime/parallel.ts';
import type { StoredEvent } from '../store/event-store.ts';
import { streamTypeOf } from './audit-aggregates.ts';

/**
 * Deadline compliance per hop and severity, from the incidents' own events: the report
 * behind GET /audit/compliance and `npm run audit -- compliance`.
 */

/** One row of the compliance report: a hop at a severity. */
export interface ComplianceRow {
  readonly hop: Hop;
  readonly severity: Severity;
  readonly total: number;
  readonly met: number;
  readonly missed: number;
  readonly open: number;
  /** met / (met + missed); null when nothing was decided yet. */
  readonly shareMet: number | null;
  readonly escalations: number;
  /** The slowest runs, slowest first: incident, how long, whether it met its deadline. */
  readonly slowest: { incidentId: string; ms: number; outcome: ReturnType<typeof outcome> }[];
}

/**
 * One row of the per-stage report: a reporting stage of a preset (events/reporting.ts), over the
 * incidents whose clock for it started in the period. `late`: submitted after its deadline;
 * `missed`: past its deadline and not submitted; `open`: running, not submitted.
 */
export interface StageComplianceRow {
  readonly preset: string;
  readonly stage: string;
  readonly names: { readonly ja: string; readonly en: string };
  readonly total: number;
  readonly met: number;
  readonly late: number;
  readonly missed: number;
  readonly open: number;
  /** met / (met + late + missed); null when nothing was decided yet. */
  readonly shareMet: number | null;
}

type StageTally = { -readonly [K in keyof StageComplianceRow]: StageComplianceRow[K] };

/** Accumulates hop episodes and reporting-stage clocks that started in [from, to], stream by stream. */
export class ComplianceReport {
  private readonly rows = new Map<string, { episodes: HopEpisode[] }>();
  private readonly stageRows = new Map<string, StageTally & { position: number }>();

  constructor(
    private readonly from: string,
    private readonly to: string,
    private readonly now: string,
    /** Only this exercise's incidents; none: only real incidents (an exercise's never mix with them). */
    private readonly exercise?: string,
  ) {}

  /** Adds one incident stream's events. */
  addIncident(events: readonly StoredEvent[]): void {
    const recorded = events.map((e) => incidents.upcast(e) as Recorded<IncidentEvent>);
    const first = recorded[0];
    const exerciseId = first?.type === 'IncidentReported' ? first.data.exerciseId : undefined;
    if (exerciseId !== this.exercise) return;
    for (const episode of hopEpisodes(recorded)) {
      if (episode.startedAt < this.from || episode.startedAt > this.to) continue;
      const key = `${episode.hop}/${episode.severity}`;
      const row = this.rows.get(key) ?? { episodes: [] };
      row.episodes.push(episode);
      this.rows.set(key, row);
    }
    const state = recorded.reduce(evolve, initialState());
    if (state === null) return;
    for (const [position, clock] of incidentStages(state, this.now).stages.entries()) {
      if (clock.startedAt === null || clock.startedAt < this.from || clock.startedAt > this.to) continue;
      const key = `${state.preset}/${clock.id}`;
      const row = this.stageRows.get(key) ?? {
        preset: state.preset,
        stage: clock.id,
        names: clock.names,
        total: 0,
        met: 0,
        late: 0,
        missed: 0,
        open: 0,
        shareMet: null,
        position,
      };
      row.total += 1;
      if (clock.status === 'done') row[clock.onTime ? 'met' : 'late'] += 1;
      else if (clock.status === 'overdue') row.missed += 1;
      else row.open += 1;
      this.stageRows.set(key, row);
    }
  }

  /** Per-stage rows: by preset id, then in each preset's stage order. */
  stageResult(): StageComplianceRow[] {
    return [...this.stageRows.values()]
      .sort((a, b) => (a.preset < b.preset ? -1 : a.preset > b.preset ? 1 : a.position - b.position))
      .map(({ position: _p, ...row }) => {
        const decided = row.met + row.late + row.missed;
        return { ...row, shareMet: decided === 0 ? null : row.met / decided };
      });
  }

  /** Rows for every hop and severity that had a run, in policy order. */
  result(slowest = 3): ComplianceRow[] {
    const out: ComplianceRow[] = [];
    for (const hop of hops) {
      for (const severity of severities) {
        const episodes = this.rows.get(`${hop}/${severity}`)?.episodes ?? [];
        if (episodes.length === 0) continue;
        const outcomes = episodes.map((e) => outcome(e, this.now));
        const met = outcomes.filter((o) => o === 'met').length;
        const missed = outcomes.filter((o) => o === 'missed').length;
        out.push({
          hop,
          severity,
          total: episodes.length,
          met,
          missed,
          open: episodes.length - met - missed,
          shareMet: met + missed === 0 ? null : met / (met + missed),
          escalations: episodes.reduce((n, e) => n + e.escalations.length, 0),
          slowest: episodes
            .map((e) => ({
              incidentId: e.incidentId,
              ms: durationMs(e, this.now),
              outcome: outcome(e, this.now),
            }))
            .sort(
              (a, b) =>
                b.ms - a.ms || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0),
            )
            .slice(0, slowest),
        });
      }
    }
    return out;
  }
}

/** Incident streams read at the same time. */
const READERS = 8;

/** Where a compliance report reads the log: the events of a period, and any stream whole. */
export interface ComplianceLog {
  periodEvents(from: string, to: string): AsyncIterable<StoredEvent>;
  streamEvents(streamId: string): AsyncIterable<StoredEvent>;
}

/** Reports progress over the incidents read (the CLI's bar); optional. */
export interface ComplianceProgress {
  start(total: number, label: string): void;
  increment(): void;
  stop(): void;
}

/**
 * The report for hops and reporting-stage clocks that started in [from, to]: every incident with an event in the
 * period is read whole (a hop that started in it may have ended, or escalated, after it).
 */
export async function complianceOf(
  log: ComplianceLog,
  period: { from: string; to: string; now: string; exercise?: string },
  progress?: ComplianceProgress,
): Promise<{ rows: ComplianceRow[]; stages: StageComplianceRow[] }> {
  const report = new ComplianceReport(period.from, period.to, period.now, period.exercise);
  const touched = new Set<string>();
  for await (const e of log.periodEvents(period.from, period.to)) {
    if (streamTypeOf(e.streamId) === 'incident') touched.add(e.streamId);
  }
  progress?.start(touched.size, 'incidents');
  // A few streams read at once: a year's incidents one after another would outlast an HTTP request.
  await forEachLimit([...touched], READERS, async (id) => {
    const events: StoredEvent[] = [];
    for await (const e of log.streamEvents(id)) events.push(e);
    report.addIncident(events);
    progress?.increment();
  });
  progress?.stop();
  return { rows: report.result(), stages: report.stageResult() };
}
