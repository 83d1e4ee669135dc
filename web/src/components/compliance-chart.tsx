import type { ComplianceRow } from '../audit-api.ts';
import { percent } from '../format.ts';
import { useT } from '../i18n/lang.ts';

const WIDTH = 640;
const LABEL = 190;
const VALUE = 70;
const BAR = WIDTH - LABEL - VALUE;
const ROW = 30;

/**
 * Met, missed and open runs per hop and severity as stacked bars, the share met beside each.
 * A picture for sighted readers; `role="img"` with a one-line label, and the table it is drawn
 * from (`describedBy`) is the text alternative.
 */
export function ComplianceChart(props: { rows: readonly ComplianceRow[]; describedBy: string }) {
  const t = useT();
  const { rows } = props;
  const label = (r: ComplianceRow) => `${t(`hop.${r.hop}`)} · ${t(`severity.${r.severity}`)}`;
  const summary = rows.map((r) => `${label(r)} ${percent(r.shareMet)}`).join('、');
  const height = rows.length * ROW + 8;
  return (
    <figure class="compliance-chart">
      <svg
        role="img"
        aria-label={t('audit.compliance.chart.label', { summary })}
        aria-describedby={props.describedBy}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        {rows.map((r, i) => {
          const y = i * ROW + 4;
          const scale = r.total === 0 ? 0 : BAR / r.total;
          const segments = [
            { n: r.met, cls: 'bar-met' },
            { n: r.missed, cls: 'bar-missed' },
            { n: r.open, cls: 'bar-open' },
          ];
          let x = LABEL;
          return (
            <g key={`${r.hop}/${r.severity}`} class="chart-row">
              <text x={LABEL - 8} y={y + 16} text-anchor="end" class="chart-label">
                {label(r)}
              </text>
              <rect x={LABEL} y={y} width={BAR} height={ROW - 8} class="bar-track" />
              {segments.map((s) => {
                const w = s.n * scale;
                const rect =
                  w > 0 ? <rect key={s.cls} x={x} y={y} width={w} height={ROW - 8} class={s.cls} /> : null;
                x += w;
                return rect;
              })}
              <text x={WIDTH - 4} y={y + 16} text-anchor="end" class="chart-value">
                {percent(r.shareMet)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="chart-legend">
          <li>
            <span class="swatch bar-met" aria-hidden="true" /> {t('audit.compliance.met')}
          </li>
          <li>
            <span class="swatch bar-missed" aria-hidden="true" /> {t('audit.compliance.missed')}
          </li>
          <li>
            <span class="swatch bar-open" aria-hidden="true" /> {t('audit.compliance.open')}
          </li>
          <li>{t('audit.compliance.chart.right')}</li>
        </ul>
      </figcaption>
    </figure>
  );
}
