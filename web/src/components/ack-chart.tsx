import { type AckCurve, stepPath } from '../ack-chart.ts';
import { percent } from '../format.ts';
import { formatDuration } from '../i18n/index.ts';
import { useT } from '../i18n/lang.ts';

const W = 640;
const H = 260;
const M = { left: 52, right: 20, top: 16, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/**
 * Acknowledgements over time: the cumulative share of recipient organisations that acknowledged
 * against the time since distribution, the window's end marked; hand-written SVG (role=img with the
 * summary as its label) and the same data as a table for those who do not see it.
 */
export function AckChart(props: { curve: AckCurve; withinWindow: number }) {
  const t = useT();
  const { curve } = props;
  const x = (s: number) => M.left + (curve.endSeconds === 0 ? 0 : (s / curve.endSeconds) * PW);
  const y = (share: number) => M.top + PH - share * PH;
  const duration = (s: number) => (s === 0 ? '0' : formatDuration(s * 1000, t));
  const ticks = [0, curve.windowSeconds / 2, curve.windowSeconds];
  if (curve.endSeconds > curve.windowSeconds * 1.15) ticks.push(curve.endSeconds);
  const label = t('drill.chart.label', {
    window: duration(curve.windowSeconds),
    n: props.withinWindow,
    total: curve.total,
    rate: percent(curve.total === 0 ? 0 : props.withinWindow / curve.total),
  });
  return (
    <figure class="chart card">
      <figcaption>
        <h2>{t('drill.chart')}</h2>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} class="ack-chart">
        {[0, 0.25, 0.5, 0.75, 1].map((share) => (
          <g key={share}>
            <line x1={M.left} x2={M.left + PW} y1={y(share)} y2={y(share)} class="grid" />
            <text x={M.left - 6} y={y(share) + 4} text-anchor="end" class="tick">
              {percent(share)}
            </text>
          </g>
        ))}
        {ticks.map((s) => (
          <text key={s} x={x(s)} y={M.top + PH + 18} text-anchor="middle" class="tick">
            {duration(s)}
          </text>
        ))}
        <line
          x1={x(curve.windowSeconds)}
          x2={x(curve.windowSeconds)}
          y1={M.top}
          y2={M.top + PH}
          class="deadline"
        />
        <text x={x(curve.windowSeconds) - 4} y={M.top + 12} text-anchor="end" class="deadline-label">
          {t('drill.chart.deadline')}
        </text>
        <path d={stepPath(curve, PW, PH)} transform={`translate(${M.left},${M.top})`} class="curve" />
        <text x={M.left + PW / 2} y={H - 6} text-anchor="middle" class="axis-title">
          {t('drill.chart.x')}
        </text>
        <text
          x={12}
          y={M.top + PH / 2}
          text-anchor="middle"
          class="axis-title"
          transform={`rotate(-90 12 ${M.top + PH / 2})`}
        >
          {t('drill.chart.y')}
        </text>
      </svg>
      <details>
        <summary>{t('drill.chart.table')}</summary>
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('drill.chart.col.time')}</th>
                <th scope="col">{t('drill.chart.col.count')}</th>
                <th scope="col">{t('drill.chart.col.share')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>0</td>
                <td>0 / {curve.total}</td>
                <td>{percent(0)}</td>
              </tr>
              {curve.steps.map((s) => (
                <tr key={s.count}>
                  <td>
                    {duration(s.seconds)}
                    {s.seconds > curve.windowSeconds ? ` (${t('drill.chart.deadline')} +)` : ''}
                  </td>
                  <td>
                    {s.count} / {curve.total}
                  </td>
                  <td>{percent(s.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
