import { useEffect, useRef, useState } from 'preact/hooks';
import { planInputSchema } from '../../../events/activity/plan.ts';
import type { planSchema } from '../../../events/api/report.ts';
import type * as z from '../../../events/zod.ts';
import { ApiError, apiCall, newIdempotencyKey } from '../api.ts';
import { ErrorSummary, FormField, fieldAria } from '../components/form.tsx';
import { PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading, useFormatTime } from '../components/ui.tsx';
import { downloadFile } from '../csv-download.ts';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import { lang, useT } from '../i18n/lang.ts';
import type { FieldError } from '../report-form.ts';
import { eachPath, errorsOf, serverErrorsOf } from '../secretariat-forms.ts';
import { useSectors } from '../sectors.ts';
import type { Session } from '../session.ts';
import { useStore } from '../store.ts';
import { currentFiscalYear, FiscalYearSelect } from './year-common.tsx';

type Plan = z.output<typeof planSchema>;
/**
 * The fiscal-year activity report (年度活動報告・次年度活動計画) of a sector: the API's HTML shown in
 * a sandboxed frame (it has no script and loads nothing), a PDF to download, and for the
 * secretariat the way to next year's plan. Before any signed checkpoint the API has no report (409).
 */
export function AnnualReportPage(props: { session: Session }) {
  const t = useT();
  const current = useStore(lang);
  const sectors = useSectors();
  const [sector, setSector] = useState<string | null>(null);
  // The last year that has ended is the one a report is usually wanted for; this year's is a draft.
  const [fy, setFy] = useState(() => currentFiscalYear());
  const [html, setHtml] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pdfProblem, setPdfProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen =
    sector ?? sectors.data?.items.find((s) => s.id === 'chemical')?.id ?? sectors.data?.items[0]?.id;
  const path = chosen ? `/reports/${encodeURIComponent(chosen)}/${fy}?lang=${current}` : null;
  useEffect(() => {
    if (!path) return;
    let live = true;
    setHtml(null);
    setProblem(null);
    apiCall<string>('GET', path, { accept: 'text/html' }).then(
      (text) => live && setHtml(text),
      (error: unknown) =>
        live &&
        setProblem(
          error instanceof ApiError && error.problem.status === 409
            ? t('annual.noCheckpoint')
            : describeError(error, t),
        ),
    );
    return () => {
      live = false;
    };
  }, [path]);
  if (!sectors.data) return <PageLoading title={t('annual.title')} error={sectors.error} />;
  const pdf = async () => {
    if (!path || !chosen) return;
    setPdfProblem(null);
    setBusy(true);
    try {
      await downloadFile(path, 'application/pdf', `report-${chosen}-${fy}-${current}.pdf`);
    } catch (error) {
      setPdfProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <PageHeading>{t('annual.title')}</PageHeading>
      <p>{t('annual.intro')}</p>
      <div class="row">
        {sectors.data.items.length > 1 && (
          <div class="field inline-field">
            <label for="annual-sector">{t('annual.sector')}</label>
            <select id="annual-sector" value={chosen} onChange={(e) => setSector(e.currentTarget.value)}>
              {sectors.data.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.names[current]}
                </option>
              ))}
            </select>
          </div>
        )}
        <FiscalYearSelect id="annual-fy" value={fy} onChange={setFy} />
      </div>
      <div class="actions">
        <button type="button" onClick={() => void pdf()} disabled={busy || html === null}>
          {t('annual.pdf')}
        </button>
        {props.session.role === 'secretariat' && chosen && (
          <Link to={{ name: 'plan', sector: chosen, fy: String(fy) }} class="button-link">
            {t('annual.editPlan', { year: fy + 1 })}
          </Link>
        )}
      </div>
      {pdfProblem && <Notice kind="error">{pdfProblem}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      {html === null && !problem && <p>{t('app.loading')}</p>}
      {html !== null && (
        <iframe class="annual-report" title={t('annual.frame', { fy })} sandbox="" srcdoc={html} />
      )}
    </section>
  );
}

interface PlanSection {
  key: number;
  heading: string;
  body: string;
}

/** Next year's plan (次年度活動計画), the last part of the report: sections the secretariat drafts, each save an event. */
export function PlanPage(props: { sector: string; fy: string }) {
  const t = useT();
  const time = useFormatTime();
  const path = `/reports/${encodeURIComponent(props.sector)}/${encodeURIComponent(props.fy)}/plan`;
  const [sections, setSections] = useState<PlanSection[] | null>(null);
  const [saved, setSaved] = useState<Plan | null>(null);
  const [errors, setErrors] = useState<Record<string, FieldError>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const nextKey = useRef(0);
  const polled = usePoll(
    async () => {
      const plan = await apiCall<Plan>('GET', path);
      setSaved(plan);
      setSections(
        (s) =>
          s ??
          (plan.sections.length > 0 ? plan.sections : [{ heading: '', body: '' }]).map((x) => ({
            ...x,
            key: nextKey.current++,
          })),
      );
      return plan;
    },
    [path],
    false,
  );
  if (!sections || !saved)
    return <PageLoading title={t('plan.title', { year: Number(props.fy) + 1 })} error={polled.error} />;
  const id = (i: number, field: 'heading' | 'body') => `plan-sections-${i}-${field}`;
  const err = (path: string) => {
    const e = errors[path];
    return e ? t(e.key, e.params) : undefined;
  };
  const set = (i: number, change: Partial<PlanSection>) => {
    setSections((s) => (s ?? []).map((x, k) => (k === i ? { ...x, ...change } : x)));
    setErrors({});
  };
  const move = (i: number, by: number) =>
    setSections((s) => {
      const list = [...(s ?? [])];
      const [x] = list.splice(i, 1);
      if (x) list.splice(i + by, 0, x);
      return list;
    });
  const show = (next: Record<string, FieldError>) => {
    setErrors(next);
    setTimeout(() => summaryRef.current?.focus(), 0);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    setProblem(null);
    const body = { sections: sections.map(({ heading, body }) => ({ heading, body })) };
    const parsed = planInputSchema().safeParse(body);
    if (!parsed.success) return show(errorsOf(parsed.error.issues, body, eachPath));
    setBusy(true);
    try {
      const plan = await apiCall<Plan & { changed: boolean }>('PUT', path, {
        body: parsed.data,
        idempotencyKey: newIdempotencyKey(),
      });
      setSaved(plan);
      setErrors({});
      setNotice(t(plan.changed ? 'plan.saved' : 'plan.unchanged'));
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors)
        show(serverErrorsOf(error.problem.errors, eachPath));
      else setProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };
  const summary = sections.flatMap((_s, i) =>
    (['heading', 'body'] as const).flatMap((f) => {
      const e = err(`sections.${i}.${f}`);
      return e ? [{ id: id(i, f), text: `${t('plan.section', { n: i + 1 })} ${t(`plan.${f}`)}: ${e}` }] : [];
    }),
  );
  return (
    <section>
      <PageHeading>{t('plan.title', { year: saved.planYear })}</PageHeading>
      <p>{t('plan.intro', { fy: saved.fiscalYear, year: saved.planYear })}</p>
      <p class="plan-status" role="status">
        {saved.savedAt
          ? t('plan.savedAt', { time: time(saved.savedAt), version: saved.version })
          : t('plan.never')}
      </p>
      {notice && <Notice kind="info">{notice}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorSummary
        title={t('report.errors', { n: summary.length })}
        items={summary}
        summaryRef={summaryRef}
      />
      <form class="card form plan-form" onSubmit={save} noValidate>
        {sections.map((s, i) => (
          <fieldset key={s.key} class="plan-section">
            <legend>{t('plan.section', { n: i + 1 })}</legend>
            <FormField
              id={id(i, 'heading')}
              label={t('plan.heading')}
              error={err(`sections.${i}.heading`)}
              required
            >
              <input
                type="text"
                maxLength={200}
                value={s.heading}
                onInput={(e) => set(i, { heading: e.currentTarget.value })}
                {...fieldAria(id(i, 'heading'), err(`sections.${i}.heading`))}
              />
            </FormField>
            <FormField id={id(i, 'body')} label={t('plan.body')} error={err(`sections.${i}.body`)}>
              <textarea
                rows={6}
                value={s.body}
                onInput={(e) => set(i, { body: e.currentTarget.value })}
                {...fieldAria(id(i, 'body'), err(`sections.${i}.body`))}
              />
            </FormField>
            <div class="actions">
              {i > 0 && (
                <button type="button" class="secondary small" onClick={() => move(i, -1)}>
                  {t('plan.up')}
                </button>
              )}
              {i < sections.length - 1 && (
                <button type="button" class="secondary small" onClick={() => move(i, 1)}>
                  {t('plan.down')}
                </button>
              )}
              <button
                type="button"
                class="secondary small"
                onClick={() => setSections((x) => (x ?? []).filter((_s, k) => k !== i))}
              >
                {t('plan.remove')}
              </button>
            </div>
          </fieldset>
        ))}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() =>
              setSections((x) => [...(x ?? []), { key: nextKey.current++, heading: '', body: '' }])
            }
          >
            {t('plan.add')}
          </button>
          <button type="submit" disabled={busy}>
            {t('plan.save')}
          </button>
        </div>
      </form>
      <p>
        <Link to={{ name: 'annualReport' }}>{t('plan.back')}</Link>
      </p>
    </section>
  );
}
