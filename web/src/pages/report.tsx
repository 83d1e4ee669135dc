import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { affectedSystemKinds, categories } from '../../../events/incident/report.ts';
import { severities } from '../../../events/policy.ts';
import { ApiError, apiCall, newIdempotencyKey, OfflineError } from '../api.ts';
import {
  describedBy,
  ErrorSummary,
  FormField,
  fieldErrorsOf,
  TlpRadios,
  useFieldErrors,
} from '../components/form.tsx';
import { Notice, PageHeading, useFormatTime } from '../components/ui.tsx';
import { clearDraft, loadDraft, saveDraft } from '../draft.ts';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import {
  emptyReportFields,
  fieldOfPath,
  type ReportFields,
  reportFieldOrder,
  validateReport,
} from '../report-form.ts';
import { navigate } from '../router.ts';
import type { Session } from '../session.ts';

const labelOf: Record<keyof ReportFields, MessageKey> = {
  title: 'field.title',
  description: 'field.description',
  category: 'field.category',
  severity: 'field.severity',
  occurredAt: 'field.occurredAt',
  detectedAt: 'field.detectedAt',
  affectedSystems: 'field.affectedSystems',
  tlp: 'field.tlp',
  contactName: 'field.contact.name',
  contactEmail: 'field.contact.email',
  contactPhone: 'field.contact.phone',
};

const idOf = (field: keyof ReportFields) => `report-${field}`;
const aria = (field: keyof ReportFields, error: string | undefined, hint = false) =>
  describedBy(idOf(field), error, hint);

function Field(props: {
  name: keyof ReportFields;
  label: string;
  hint?: string;
  error: string | undefined;
  required?: boolean;
  children: ComponentChildren;
}) {
  const { name, ...rest } = props;
  return <FormField id={idOf(name)} {...rest} />;
}

/** POST /incidents: validated with the API's own schema before anything is sent; a draft survives failures. */
export function ReportPage(props: { session: Session }) {
  const t = useT();
  const time = useFormatTime();
  const { sub } = props.session;
  const [restored] = useState(() => loadDraft(sub));
  const [fields, setFields] = useState<ReportFields>(() => restored?.fields ?? emptyReportFields());
  const [key, setKey] = useState(() => restored?.idempotencyKey ?? newIdempotencyKey());
  const {
    errors,
    setErrors,
    show: showErrors,
    text: err,
    summaryRef: summary,
  } = useFieldErrors<keyof ReportFields>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    if (touched) saveDraft(sub, { fields, idempotencyKey: key, savedAt: new Date().toISOString() });
  }, [fields, touched]);

  const set = <K extends keyof ReportFields>(name: K, value: ReportFields[K]) => {
    setTouched(true);
    setFields((f) => ({ ...f, [name]: value }));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const checked = validateReport(fields);
    if (!checked.ok) {
      showErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    // The draft is on disk before the request leaves: a dropped connection loses nothing.
    saveDraft(sub, { fields, idempotencyKey: key, savedAt: new Date().toISOString() });
    try {
      const created = await apiCall<{ id: string }>('POST', '/incidents', {
        body: checked.body,
        idempotencyKey: key,
      });
      clearDraft(sub);
      flash.set({ key: 'report.sent' });
      navigate({ name: 'incident', id: created.id });
    } catch (error) {
      setBusy(false);
      const fieldErrors = fieldErrorsOf(error, fieldOfPath);
      if (fieldErrors) {
        showErrors(fieldErrors);
      } else if (
        error instanceof OfflineError ||
        (error instanceof ApiError && error.problem.status >= 500)
      ) {
        setProblem(t('report.offline'));
      } else {
        setProblem(describeError(error, t));
      }
    }
  };

  const discard = () => {
    clearDraft(sub);
    setFields(emptyReportFields());
    setKey(newIdempotencyKey());
    setErrors({});
    setTouched(false);
  };

  const errorList = reportFieldOrder.filter((f) => errors[f]);

  return (
    <section>
      <PageHeading>{t('report.title')}</PageHeading>
      <p>{t('report.intro')}</p>
      {restored && touched === false && (
        <Notice kind="info">
          {t('report.draftRestored', { time: time(restored.savedAt) })}{' '}
          <button type="button" class="link" onClick={discard}>
            {t('report.discardDraft')}
          </button>
        </Notice>
      )}
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorSummary
        title={t('report.errors', { n: errorList.length })}
        items={errorList.map((f) => ({ id: idOf(f), text: `${t(labelOf[f])}: ${err(f)}` }))}
        summaryRef={summary}
      />
      <form class="card form" onSubmit={submit} noValidate>
        <Field name="title" label={t('field.title')} error={err('title')} required>
          <input
            id={idOf('title')}
            type="text"
            value={fields.title}
            maxLength={200}
            onInput={(e) => set('title', e.currentTarget.value)}
            {...aria('title', err('title'))}
          />
        </Field>
        <div class="row">
          <Field name="category" label={t('field.category')} error={err('category')} required>
            <select
              id={idOf('category')}
              value={fields.category}
              onChange={(e) => set('category', e.currentTarget.value)}
              {...aria('category', err('category'))}
            >
              <option value="">{t('field.choose')}</option>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {t(`category.${c}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            name="severity"
            label={t('field.severity')}
            hint={t('field.severity.hint')}
            error={err('severity')}
            required
          >
            <select
              id={idOf('severity')}
              value={fields.severity}
              onChange={(e) => set('severity', e.currentTarget.value)}
              {...aria('severity', err('severity'), true)}
            >
              <option value="">{t('field.choose')}</option>
              {severities.map((s) => (
                <option key={s} value={s}>
                  {t(`severity.${s}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div class="row">
          <Field name="occurredAt" label={t('field.occurredAt')} error={err('occurredAt')} required>
            <input
              id={idOf('occurredAt')}
              type="datetime-local"
              value={fields.occurredAt}
              onInput={(e) => set('occurredAt', e.currentTarget.value)}
              {...aria('occurredAt', err('occurredAt'))}
            />
          </Field>
          <Field name="detectedAt" label={t('field.detectedAt')} error={err('detectedAt')} required>
            <input
              id={idOf('detectedAt')}
              type="datetime-local"
              value={fields.detectedAt}
              onInput={(e) => set('detectedAt', e.currentTarget.value)}
              {...aria('detectedAt', err('detectedAt'))}
            />
          </Field>
        </div>
        <fieldset
          id={idOf('affectedSystems')}
          tabIndex={-1}
          aria-describedby={err('affectedSystems') ? `${idOf('affectedSystems')}-error` : undefined}
        >
          <legend>
            {t('field.affectedSystems')} <span class="required">({t('field.required')})</span>
          </legend>
          {err('affectedSystems') && (
            <p class="field-error" id={`${idOf('affectedSystems')}-error`}>
              {err('affectedSystems')}
            </p>
          )}
          {affectedSystemKinds.map((s) => (
            <label key={s} class="choice">
              <input
                type="checkbox"
                name="affectedSystems"
                value={s}
                checked={fields.affectedSystems.includes(s)}
                onChange={(e) =>
                  set(
                    'affectedSystems',
                    e.currentTarget.checked
                      ? [...fields.affectedSystems, s]
                      : fields.affectedSystems.filter((x) => x !== s),
                  )
                }
              />
              {t(`system.${s}`)}
            </label>
          ))}
        </fieldset>
        <fieldset
          id={idOf('tlp')}
          tabIndex={-1}
          aria-describedby={[`${idOf('tlp')}-hint`, err('tlp') ? `${idOf('tlp')}-error` : '']
            .filter(Boolean)
            .join(' ')}
        >
          <legend>
            {t('field.tlp')} <span class="required">({t('field.required')})</span>
          </legend>
          <p class="hint" id={`${idOf('tlp')}-hint`}>
            {t('field.tlp.hint')}
          </p>
          {err('tlp') && (
            <p class="field-error" id={`${idOf('tlp')}-error`}>
              {err('tlp')}
            </p>
          )}
          <TlpRadios value={fields.tlp} onChange={(l) => set('tlp', l)} />
        </fieldset>
        <Field
          name="description"
          label={t('field.description')}
          hint={t('field.description.hint')}
          error={err('description')}
          required
        >
          <textarea
            id={idOf('description')}
            rows={6}
            value={fields.description}
            onInput={(e) => set('description', e.currentTarget.value)}
            {...aria('description', err('description'), true)}
          />
        </Field>
        <fieldset>
          <legend>{t('field.contact')}</legend>
          <Field name="contactName" label={t('field.contact.name')} error={err('contactName')} required>
            <input
              id={idOf('contactName')}
              type="text"
              autocomplete="name"
              value={fields.contactName}
              onInput={(e) => set('contactName', e.currentTarget.value)}
              {...aria('contactName', err('contactName'))}
            />
          </Field>
          <Field name="contactEmail" label={t('field.contact.email')} error={err('contactEmail')} required>
            <input
              id={idOf('contactEmail')}
              type="email"
              autocomplete="email"
              value={fields.contactEmail}
              onInput={(e) => set('contactEmail', e.currentTarget.value)}
              {...aria('contactEmail', err('contactEmail'))}
            />
          </Field>
          <Field name="contactPhone" label={t('field.contact.phone')} error={err('contactPhone')}>
            <input
              id={idOf('contactPhone')}
              type="tel"
              autocomplete="tel"
              value={fields.contactPhone}
              onInput={(e) => set('contactPhone', e.currentTarget.value)}
              {...aria('contactPhone', err('contactPhone'))}
            />
          </Field>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('report.sending') : t('report.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
