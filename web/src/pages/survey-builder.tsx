import { useRef, useState } from 'preact/hooks';
import { tlpLabels } from '../../../events/fields.ts';
import { createSurveyBody, reviseSurveyBody } from '../../../events/survey/body.ts';
import { ApiError, apiCall, newIdempotencyKey } from '../api.ts';
import { ErrorSummary, FormField, fieldAria, TlpSelectField } from '../components/form.tsx';
import { PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { lang, useT } from '../i18n/lang.ts';
import type { FieldError } from '../report-form.ts';
import { navigate } from '../router.ts';
import { eachPath, errorsOf, serverErrorsOf } from '../secretariat-forms.ts';
import { useStore } from '../store.ts';
import {
  type BuilderFields,
  type BuilderQuestion,
  type BuilderSection,
  builderOf,
  emptyBuilder,
  emptyQuestion,
  instantOf,
  questionKinds,
  surveyBody,
} from '../survey-form.ts';
import type { SurveyView } from './survey-common.tsx';

/** A field's element id: `sv-` and its API path with dots as dashes. */
const sv = (path: string) => `sv-${path.replaceAll('.', '-')}`;

/** Every field path the builder shows, in the page's order (errors are listed in this order). */
function fieldPaths(f: BuilderFields): string[] {
  const d = 'definition';
  return [
    `${d}.title.ja`,
    `${d}.title.en`,
    'tlp',
    ...f.sections.flatMap((s, i) => [
      `${d}.sections.${i}.title.ja`,
      `${d}.sections.${i}.title.en`,
      ...s.questions.flatMap((q, j) => {
        const p = `${d}.sections.${i}.questions.${j}`;
        return [
          `${p}.label.ja`,
          `${p}.label.en`,
          ...(q.kind === 'single' || q.kind === 'multiple' ? [`${p}.options`] : []),
          ...(q.kind === 'number' ? [`${p}.min`, `${p}.max`] : []),
          `${p}.showIf.question`,
        ];
      }),
    ]),
    'dueAt',
  ];
}

/** An error's path read as the nearest field the builder shows (an option's label → the options box). */
function fieldOfPath(path: string, known: readonly string[]): string {
  if (path.endsWith('.showIf.anyOf') || path.includes('.showIf.anyOf.'))
    return path.replace(/\.showIf\.anyOf.*$/, '.showIf.question');
  let p = path;
  while (p !== '' && !known.includes(p)) p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '';
  return p === '' ? path : p;
}

/** The builder's errors, one per field it shows. */
function keyed(errors: Record<string, FieldError>, known: readonly string[]): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const [path, e] of Object.entries(errors)) {
    const field = fieldOfPath(path, known);
    out[field] ??= e;
  }
  return out;
}

/** The highest number any section or question id ends in (q1, s2…), so new ones never repeat one. */
function highestIdNumber(f: BuilderFields): number {
  const ids = f.sections.flatMap((s) => [s.id, ...s.questions.map((q) => q.id)]);
  return Math.max(1, ...ids.map((id) => Number(/(\d+)$/.exec(id)?.[1] ?? 0)));
}

/**
 * NISC, a ministry or a secretariat builds a survey: its title, sections and questions of each
 * kind (required or not, shown only on an earlier answer), then issues it with a due date, or
 * keeps it as a draft. The API's own schema checks it before anything is sent.
 */
export function NewSurveyPage() {
  return <SurveyBuilder initial={emptyBuilder()} />;
}

/**
 * The owner edits a survey that is not closed: the builder on its newest version, saved by
 * PUT /surveys/{id} as the next version (answers already given keep naming theirs).
 */
export function EditSurveyPage(props: { id: string }) {
  const t = useT();
  const path = `/surveys/${encodeURIComponent(props.id)}`;
  const polled = usePoll(() => apiCall<SurveyView>('GET', path), [path], false);
  const survey = polled.data;
  if (!survey) return <PageLoading title={t('builder.title')} error={polled.error} />;
  if (survey.status === 'closed')
    return (
      <section>
        <PageHeading>{t('builder.title')}</PageHeading>
        <Notice kind="error">{t('builder.closed')}</Notice>
        <Link to={{ name: 'survey', id: survey.id }}>{t('builder.backToSurvey')}</Link>
      </section>
    );
  return (
    <SurveyBuilder
      key={survey.surveyVersion}
      initial={builderOf(survey.definition, survey.tlp)}
      revise={survey}
    />
  );
}

function SurveyBuilder(props: { initial: BuilderFields; revise?: SurveyView }) {
  const t = useT();
  const current = useStore(lang);
  const { revise } = props;
  const [f, setF] = useState<BuilderFields>(props.initial);
  const [errors, setErrors] = useState<Record<string, FieldError>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const summaryRef = useRef<HTMLDivElement>(null);
  const counter = useRef(highestIdNumber(props.initial));
  const known = fieldPaths(f).filter((p) => !revise || (p !== 'tlp' && p !== 'dueAt'));
  const err = (path: string) => {
    const e = errors[path];
    return e ? t(e.key, e.params) : undefined;
  };
  const showErrors = (next: Record<string, FieldError>) => {
    setErrors(next);
    setTimeout(() => summaryRef.current?.focus(), 0);
  };
  const clear = (path: string) => setErrors(({ [path]: _fixed, ...rest }) => rest);
  const setSection = (i: number, change: Partial<BuilderSection>) =>
    setF((x) => ({ ...x, sections: x.sections.map((s, k) => (k === i ? { ...s, ...change } : s)) }));
  const setQuestion = (i: number, j: number, change: Partial<BuilderQuestion>) =>
    setF((x) => ({
      ...x,
      sections: x.sections.map((s, k) =>
        k === i ? { ...s, questions: s.questions.map((q, l) => (l === j ? { ...q, ...change } : q)) } : s,
      ),
    }));
  const nextQuestionId = () => {
    counter.current += 1;
    return `q${counter.current}`;
  };
  const earlier = (i: number, j: number) =>
    f.sections
      .flatMap((s, k) => s.questions.map((q, l) => ({ q, before: k < i || (k === i && l < j) })))
      .filter((x) => x.before && ['single', 'multiple', 'maturity', 'number'].includes(x.q.kind))
      .map((x) => x.q);

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const body = revise ? { definition: surveyBody(f).definition } : surveyBody(f);
    const parsed = (revise ? reviseSurveyBody() : createSurveyBody()).safeParse(body);
    const dueAt = instantOf(f.dueAt);
    const local: Record<string, FieldError> = parsed.success
      ? {}
      : keyed(errorsOf(parsed.error.issues, body, eachPath), known);
    if (f.dueAt !== '' && (!dueAt || Date.parse(dueAt) <= Date.now()))
      local.dueAt = { key: 'survey.error.due' };
    if (Object.keys(local).length > 0) return showErrors(local);
    setErrors({});
    setBusy(true);
    try {
      if (revise) {
        const saved = await apiCall<{ surveyVersion: number }>(
          'PUT',
          `/surveys/${encodeURIComponent(revise.id)}`,
          {
            body,
            idempotencyKey: key,
          },
        );
        flash.set(
          saved.surveyVersion > revise.surveyVersion
            ? { key: 'builder.saved', params: { n: saved.surveyVersion } }
            : { key: 'builder.unchanged', params: { n: saved.surveyVersion } },
        );
        navigate({ name: 'survey', id: revise.id });
        return;
      }
      const created = await apiCall<{ id: string }>('POST', '/surveys', { body, idempotencyKey: key });
      if (dueAt)
        await apiCall('POST', `/surveys/${encodeURIComponent(created.id)}/issue`, {
          body: { dueAt },
          idempotencyKey: `${key}-issue`,
        });
      navigate({ name: 'survey', id: created.id });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors)
        showErrors(keyed(serverErrorsOf(error.problem.errors, eachPath), known));
      else setProblem(describeError(error, t));
    }
  };

  const labelOf = (path: string): string => {
    const m = /sections\.(\d+)(?:\.questions\.(\d+))?\.?(.*)$/.exec(path);
    const leaf: Record<string, MessageKey> = {
      'title.ja': 'builder.titleJa',
      'title.en': 'builder.titleEn',
      'label.ja': 'builder.labelJa',
      'label.en': 'builder.labelEn',
      options: 'builder.options',
      min: 'builder.min',
      max: 'builder.max',
      'showIf.question': 'builder.showIf',
    };
    if (!m) {
      if (path === 'tlp') return t('field.tlp');
      if (path === 'dueAt') return t('survey.dueAt');
      const k = leaf[path.replace(/^definition\./, '')];
      return k ? t(k) : path;
    }
    const where =
      m[2] === undefined
        ? t('builder.section', { n: Number(m[1]) + 1 })
        : t('builder.question', { s: Number(m[1]) + 1, n: Number(m[2]) + 1 });
    const k = leaf[m[3] ?? ''];
    return `${where} ${k ? t(k) : (m[3] ?? '')}`;
  };
  const summary = [
    ...known.filter((p) => errors[p]),
    ...Object.keys(errors).filter((p) => !known.includes(p)),
  ].map((p) => ({ id: sv(p), text: `${labelOf(p)}: ${err(p)}` }));

  const text = (
    path: string,
    label: string,
    value: string,
    onInput: (v: string) => void,
    required = true,
  ) => (
    <FormField id={sv(path)} label={label} error={err(path)} required={required}>
      <input
        type="text"
        value={value}
        onInput={(e) => {
          onInput(e.currentTarget.value);
          clear(path);
        }}
        {...fieldAria(sv(path), err(path))}
      />
    </FormField>
  );

  return (
    <section>
      <PageHeading>
        {revise ? t('builder.edit.title', { title: revise.definition.title[current] }) : t('builder.title')}
      </PageHeading>
      <p>{revise ? t('builder.edit.intro', { n: revise.surveyVersion + 1 }) : t('builder.intro')}</p>
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorSummary
        title={t('report.errors', { n: summary.length })}
        items={summary}
        summaryRef={summaryRef}
      />
      <form class="card form survey-builder" onSubmit={submit} noValidate>
        <div class="row">
          {text('definition.title.ja', t('builder.titleJa'), f.titleJa, (v) =>
            setF((x) => ({ ...x, titleJa: v })),
          )}
          {text('definition.title.en', t('builder.titleEn'), f.titleEn, (v) =>
            setF((x) => ({ ...x, titleEn: v })),
          )}
        </div>
        <div class="row">
          <FormField id="sv-language" label={t('builder.language')} error={undefined} required>
            <select
              id="sv-language"
              value={f.language}
              onChange={(e) => setF((x) => ({ ...x, language: e.currentTarget.value as 'ja' | 'en' }))}
            >
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          </FormField>
          {!revise && (
            <TlpSelectField
              id={sv('tlp')}
              value={f.tlp}
              error={err('tlp')}
              onChange={(v) =>
                setF((x) => ({ ...x, tlp: (tlpLabels as readonly string[]).includes(v) ? v : x.tlp }))
              }
            />
          )}
        </div>
        {f.sections.map((s, i) => (
          <fieldset key={s.id} class="builder-section">
            <legend>{t('builder.section', { n: i + 1 })}</legend>
            <div class="row">
              {text(`definition.sections.${i}.title.ja`, t('builder.titleJa'), s.titleJa, (v) =>
                setSection(i, { titleJa: v }),
              )}
              {text(`definition.sections.${i}.title.en`, t('builder.titleEn'), s.titleEn, (v) =>
                setSection(i, { titleEn: v }),
              )}
            </div>
            {s.questions.map((q, j) => {
              const p = `definition.sections.${i}.questions.${j}`;
              const choices = earlier(i, j);
              return (
                <fieldset key={q.id} class="builder-question">
                  <legend>{t('builder.question', { s: i + 1, n: j + 1 })}</legend>
                  <div class="row">
                    <FormField id={sv(`${p}.kind`)} label={t('builder.kind')} error={undefined} required>
                      <select
                        id={sv(`${p}.kind`)}
                        value={q.kind}
                        onChange={(e) =>
                          setQuestion(i, j, { kind: e.currentTarget.value as BuilderQuestion['kind'] })
                        }
                      >
                        {questionKinds.map((k) => (
                          <option key={k} value={k}>
                            {t(`survey.kind.${k}`)}
                          </option>
                        ))}
                      </select>
                    </FormField>
                    <label class="choice">
                      <input
                        type="checkbox"
                        checked={q.required}
                        onChange={(e) => setQuestion(i, j, { required: e.currentTarget.checked })}
                      />{' '}
                      {t('builder.required')}
                    </label>
                  </div>
                  <div class="row">
                    {text(`${p}.label.ja`, t('builder.labelJa'), q.labelJa, (v) =>
                      setQuestion(i, j, { labelJa: v }),
                    )}
                    {text(`${p}.label.en`, t('builder.labelEn'), q.labelEn, (v) =>
                      setQuestion(i, j, { labelEn: v }),
                    )}
                  </div>
                  {(q.kind === 'single' || q.kind === 'multiple') && (
                    <FormField
                      id={sv(`${p}.options`)}
                      label={t('builder.options')}
                      hint={t('builder.options.hint')}
                      error={err(`${p}.options`)}
                      required
                    >
                      <textarea
                        rows={4}
                        value={q.options}
                        onInput={(e) => {
                          setQuestion(i, j, { options: e.currentTarget.value });
                          clear(`${p}.options`);
                        }}
                        {...fieldAria(sv(`${p}.options`), err(`${p}.options`), true)}
                      />
                    </FormField>
                  )}
                  {q.kind === 'number' && (
                    <div class="row">
                      {(['min', 'max'] as const).map((k) => (
                        <FormField
                          key={k}
                          id={sv(`${p}.${k}`)}
                          label={t(`builder.${k}`)}
                          error={err(`${p}.${k}`)}
                        >
                          <input
                            type="number"
                            value={q[k]}
                            onInput={(e) => {
                              setQuestion(i, j, { [k]: e.currentTarget.value });
                              clear(`${p}.${k}`);
                            }}
                            {...fieldAria(sv(`${p}.${k}`), err(`${p}.${k}`))}
                          />
                        </FormField>
                      ))}
                    </div>
                  )}
                  {choices.length > 0 && (
                    <div class="row">
                      <FormField
                        id={sv(`${p}.showIf.question`)}
                        label={t('builder.showIf')}
                        error={err(`${p}.showIf.question`)}
                      >
                        <select
                          value={q.showIfQuestion}
                          onChange={(e) => {
                            setQuestion(i, j, { showIfQuestion: e.currentTarget.value });
                            clear(`${p}.showIf.question`);
                          }}
                          {...fieldAria(sv(`${p}.showIf.question`), err(`${p}.showIf.question`))}
                        >
                          <option value="">{t('builder.showIf.always')}</option>
                          {choices.map((c) => (
                            <option key={c.id} value={c.id}>
                              {c.id}: {c.labelJa || c.labelEn}
                            </option>
                          ))}
                        </select>
                      </FormField>
                      {q.showIfQuestion !== '' && (
                        <FormField
                          id={sv(`${p}.showIf.values`)}
                          label={t('builder.showIf.values')}
                          hint={t('builder.showIf.values.hint')}
                          error={undefined}
                        >
                          <input
                            type="text"
                            value={q.showIfValues}
                            onInput={(e) => setQuestion(i, j, { showIfValues: e.currentTarget.value })}
                            {...fieldAria(sv(`${p}.showIf.values`), undefined, true)}
                          />
                        </FormField>
                      )}
                    </div>
                  )}
                  {s.questions.length > 1 && (
                    <button
                      type="button"
                      class="secondary small"
                      onClick={() => setSection(i, { questions: s.questions.filter((_q, l) => l !== j) })}
                    >
                      {t('builder.removeQuestion')}
                    </button>
                  )}
                </fieldset>
              );
            })}
            <div class="actions">
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  setSection(i, { questions: [...s.questions, emptyQuestion(nextQuestionId())] })
                }
              >
                {t('builder.addQuestion')}
              </button>
              {f.sections.length > 1 && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() => setF((x) => ({ ...x, sections: x.sections.filter((_s, k) => k !== i) }))}
                >
                  {t('builder.removeSection')}
                </button>
              )}
            </div>
          </fieldset>
        ))}
        <p>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              setF((x) => ({
                ...x,
                sections: [
                  ...x.sections,
                  {
                    id: `s${counter.current + 1}`,
                    titleJa: '',
                    titleEn: '',
                    questions: [emptyQuestion(nextQuestionId())],
                  },
                ],
              }))
            }
          >
            {t('builder.addSection')}
          </button>
        </p>
        {!revise && (
          <FormField
            id={sv('dueAt')}
            label={t('survey.dueAt')}
            hint={t('builder.dueAt.hint')}
            error={err('dueAt')}
          >
            <input
              type="datetime-local"
              value={f.dueAt}
              onInput={(e) => {
                setF((x) => ({ ...x, dueAt: e.currentTarget.value }));
                clear('dueAt');
              }}
              {...fieldAria(sv('dueAt'), err('dueAt'), true)}
            />
          </FormField>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t(revise ? 'builder.save' : f.dueAt === '' ? 'builder.create' : 'builder.createAndIssue')}
          </button>
          {revise && <Link to={{ name: 'survey', id: revise.id }}>{t('builder.backToSurvey')}</Link>}
        </div>
      </form>
    </section>
  );
}
