import { useState } from 'preact/hooks';
import type { resultsSchema } from '../../../events/api/survey.ts';
import type * as z from '../../../events/zod.ts';
import { apiCall, newIdempotencyKey } from '../api.ts';
import { PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading, TlpLabel, useFormatTime, useOrgName } from '../components/ui.tsx';
import { downloadCsv, downloadFile } from '../csv-download.ts';
import { describeError } from '../errors.ts';
import { percent } from '../format.ts';
import { usePoll } from '../hooks.ts';
import type { Translate } from '../i18n/index.ts';
import { lang, useT } from '../i18n/lang.ts';
import { sectorName, useSectors } from '../sectors.ts';
import type { Session } from '../session.ts';
import { useStore } from '../store.ts';
import { maturityKey, SurveyStatus, type SurveyView, XLSX } from './survey-common.tsx';

type Results = z.output<typeof resultsSchema>;

/** A score out of 100 with one decimal, "—" when there is none. */
const score = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(1));

/**
 * A member's scores against its sector's: one line per section and overall on a 0–100 axis, the
 * sector's first to third quartile as a band, its median as a bar and the member's own score as
 * a dot; hand-written SVG like the drill's chart, the same figures in a table beside it.
 */
function ScoreChart(props: {
  rows: readonly {
    label: string;
    own: number | null;
    spread: { median: number; q1: number; q3: number } | undefined;
  }[];
}) {
  const t = useT();
  const W = 640;
  const left = 170;
  const right = 20;
  const row = 34;
  const H = row * props.rows.length + 40;
  const x = (v: number) => left + ((W - left - right) * v) / 100;
  return (
    <figure class="chart card">
      <figcaption>
        <h2>{t('results.chart')}</h2>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t('results.chart.label')}
        class="ack-chart score-chart"
      >
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={x(v)} x2={x(v)} y1={8} y2={H - 28} class="grid" />
            <text x={x(v)} y={H - 10} text-anchor="middle" class="tick">
              {v}
            </text>
          </g>
        ))}
        {props.rows.map((r, i) => {
          const y = 20 + row * i;
          return (
            <g key={r.label} class="score-row">
              <text x={left - 8} y={y + 4} text-anchor="end" class="axis-title">
                {r.label}
              </text>
              {r.spread && (
                <>
                  <rect
                    x={x(r.spread.q1)}
                    y={y - 9}
                    width={Math.max(1, x(r.spread.q3) - x(r.spread.q1))}
                    height={18}
                    class="quartiles"
                  />
                  <line
                    x1={x(r.spread.median)}
                    x2={x(r.spread.median)}
                    y1={y - 11}
                    y2={y + 11}
                    class="median"
                  />
                </>
              )}
              {r.own !== null && <circle cx={x(r.own)} cy={y} r={6} class="own" />}
            </g>
          );
        })}
      </svg>
      <p class="hint">{t('results.chart.legend')}</p>
    </figure>
  );
}

/** A survey's results as the person may see them. */
export function SurveyResultsPage(props: { id: string; session: Session }) {
  const t = useT();
  const current = useStore(lang);
  const path = `/surveys/${encodeURIComponent(props.id)}/results`;
  // The survey's own definition names the sections (the results name them by id).
  const polled = usePoll(
    () =>
      Promise.all([
        apiCall<Results>('GET', path),
        apiCall<SurveyView>('GET', `/surveys/${encodeURIComponent(props.id)}`).catch(() => undefined),
      ]),
    [path],
    false,
  );
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [results, survey] = polled.data ?? [];
  if (!results) return <PageLoading title={t('results.title')} error={polled.error} />;
  const download = async (kind: 'csv' | 'xlsx') => {
    setDownloadError(null);
    try {
      if (kind === 'csv') await downloadCsv(path, `survey-${props.id}.csv`);
      else await downloadFile(path, XLSX, `survey-${props.id}.xlsx`);
    } catch (error) {
      setDownloadError(describeError(error, t));
    }
  };
  return (
    <section>
      <PageHeading>{t('results.heading', { title: results.title[current] })}</PageHeading>
      <div class="meta">
        <TlpLabel tlp={results.tlp} />
        <SurveyStatus status={results.status} />
        <span class="badge">{t(`results.view.${results.view}`)}</span>
      </div>
      {results.view === 'member' ? (
        <OwnResults results={results} survey={survey} />
      ) : (
        <>
          <p>{t('results.k', { k: results.k })}</p>
          {results.sectors.length > 1 && <SectorComparison results={results} survey={survey} />}
          {(results.total ? [...results.sectors, results.total] : results.sectors).map((s) => (
            <SectorResults
              key={s.sector}
              sector={s}
              t={t}
              {...(results.view === 'sector'
                ? {
                    release: {
                      path: path.replace(/\/results$/, ''),
                      released: results.released ?? [],
                      reload: polled.reload,
                    },
                  }
                : {})}
            />
          ))}
          {results.members && <MemberScores results={results} />}
          <p class="actions">
            <button type="button" onClick={() => void download('csv')}>
              {t('results.csv')}
            </button>
            <button type="button" onClick={() => void download('xlsx')}>
              {t('results.xlsx')}
            </button>
          </p>
          {downloadError && <Notice kind="error">{downloadError}</Notice>}
        </>
      )}
      <p>
        <Link to={{ name: 'survey', id: props.id }}>{t('results.back')}</Link>
      </p>
    </section>
  );
}

/** A member's own scores per section against its sector's median and quartiles. */
function OwnResults(props: { results: Results; survey: SurveyView | undefined }) {
  const t = useT();
  const current = useStore(lang);
  const { results } = props;
  const sector = results.sectors[0];
  const own = results.own;
  if (!own) return <p>{t('results.noOwn')}</p>;
  // The section titles come from the per-question results (each names its section).
  const sectionIds = Object.keys(own.scores.sections);
  const titles = new Map((props.survey?.definition.sections ?? []).map((s) => [s.id, s.title[current]]));
  const rows = [
    ...sectionIds.map((id) => ({
      id,
      label: titles.get(id) ?? id,
      own: own.scores.sections[id] ?? null,
      spread: sector?.score.sections[id],
    })),
    { id: '(overall)', label: t('results.overall'), own: own.scores.overall, spread: sector?.score.overall },
  ];
  return (
    <>
      <p>
        {t('results.respondents', {
          n: sector?.score.respondents ?? 0,
          rate: percent(sector?.responseRate ?? null),
        })}
        {own.late && ` ${t('survey.response.late')}`}
      </p>
      <ScoreChart rows={rows} />
      <div class="table-wrap">
        <table class="data own-scores">
          <thead>
            <tr>
              <th scope="col">{t('results.col.section')}</th>
              <th scope="col">{t('results.col.own')}</th>
              <th scope="col">{t('results.col.median')}</th>
              <th scope="col">{t('results.col.q1')}</th>
              <th scope="col">{t('results.col.q3')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-section={r.id}>
                <th scope="row">{r.label}</th>
                <td class="own">{score(r.own)}</td>
                <td>{score(r.spread?.median)}</td>
                <td>{score(r.spread?.q1)}</td>
                <td>{score(r.spread?.q3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {results.history && results.history.length > 0 && (
        <>
          <h2>{t('results.history')}</h2>
          <ul>
            {results.history.map((h) => (
              <li key={h.surveyId}>
                {h.title[current]}: {t('results.history.own', { score: score(h.own ?? null) })}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

type SectorResult = Results['sectors'][number];
type Released = NonNullable<Results['released']>[number];

/** What the secretariat's view needs to release its sector's free text. */
interface ReleaseProps {
  /** `/surveys/<id>` */
  readonly path: string;
  readonly released: readonly Released[];
  readonly reload: () => Promise<void>;
}

/**
 * The sectors side by side (a ministry's or NISC's view): response and overall score per sector and over
 * them all, and the median of each section, so that one sector's figures read against the others'.
 */
function SectorComparison(props: { results: Results; survey: SurveyView | undefined }) {
  const t = useT();
  const current = useStore(lang);
  const sectors = useSectors().data?.items ?? [];
  const { results } = props;
  const rows = results.total ? [...results.sectors, results.total] : results.sectors;
  const sectionIds = [...new Set(rows.flatMap((r) => Object.keys(r.score.sections)))];
  const titles = new Map((props.survey?.definition.sections ?? []).map((x) => [x.id, x.title[current]]));
  const name = (id: string) => (id === 'all' ? t('results.total') : sectorName(sectors, id, current));
  return (
    <section class="card sector-comparison" aria-labelledby="sector-comparison">
      <h2 id="sector-comparison">{t('results.compare')}</h2>
      <p class="hint">{t('results.compare.hint', { k: results.k })}</p>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('results.compare.sector')}</th>
              <th scope="col">{t('results.compare.rate')}</th>
              <th scope="col">{t('results.compare.responded')}</th>
              <th scope="col">{t('results.compare.late')}</th>
              <th scope="col">{t('results.compare.overall')}</th>
              {sectionIds.map((id) => (
                <th scope="col" key={id}>
                  {t('results.compare.section', { section: titles.get(id) ?? id })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sector} data-sector={r.sector} class={r.sector === 'all' ? 'total' : undefined}>
                <th scope="row">{name(r.sector)}</th>
                <td class="rate">{percent(r.responseRate)}</td>
                <td>
                  {r.responded}/{r.invited}
                </td>
                <td>{r.late}</td>
                <td class="overall">
                  {r.score.overall
                    ? t('results.compare.spread', {
                        median: score(r.score.overall.median),
                        q1: score(r.score.overall.q1),
                        q3: score(r.score.overall.q3),
                      })
                    : r.score.respondents === 0
                      ? '—'
                      : t('results.withheld')}
                </td>
                {sectionIds.map((id) => (
                  <td key={id} data-section={id}>
                    {r.score.sections[id]
                      ? score(r.score.sections[id]?.median)
                      : r.score.respondents === 0
                        ? '—'
                        : t('results.withheld')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The secretariat edits its members' free-text answers to a question and releases the edit: only that
 * edit leaves the sector (POST /surveys/{id}/free-text/{questionId}/release). Releasing again replaces it.
 */
function FreeTextRelease(props: { questionId: string; given: readonly string[]; release: ReleaseProps }) {
  const t = useT();
  const time = useFormatTime();
  const released = props.release.released.find((r) => r.questionId === props.questionId);
  const [texts, setTexts] = useState<string[]>(() => [...(released?.texts ?? props.given)]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const id = `release-${props.questionId}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    setDone(false);
    setBusy(true);
    try {
      const kept = texts.map((x) => x.trim()).filter((x) => x.length > 0);
      await apiCall(
        'POST',
        `${props.release.path}/free-text/${encodeURIComponent(props.questionId)}/release`,
        {
          body: { texts: kept },
          idempotencyKey: newIdempotencyKey(),
        },
      );
      setTexts(kept);
      setDone(true);
      await props.release.reload();
    } catch (error) {
      setProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="free-text-release" aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
      <h4 id={`${id}-heading`}>{t('results.release.heading')}</h4>
      <p class="hint">{t('results.release.hint')}</p>
      <p class="release-status">
        {released
          ? t('results.release.released', { at: time(released.releasedAt), n: released.texts.length })
          : t('results.release.none')}
      </p>
      {texts.length === 0 && <p class="hint">{t('results.release.empty')}</p>}
      {texts.map((text, i) => (
        <div class="field" key={i}>
          <label for={`${id}-${i}`}>{t('results.release.answer', { n: i + 1 })}</label>
          <textarea
            id={`${id}-${i}`}
            rows={2}
            maxLength={4000}
            value={text}
            onInput={(e) => {
              const value = (e.target as HTMLTextAreaElement).value;
              setTexts((all) => all.map((x, j) => (j === i ? value : x)));
            }}
          />
          <button type="button" class="link" onClick={() => setTexts((all) => all.filter((_, j) => j !== i))}>
            {t('results.release.remove', { n: i + 1 })}
          </button>
        </div>
      ))}
      <p class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {released ? t('results.release.again') : t('results.release.submit')}
        </button>
      </p>
      {done && <Notice kind="info">{t('results.release.done')}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
    </form>
  );
}

/** One sector's figures and per-question distributions; a withheld cell says so. */
function SectorResults(props: { sector: SectorResult; t: Translate; release?: ReleaseProps }) {
  const { t, sector } = props;
  const current = useStore(lang);
  return (
    <section
      class="card sector-results"
      data-sector={sector.sector}
      aria-labelledby={`sector-${sector.sector}`}
    >
      <h2 id={`sector-${sector.sector}`}>
        {sector.sector === 'all' ? t('results.total') : t('results.sector', { sector: sector.sector })}
      </h2>
      <p class="response-rate">
        {t('results.rate', {
          rate: percent(sector.responseRate),
          responded: sector.responded,
          invited: sector.invited,
          late: sector.late,
        })}
      </p>
      {sector.questions.map((q) => (
        <div key={q.id} class="question-result" data-question={q.id}>
          <h3>
            {q.label[current]}{' '}
            {q.suppressed && <span class="badge suppressed-mark">{t('results.suppressed')}</span>}
          </h3>
          <p class="hint">
            {t('results.answered', { n: q.answered === null ? t('results.withheld') : q.answered })}
          </p>
          {q.cells && (
            <div class="table-wrap">
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">{t('results.col.answer')}</th>
                    <th scope="col">{t('results.col.count')}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.cells.map((c) => (
                    <tr key={c.value}>
                      <th scope="row">
                        {q.kind === 'maturity'
                          ? `${c.value} — ${t(maturityKey(Number(c.value)))}`
                          : c.label[current]}
                      </th>
                      <td class={c.count === null ? 'suppressed' : undefined}>
                        {c.count === null ? t('results.withheld') : c.count}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {q.stats && (
            <p>
              {t('results.stats', {
                median: q.stats.median,
                q1: q.stats.q1,
                q3: q.stats.q3,
                min: q.stats.min,
                max: q.stats.max,
              })}
            </p>
          )}
          {q.kind === 'text' &&
            (q.texts ? (
              <ul class="texts">
                {q.texts.map((x, i) => (
                  <li key={i}>{x}</li>
                ))}
              </ul>
            ) : (
              <p class="hint">{t('results.textsWithheld')}</p>
            ))}
          {q.kind === 'text' && props.release && (
            <FreeTextRelease questionId={q.id} given={q.texts ?? []} release={props.release} />
          )}
        </div>
      ))}
    </section>
  );
}

/** The secretariat's table of its members' scores. */
function MemberScores(props: { results: Results }) {
  const t = useT();
  const time = useFormatTime();
  const orgName = useOrgName();
  const members = props.results.members ?? [];
  return (
    <section class="card" aria-labelledby="member-scores">
      <h2 id="member-scores">{t('results.members')}</h2>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('results.col.org')}</th>
              <th scope="col">{t('results.col.submittedAt')}</th>
              <th scope="col">{t('results.col.overall')}</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.org} data-org={m.org}>
                <th scope="row">{orgName(m.org)}</th>
                <td>
                  {time(m.submittedAt)}
                  {m.late && ` ${t('survey.response.late')}`}
                </td>
                <td>{score(m.scores.overall)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
