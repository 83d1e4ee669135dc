import { useRef, useState } from 'preact/hooks';
import type {
  recipientsSchema,
  responseViewSchema,
  resultsSchema,
  surveyListSchema,
  surveyViewSchema,
} from '../../../events/api/survey.ts';
import { MATURITY_LEVELS } from '../../../events/survey/definition.ts';
import type * as z from '../../../events/zod.ts';
import { ApiError, apiCall, newIdempotencyKey } from '../api.ts';
import { MessageTable } from '../components/deliveries.tsx';
import { describedBy, ErrorSummary, FormField, fieldAria, HintAndError } from '../components/form.tsx';
import { PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading, TlpLabel, useFormatTime, useOrgName } from '../components/ui.tsx';
import { downloadCsv, downloadFile } from '../csv-download.ts';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { percent } from '../format.ts';
import { usePoll } from '../hooks.ts';
import type { Translate } from '../i18n/index.ts';
import { lang, useT } from '../i18n/lang.ts';
import type { FieldError } from '../report-form.ts';
import { useSectors } from '../sectors.ts';
import type { Session } from '../session.ts';
import { useStore } from '../store.ts';
import {
  answerErrorsOf,
  answersBody,
  type FormAnswers,
  formAnswersOf,
  instantOf,
  isShown,
  type Question,
} from '../survey-form.ts';

type SurveyRow = z.output<typeof surveyListSchema>['items'][number];
type SurveyView = z.output<typeof surveyViewSchema>;
type ResponseView = z.output<typeof responseViewSchema>;
type Results = z.output<typeof resultsSchema>;
type Recipients = z.output<typeof recipientsSchema>;

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where a survey stands, as a badge. */
function SurveyStatus(props: { status: SurveyRow['status'] }) {
  const t = useT();
  return (
    <span class={`badge survey-status survey-status-${props.status}`}>
      {t(`survey.status.${props.status}`)}
    </span>
  );
}

/** The surveys the person may see: a member's are those addressed to it; an issuer's, those it built or oversees. */
export function SurveysPage(props: { session: Session }) {
  const t = useT();
  const current = useStore(lang);
  const time = useFormatTime();
  const polled = usePoll(() => apiCall<{ items: SurveyRow[] }>('GET', '/surveys'), []);
  const member = props.session.role === 'member';
  const issuer = ['secretariat', 'ministry', 'nisc'].includes(props.session.role);
  return (
    <section>
      <PageHeading>{t('surveys.title')}</PageHeading>
      <p>{t(member ? 'surveys.intro.member' : 'surveys.intro.issuer')}</p>
      {issuer && (
        <p>
          <Link to={{ name: 'newSurvey' }} class="button-link">
            {t('surveys.new')}
          </Link>
        </p>
      )}
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!polled.data ? (
        <p>{t('app.loading')}</p>
      ) : polled.data.items.length === 0 ? (
        <p>{t('surveys.empty')}</p>
      ) : (
        <ul class="rows" aria-label={t('surveys.title')}>
          {polled.data.items.map((s) => (
            <li key={s.id} class="card survey-row">
              <div class="row-title">
                <Link to={{ name: 'survey', id: s.id }}>{s.title[current]}</Link>
              </div>
              <div class="meta">
                <TlpLabel tlp={s.tlp} />
                <SurveyStatus status={s.status} />
              </div>
              <div class="row-line">
                {s.dueAt ? t('surveys.due', { time: time(s.dueAt) }) : t('surveys.notIssued')}
                {!member && ` · ${t('surveys.sectors', { sectors: s.sectors.join(', ') })}`}
              </div>
              {s.status !== 'draft' && (
                <div class="row-line">
                  <Link to={{ name: 'surveyResults', id: s.id }}>{t('surveys.results')}</Link>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A survey: a member answers it; its issuer issues it, closes it and opens its results. */
export function SurveyPage(props: { id: string; session: Session }) {
  const t = useT();
  const current = useStore(lang);
  const path = `/surveys/${encodeURIComponent(props.id)}`;
  const polled = usePoll(() => apiCall<SurveyView>('GET', path), [path], false);
  const survey = polled.data;
  if (!survey) return <PageLoading title={t('surveys.title')} error={polled.error} />;
  return (
    <section>
      <PageHeading>{survey.title[current]}</PageHeading>
      <div class="meta">
        <TlpLabel tlp={survey.tlp} />
        <SurveyStatus status={survey.status} />
        <span class="badge">{t('survey.version', { n: survey.surveyVersion })}</span>
      </div>
      {survey.definition.description && <p class="prose">{survey.definition.description[current]}</p>}
      {props.session.role === 'member' ? (
        <AnswerForm survey={survey} />
      ) : (
        <SurveyAdmin survey={survey} session={props.session} reload={polled.reload} />
      )}
      <p>
        <Link to={{ name: 'surveys' }}>{t('survey.back')}</Link>
      </p>
    </section>
  );
}

const maturityKey = (level: number) => `survey.maturity.${level}` as 'survey.maturity.0';

/** One question's control, by kind; `id` is the control's (or the group's) id. */
function QuestionControl(props: {
  q: Question;
  id: string;
  value: string | string[] | undefined;
  error: string | undefined;
  onChange: (v: string | string[]) => void;
}) {
  const t = useT();
  const current = useStore(lang);
  const { q, id, error } = props;
  const label = q.label[current];
  const required = q.required && <span class="required">({t('field.required')})</span>;
  const hint = q.help?.[current];
  if (q.kind === 'single' || q.kind === 'multiple' || q.kind === 'maturity') {
    const options =
      q.kind === 'maturity'
        ? MATURITY_LEVELS.map((l) => ({ value: String(l), text: `${l} — ${t(maturityKey(l))}` }))
        : q.options.map((o) => ({ value: o.value, text: o.label[current] }));
    const chosen = Array.isArray(props.value) ? props.value : props.value === undefined ? [] : [props.value];
    return (
      <fieldset
        class={error ? 'field has-error question' : 'field question'}
        id={id}
        tabIndex={-1}
        data-question={q.id}
        {...describedBy(id, error, Boolean(hint))}
      >
        <legend>
          {label} {required}
        </legend>
        <HintAndError id={id} hint={hint} error={error} />
        {options.map((o) => (
          <label key={o.value} class="choice">
            <input
              type={q.kind === 'multiple' ? 'checkbox' : 'radio'}
              name={id}
              value={o.value}
              checked={chosen.includes(o.value)}
              onChange={(e) => {
                if (q.kind !== 'multiple') return props.onChange(o.value);
                const on = e.currentTarget.checked;
                props.onChange(on ? [...chosen, o.value] : chosen.filter((v) => v !== o.value));
              }}
            />{' '}
            {o.text}
          </label>
        ))}
      </fieldset>
    );
  }
  const value = typeof props.value === 'string' ? props.value : '';
  const set = (e: { currentTarget: { value: string } }) => props.onChange(e.currentTarget.value);
  return (
    <div class={error ? 'field has-error question' : 'field question'} data-question={q.id}>
      <label for={id}>
        {label} {required}
      </label>
      <HintAndError id={id} hint={hint} error={error} />
      {q.kind === 'text' ? (
        <textarea rows={4} value={value} onInput={set} {...fieldAria(id, error, Boolean(hint))} />
      ) : (
        <input
          type={q.kind === 'date' ? 'date' : 'number'}
          value={value}
          onInput={set}
          {...(q.kind === 'number'
            ? { min: q.min, max: q.max, step: q.integer ? 1 : 'any', inputMode: 'decimal' as const }
            : {})}
          {...fieldAria(id, error, Boolean(hint))}
        />
      )}
    </div>
  );
}

/**
 * A member's answers over several sittings: each save a draft kept by the API, the API's
 * per-question errors beside each question, conditional questions shown as the definition says,
 * then submit, and amend until the survey closes.
 */
function AnswerForm(props: { survey: SurveyView }) {
  const t = useT();
  const current = useStore(lang);
  const time = useFormatTime();
  const { survey } = props;
  const path = `/surveys/${encodeURIComponent(survey.id)}/response`;
  const [form, setForm] = useState<FormAnswers | null>(null);
  const [response, setResponse] = useState<ResponseView | null>(null);
  const [errors, setErrors] = useState<Record<string, FieldError>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryFocus = useRef<HTMLDivElement>(null);
  const polled = usePoll(
    async () => {
      const r = await apiCall<ResponseView>('GET', path);
      setResponse(r);
      setForm((f) => f ?? formAnswersOf(r.answers));
      return r;
    },
    [path],
    false,
  );
  if (!form || !response)
    return polled.error ? (
      <Notice kind="error">{describeError(polled.error, t)}</Notice>
    ) : (
      <p>{t('app.loading')}</p>
    );
  const id = (q: string) => `answer-${q}`;
  const def = survey.definition;
  const closed = !response.open;
  const shownSoFar = answersBody(def, form);

  const send = async (kind: 'save' | 'submit') => {
    setNotice(null);
    setProblem(null);
    setBusy(true);
    const answers = answersBody(def, form);
    try {
      const r =
        kind === 'save'
          ? await apiCall<ResponseView>('PUT', path, {
              body: { answers },
              idempotencyKey: newIdempotencyKey(),
            })
          : await apiCall<ResponseView>('POST', `${path}/submit`, {
              body: { answers },
              idempotencyKey: newIdempotencyKey(),
            });
      setResponse(r);
      setErrors({});
      setNotice(
        t(
          kind === 'save'
            ? 'survey.saved'
            : response.status === 'submitted'
              ? 'survey.amended'
              : 'survey.submitted',
        ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors) {
        setErrors(answerErrorsOf(error.problem.errors));
        setTimeout(() => summaryFocus.current?.focus(), 0);
      } else setProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };

  const all = def.sections.flatMap((s) => s.questions);
  const summaryItems = all.flatMap((q) => {
    const e = errors[q.id];
    return e ? [{ id: id(q.id), text: `${q.label[current]}: ${t(e.key, e.params)}` }] : [];
  });
  return (
    <>
      <div class="card response-status" role="status">
        <p class="status-line">
          {response.status === 'empty' && t('survey.response.empty')}
          {response.status === 'draft' &&
            t('survey.response.draft', { time: time(response.savedAt ?? ''), saves: response.saves })}
          {response.status === 'submitted' &&
            t('survey.response.submitted', { time: time(response.submittedAt ?? '') })}
          {response.late && ` ${t('survey.response.late')}`}
          {response.amendments > 0 && ` ${t('survey.response.amendments', { n: response.amendments })}`}
        </p>
        <p>
          {response.dueAt && t('surveys.due', { time: time(response.dueAt) })}{' '}
          {closed ? t('survey.closedNote') : response.status === 'submitted' ? t('survey.amendNote') : ''}
        </p>
      </div>
      {notice && <Notice kind="info">{notice}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorSummary
        title={t('report.errors', { n: summaryItems.length })}
        items={summaryItems}
        summaryRef={summaryFocus}
      />
      <form class="card form survey-form" onSubmit={(e) => e.preventDefault()} noValidate>
        <fieldset disabled={closed || busy} class="plain-fieldset">
          {def.sections.map((section) => (
            <section key={section.id} class="survey-section" aria-labelledby={`section-${section.id}`}>
              <h2 id={`section-${section.id}`}>{section.title[current]}</h2>
              {section.questions.map((q) =>
                isShown(q, shownSoFar) ? (
                  <QuestionControl
                    key={q.id}
                    q={q}
                    id={id(q.id)}
                    value={form[q.id]}
                    error={
                      errors[q.id] ? t(errors[q.id]?.key ?? 'error.invalid', errors[q.id]?.params) : undefined
                    }
                    onChange={(v) => {
                      setForm((f) => ({ ...(f ?? {}), [q.id]: v }));
                      setErrors(({ [q.id]: _fixed, ...rest }) => rest);
                    }}
                  />
                ) : null,
              )}
            </section>
          ))}
          <div class="actions">
            <button type="button" class="secondary" onClick={() => void send('save')}>
              {t('survey.save')}
            </button>
            <button type="button" onClick={() => void send('submit')}>
              {t(response.status === 'submitted' ? 'survey.amend' : 'survey.submit')}
            </button>
          </div>
        </fieldset>
      </form>
      {response.status === 'submitted' && (
        <p>
          <Link to={{ name: 'surveyResults', id: survey.id }}>{t('survey.myResults')}</Link>
        </p>
      )}
    </>
  );
}

/** The issuer's view of its survey: where it stands, issue it with a due date, close it, its questions. */
function SurveyAdmin(props: { survey: SurveyView; session: Session; reload: () => Promise<void> }) {
  const t = useT();
  const current = useStore(lang);
  const time = useFormatTime();
  const { survey } = props;
  const [dueAt, setDueAt] = useState('');
  const [dueError, setDueError] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState(false);
  const path = `/surveys/${encodeURIComponent(survey.id)}`;
  const issue = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const at = instantOf(dueAt);
    if (!at || Date.parse(at) <= Date.now()) return setDueError(t('survey.error.due'));
    setDueError(undefined);
    setBusy(true);
    try {
      await apiCall('POST', `${path}/issue`, { body: { dueAt: at }, idempotencyKey: newIdempotencyKey() });
      setIssued(true);
      await props.reload();
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 400) setDueError(t('survey.error.due'));
      else setProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };
  const close = async () => {
    setProblem(null);
    setBusy(true);
    try {
      await apiCall('POST', `${path}/close`, { body: {}, idempotencyKey: newIdempotencyKey() });
      await props.reload();
    } catch (error) {
      setProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };
  // Only the survey's owner issues, edits and closes it (a secretariat also sees NISC's surveys of its sector).
  const canAct = survey.owner === props.session.role;
  const message = useStore(flash);
  return (
    <>
      <dl class="details">
        <dt>{t('survey.sectors')}</dt>
        <dd>{survey.sectors.join(', ')}</dd>
        {survey.issuedAt && (
          <>
            <dt>{t('survey.issuedAt')}</dt>
            <dd>{time(survey.issuedAt)}</dd>
          </>
        )}
        {survey.dueAt && (
          <>
            <dt>{t('survey.dueAt')}</dt>
            <dd>{time(survey.dueAt)}</dd>
          </>
        )}
        {survey.invited !== undefined && (
          <>
            <dt>{t('survey.invited')}</dt>
            <dd>{survey.invited}</dd>
          </>
        )}
        <dt>{t('survey.k')}</dt>
        <dd>{survey.k}</dd>
      </dl>
      {problem && <Notice kind="error">{problem}</Notice>}
      {issued && <Notice kind="info">{t('survey.issued')}</Notice>}
      {message && <Notice kind="info">{t(message.key, message.params)}</Notice>}
      {canAct && survey.status === 'draft' && (
        <form class="card form" onSubmit={issue} noValidate aria-labelledby="issue-survey">
          <h2 id="issue-survey">{t('survey.issue')}</h2>
          <FormField id="survey-dueAt" label={t('survey.dueAt')} error={dueError} required>
            <input
              type="datetime-local"
              value={dueAt}
              onInput={(e) => setDueAt(e.currentTarget.value)}
              {...fieldAria('survey-dueAt', dueError)}
            />
          </FormField>
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t('survey.issue')}
            </button>
          </div>
        </form>
      )}
      {canAct && survey.status === 'open' && (
        <p>
          <button type="button" class="secondary" disabled={busy} onClick={() => void close()}>
            {t('survey.close')}
          </button>
        </p>
      )}
      {survey.status !== 'draft' && (
        <p>
          <Link to={{ name: 'surveyResults', id: survey.id }} class="button-link">
            {t('surveys.results')}
          </Link>
        </p>
      )}
      {props.session.role === 'secretariat' && survey.status !== 'draft' && (
        <SurveyRecipients id={survey.id} />
      )}
      <h2>{t('survey.questions')}</h2>
      {canAct && survey.status !== 'closed' && (
        <p>
          <Link to={{ name: 'editSurvey', id: survey.id }} class="button-link">
            {t('builder.edit')}
          </Link>
        </p>
      )}
      {survey.definition.sections.map((s) => (
        <section key={s.id} class="card">
          <h3>{s.title[current]}</h3>
          <ol>
            {s.questions.map((q) => (
              <li key={q.id}>
                {q.label[current]} <span class="badge">{t(`survey.kind.${q.kind}`)}</span>
                {q.required && <span class="required"> ({t('field.required')})</span>}
                {q.showIf && (
                  <span class="hint">
                    {' '}
                    {t('survey.showIf', { question: q.showIf.question, values: q.showIf.anyOf.join(', ') })}
                  </span>
                )}
              </li>
            ))}
          </ol>
        </section>
      ))}
    </>
  );
}

/**
 * The secretariat's members the survey went to: reached or not (the organisations to chase by phone
 * first), where each answer stands, and every message with its outcome and retried attempts.
 */
function SurveyRecipients(props: { id: string }) {
  const t = useT();
  const orgName = useOrgName();
  const time = useFormatTime();
  const path = `/surveys/${encodeURIComponent(props.id)}/recipients`;
  const polled = usePoll(() => apiCall<Recipients>('GET', path), [path]);
  const r = polled.data;
  const order = { failed: 0, pending: 1, reached: 2 } as const;
  return (
    <section aria-labelledby="survey-recipients">
      <h2 id="survey-recipients">{t('recipients.title')}</h2>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!r ? (
        <p>{t('app.loading')}</p>
      ) : r.items.length === 0 ? (
        <p>{t('recipients.empty')}</p>
      ) : (
        <>
          <p class="recipients-summary">
            {t('recipients.summary', {
              invited: r.invited,
              reached: r.reached,
              failed: r.failed,
              pending: r.pending,
              responded: r.responded,
            })}
          </p>
          <table class="recipients survey-recipients" aria-labelledby="survey-recipients">
            <thead>
              <tr>
                <th scope="col">{t('recipients.col.org')}</th>
                <th scope="col">{t('recipients.col.reach')}</th>
                <th scope="col">{t('recipients.col.response')}</th>
                <th scope="col">{t('recipients.col.messages')}</th>
              </tr>
            </thead>
            <tbody>
              {[...r.items]
                .sort((a, b) => order[a.reach] - order[b.reach] || a.org.localeCompare(b.org))
                .map((item) => (
                  <tr key={item.org} data-org={item.org} data-reach={item.reach}>
                    <th scope="row">{orgName(item.org)}</th>
                    <td class={`reach reach-${item.reach}`} data-label={t('recipients.col.reach')}>
                      {t(`recipients.reach.${item.reach}`)}
                    </td>
                    <td data-label={t('recipients.col.response')}>
                      {t(`recipients.response.${item.response}`)}
                      {item.submittedAt && ` ${time(item.submittedAt)}`}
                      {item.late && t('recipients.late')}
                    </td>
                    <td data-label={t('recipients.col.messages')}>
                      <details>
                        <summary>
                          {t('recipients.messages', {
                            n: new Set([...item.deliveries, ...item.attempts].map((m) => m.key)).size,
                          })}
                        </summary>
                        <MessageTable
                          titleId="survey-recipients"
                          deliveries={item.deliveries}
                          attempts={item.attempts}
                        />
                      </details>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

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
  const name = (id: string) =>
    id === 'all' ? t('results.total') : (sectors.find((x) => x.id === id)?.names[current] ?? id);
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
