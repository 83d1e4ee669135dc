import { useRef, useState } from 'preact/hooks';
import type { recipientsSchema, responseViewSchema } from '../../../events/api/survey.ts';
import { MATURITY_LEVELS } from '../../../events/survey/definition.ts';
import type * as z from '../../../events/zod.ts';
import { ApiError, apiCall, newIdempotencyKey } from '../api.ts';
import { MessageTable } from '../components/deliveries.tsx';
import { describedBy, ErrorSummary, FormField, fieldAria, HintAndError } from '../components/form.tsx';
import { PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading, TlpLabel, useFormatTime, useOrgName } from '../components/ui.tsx';
import { messageRows } from '../deliveries.ts';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { usePoll } from '../hooks.ts';
import { lang, useT } from '../i18n/lang.ts';
import type { FieldError } from '../report-form.ts';
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

import { maturityKey, type SurveyRow, SurveyStatus, type SurveyView } from './survey-common.tsx';

type ResponseView = z.output<typeof responseViewSchema>;
type Recipients = z.output<typeof recipientsSchema>;

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
                            n: messageRows(item.deliveries, item.attempts).length,
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
