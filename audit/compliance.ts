import type { ComplianceRow, StageComplianceRow } from '../functions/audit/audit-compliance.ts';
import { humanDuration } from './timeline.ts';

export {
  ComplianceReport,
  type ComplianceRow,
  complianceOf,
  type StageComplianceRow,
} from '../functions/audit/audit-compliance.ts';

const pct = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/** Rows of cells as an aligned text table under a header. */
function aligned(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The per-stage report as an aligned text table: each preset's stages, on time, late, missed, open. */
export function stageComplianceTable(rows: readonly StageComplianceRow[]): string {
  const header = ['preset', 'stage', 'name', 'clocks', 'on time', 'late', 'missed', 'open', 'on time %'];
  return aligned(
    header,
    rows.map((r) => [
      r.preset,
      r.stage,
      r.names.ja,
      String(r.total),
      String(r.met),
      String(r.late),
      String(r.missed),
      String(r.open),
      pct(r.shareMet),
    ]),
  );
}

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
  return aligned(header, body);
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
