import { useState } from 'preact/hooks';
import type { exerciseReportSchema } from '../../../events/api/exercise.ts';
import type * as z from '../../../events/zod.ts';
import { apiCall, type Page } from '../api.ts';
import { PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading, useOrgName } from '../components/ui.tsx';
import { downloadCsv } from '../csv-download.ts';
import { describeError } from '../errors.ts';
import { percent } from '../format.ts';
import { usePoll } from '../hooks.ts';
import { lang, useT } from '../i18n/lang.ts';
import { useStore } from '../store.ts';

/** GET /exercises/{id}/report, as documented (events/api/exercise.ts; the domain's module needs node:crypto). */
type ExerciseReport = z.output<typeof exerciseReportSchema>;

/** A row of GET /exercises. */
interface ExerciseRow {
  readonly id: string;
  readonly title: { ja: string; en: string };
  readonly status: 'planned' | 'running' | 'ended';
  readonly sectors: string[];
  readonly injects: number;
  readonly released: number;
}

/** The exercises the person may see, newest first, each opening its after-action report. */
export function ExercisesPage() {
  const t = useT();
  const current = useStore(lang);
  const polled = usePoll(() => apiCall<Page<ExerciseRow>>('GET', '/exercises?limit=50'), []);
  if (!polled.data) return <PageLoading title={t('exercises.title')} error={polled.error} />;
  return (
    <section>
      <PageHeading>{t('exercises.title')}</PageHeading>
      {polled.data.items.length === 0 ? (
        <p>{t('exercises.empty')}</p>
      ) : (
        <ul>
          {polled.data.items.map((x) => (
            <li key={x.id}>
              <Link to={{ name: 'exercise', id: x.id }}>{x.title[current]}</Link>{' '}
              {t('exercises.row', {
                status: x.status,
                sectors: x.sectors.join(', '),
                released: x.released,
                injects: x.injects,
              })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const OUTCOME_COLOUR = {
  on_time: '#1a7f37',
  late: '#b35900',
  missed: '#c62828',
  pending: '#6e7781',
} as const;

/** The timeline: one line per sector, a grey mark per release and a coloured one per action, by seconds from the start. */
function Timeline(props: { report: ExerciseReport; label: string }) {
  const { report } = props;
  const sectors = report.sectors.map((s) => s.sector);
  const end = Math.max(1, ...report.timeline.map((e) => e.offsetSeconds));
  const width = 640;
  const left = 120;
  const row = 28;
  const height = row * sectors.length + 30;
  const x = (s: number) => left + ((width - left - 20) * s) / end;
  return (
    <svg role="img" aria-label={props.label} viewBox={`0 0 ${width} ${height}`} width="100%">
      {sectors.map((s, i) => (
        <g key={s}>
          <text x={4} y={row * i + 20} font-size="12">
            {s}
          </text>
          <line x1={left} x2={width - 20} y1={row * i + 16} y2={row * i + 16} stroke="#d0d7de" />
        </g>
      ))}
      {report.timeline.map((e, n) => {
        const i = sectors.indexOf(e.sector);
        const colour = e.outcome ? OUTCOME_COLOUR[e.outcome] : '#57606a';
        if (i < 0) return null;
        return e.what === 'released' ? (
          <rect key={n} x={x(e.offsetSeconds) - 4} y={row * i + 8} width={8} height={16} fill={colour}>
            <title>{`${e.injectId} released +${e.offsetSeconds}s`}</title>
          </rect>
        ) : (
          <circle key={n} cx={x(e.offsetSeconds)} cy={row * i + 16} r={5} fill={colour}>
            <title>{`${e.injectId} ${e.org ?? ''} ${e.what} +${e.offsetSeconds}s (${e.outcome ?? ''})`}</title>
          </circle>
        );
      })}
      <text x={left} y={height - 4} font-size="11">
        0
      </text>
      <text x={width - 20} y={height - 4} font-size="11" text-anchor="end">
        {`${Math.round(end)} s`}
      </text>
    </svg>
  );
}

/** An exercise's after-action report: the overall figures, the comparison across sectors, the stages, the timeline. */
export function ExerciseReportPage(props: { id: string }) {
  const t = useT();
  const current = useStore(lang);
  const orgName = useOrgName();
  const path = `/exercises/${encodeURIComponent(props.id)}/report`;
  const [live, setLive] = useState(true);
  const polled = usePoll(
    async () => {
      const report = await apiCall<ExerciseReport>('GET', path);
      setLive(report.status !== 'ended');
      return report;
    },
    [path],
    live,
  );
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const report = polled.data;
  if (!report) return <PageLoading title={t('exercises.title')} error={polled.error} />;
  const download = async () => {
    setDownloadError(null);
    try {
      await downloadCsv(path, `exercise-${props.id}.csv`);
    } catch (error) {
      setDownloadError(describeError(error, t));
    }
  };
  const tallyCells = (r: ExerciseReport['overall']) => (
    <>
      <td>{r.expected}</td>
      <td>{r.onTime}</td>
      <td>{r.late}</td>
      <td>{r.missed}</td>
      <td>{r.pending}</td>
      <td>{percent(r.rate)}</td>
    </>
  );
  const tallyHeads = (
    <>
      <th scope="col">{t('exercise.col.expected')}</th>
      <th scope="col">{t('exercise.col.onTime')}</th>
      <th scope="col">{t('exercise.col.late')}</th>
      <th scope="col">{t('exercise.col.missed')}</th>
      <th scope="col">{t('exercise.col.pending')}</th>
      <th scope="col">{t('exercise.col.rate')}</th>
    </>
  );
  return (
    <section>
      <PageHeading>{t('exercise.title', { title: report.title[current] })}</PageHeading>
      <p>
        {t('exercise.overall', {
          rate: percent(report.overall.rate),
          n: report.overall.onTime,
          total: report.overall.expected,
          late: report.overall.late,
          missed: report.overall.missed,
          pending: report.overall.pending,
        })}
      </p>
      <h2>{t('exercise.sectors')}</h2>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">{t('exercise.col.sector')}</th>
            {tallyHeads}
            <th scope="col">{t('exercise.col.median')}</th>
          </tr>
        </thead>
        <tbody>
          {report.sectors.map((s) => (
            <tr key={s.sector}>
              <th scope="row">{s.sector}</th>
              {tallyCells(s)}
              <td>{s.medianSeconds ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('exercise.stages')}</h2>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">{t('exercise.col.stage')}</th>
            {tallyHeads}
          </tr>
        </thead>
        <tbody>
          {report.stages.map((s) => (
            <tr key={s.stage}>
              <th scope="row">{s.stage}</th>
              {tallyCells(s)}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('exercise.timeline')}</h2>
      <Timeline report={report} label={t('exercise.timeline.label')} />
      <table class="data">
        <tbody>
          {report.rows.map((r) => (
            <tr key={`${r.injectId}-${r.role}-${r.org}`}>
              <td>{r.injectId}</td>
              <td>{r.sector}</td>
              <td>{orgName(r.org)}</td>
              <td>{r.action}</td>
              <td>{r.seconds ?? '—'}</td>
              <td>{r.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" onClick={download}>
          {t('exercise.download')}
        </button>
      </p>
      {downloadError && <Notice kind="error">{downloadError}</Notice>}
    </section>
  );
}
