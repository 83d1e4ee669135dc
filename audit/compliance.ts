import { durationMs, type HopEpisode, hopEpisodes, outcome } from '../events/audit/hops.ts';
import type { IncidentEvent, Recorded } from '../events/incident/incident.ts';
import { type Hop, hops, type Severity, severities } from '../events/policy.ts';
import type { StoredEvent } from '../functions/commons/event-store.ts';
import { incidents } from '../functions/commons/incidents.ts';
import { humanDuration } from './timeline.ts';

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
  readonly slowest: { incidentId: string; ms: number; outcome: string }[];
}

/** Accumulates hop episodes that started in [from, to], stream by stream. */
export class ComplianceReport {
  private readonly rows = new Map<string, { episodes: HopEpisode[] }>();

  constructor(
    private readonly from: string,
    private readonly to: string,
    private readonly now: string,
  ) {}

  /** Adds one incident stream's events. */
  addIncident(events: readonly StoredEvent[]): void {
    const recorded = events.map((e) => incidents.upcast(e) as Recorded<IncidentEvent>);
    for (const episode of hopEpisodes(recorded)) {
      if (episode.startedAt < this.from || episode.startedAt > this.to) continue;
      const key = `${episode.hop}/${episode.severity}`;
      const row = this.rows.get(key) ?? { episodes: [] };
      row.episodes.push(episode);
      this.rows.set(key, row);
    }
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
            .sort((a, b) => b.ms - a.ms)
            .slice(0, slowest),
        });
      }
    }
    return out;
  }
}

const pct = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/** The report as an aligned text table. */
export function complianceTable(rows: readonly ComplianceRow[]): string {
  const header = ['hop', 'severity', 'runs', 'met', 'missed', 'open', 'met %', 'escalations', 'slowest'];
  const body = rows.map((r) => [
    r.hop,
    r.severity,
    String(r.total),
    String(r.met),
    String(r.missed),
    String(r.open),
    pct(r.shareMet),
    String(r.escalations),
    r.slowest.map((s) => `${s.incidentId.slice(0, 8)} ${humanDuration(s.ms)} (${s.outcome})`).join('; '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The report as CSV (RFC 4180), one row per hop and severity; slowest cases as `id:seconds:outcome`. */
export function complianceCsv(rows: readonly ComplianceRow[]): string {
  const header = 'hop,severity,runs,met,missed,open,share_met,escalations,slowest';
  const body = rows.map((r) =>
    [
      r.hop,
      r.severity,
      r.total,
      r.met,
      r.missed,
      r.open,
      r.shareMet === null ? '' : r.shareMet.toFixed(4),
      r.escalations,
      r.slowest.map((s) => `${s.incidentId}:${Math.round(s.ms / 1000)}:${s.outcome}`).join(' '),
    ]
      .map((v) => csvCell(String(v)))
      .join(','),
  );
  return `${[header, ...body].join('\r\n')}\r\n`;
}
