import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { severities } from '../../../events/policy.ts';
import {
  type AdvisoryField,
  type AdvisoryFields,
  advisoryFieldOf,
  advisoryFieldOrder,
  emptyAdvisoryFields,
  validateAdvisory,
} from '../advisory-form.ts';
import { apiCall, configStore, newIdempotencyKey } from '../api.ts';
import {
  describedBy,
  ErrorSummary,
  FormField,
  fieldErrorsOf,
  HintAndError,
  TlpRadios,
  useFieldErrors,
} from '../components/form.tsx';
import { Notice, PageHeading, useOrgName } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';

const labelOf: Record<AdvisoryField, MessageKey> = {
  title: 'issue.field.title',
  body: 'issue.field.body',
  tlp: 'field.tlp',
  severity: 'field.severity',
  ackWithinHours: 'issue.field.ackWithinHours',
  audience: 'issue.field.audience',
  drill: 'issue.field.drill',
};

const idOf = (field: AdvisoryField) => `advisory-${field}`;

const described = (field: AdvisoryField, error: string | undefined, hint = false) =>
  describedBy(idOf(field), error, hint);

function Labelled(props: {
  field: AdvisoryField;
  hint?: string;
  error: string | undefined;
  children: ComponentChildren;
}) {
  const t = useT();
  const { field, ...rest } = props;
  return <FormField id={idOf(field)} label={t(labelOf[field])} required {...rest} />;
}

/** POST /advisories: checked with the API's own schema before anything is sent; the API's 400 per field. */
export function IssueAdvisoryPage() {
  const t = useT();
  const orgName = useOrgName();
  const config = useStore(configStore);
  const members = (config?.organisations ?? []).filter((o) => o.kind === 'member');
  const [fields, setFields] = useState<AdvisoryFields>(emptyAdvisoryFields);
  const [key] = useState(newIdempotencyKey);
  const {
    errors,
    setErrors,
    show: showErrors,
    text: err,
    summaryRef: summary,
  } = useFieldErrors<AdvisoryField>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = <K extends keyof AdvisoryFields>(name: K, value: AdvisoryFields[K]) =>
    setFields((f) => ({ ...f, [name]: value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const checked = validateAdvisory(fields);
    if (!checked.ok) {
      showErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const created = await apiCall<{ id: string }>('POST', '/advisories', {
        body: checked.body,
        idempotencyKey: key,
      });
      flash.set({ key: 'issue.sent' });
      navigate({ name: 'advisory', id: created.id });
    } catch (error) {
      setBusy(false);
      const fieldErrors = fieldErrorsOf(error, advisoryFieldOf);
      if (fieldErrors) showErrors(fieldErrors);
      else setProblem(describeError(error, t));
    }
  };

  const errorList = advisoryFieldOrder.filter((f) => errors[f]);

  return (
    <section>
      <PageHeading>{t('issue.title')}</PageHeading>
      <p>{t('issue.intro')}</p>
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorSummary
        title={t('report.errors', { n: errorList.length })}
        items={errorList.map((f) => ({ id: idOf(f), text: `${t(labelOf[f])}: ${err(f)}` }))}
        summaryRef={summary}
      />
      <form class="card form" onSubmit={submit} noValidate>
        <Labelled field="title" error={err('title')}>
          <input
            id={idOf('title')}
            type="text"
            maxLength={200}
            value={fields.title}
            onInput={(e) => set('title', e.currentTarget.value)}
            {...described('title', err('title'))}
          />
        </Labelled>
        <fieldset id={idOf('tlp')} tabIndex={-1} {...described('tlp', err('tlp'), true)}>
          <legend>
            {t('field.tlp')} <span class="required">({t('field.required')})</span>
          </legend>
          <HintAndError id={idOf('tlp')} hint={t('field.tlp.hint')} error={err('tlp')} />
          <TlpRadios value={fields.tlp} onChange={(l) => set('tlp', l)} />
        </fieldset>
        <div class="row">
          <Labelled field="severity" hint={t('issue.field.severity.hint')} error={err('severity')}>
            <select
              id={idOf('severity')}
              value={fields.severity}
              onChange={(e) => set('severity', e.currentTarget.value)}
              {...described('severity', err('severity'), true)}
            >
              {severities.map((s) => (
                <option key={s} value={s}>
                  {t(`severity.${s}`)}
                </option>
              ))}
            </select>
          </Labelled>
          <Labelled
            field="ackWithinHours"
            hint={t('issue.field.ackWithinHours.hint')}
            error={err('ackWithinHours')}
          >
            <input
              id={idOf('ackWithinHours')}
              type="text"
              inputMode="decimal"
              value={fields.ackWithinHours}
              onInput={(e) => set('ackWithinHours', e.currentTarget.value)}
              {...described('ackWithinHours', err('ackWithinHours'), true)}
            />
          </Labelled>
        </div>
        <fieldset id={idOf('audience')} tabIndex={-1} {...described('audience', err('audience'))}>
          <legend>
            {t('issue.field.audience')} <span class="required">({t('field.required')})</span>
          </legend>
          <HintAndError id={idOf('audience')} error={err('audience')} />
          {(['all', 'chosen'] as const).map((mode) => (
            <label key={mode} class="choice">
              <input
                type="radio"
                name="audienceMode"
                value={mode}
                checked={fields.audienceMode === mode}
                onChange={() => set('audienceMode', mode)}
              />
              {t(`issue.audience.${mode}`)}
            </label>
          ))}
          {fields.audienceMode === 'chosen' && (
            <div class="audience-orgs">
              {members.map((o) => (
                <label key={o.id} class="choice">
                  <input
                    type="checkbox"
                    name="audience"
                    value={o.id}
                    checked={fields.audience.includes(o.id)}
                    onChange={(e) =>
                      set(
                        'audience',
                        e.currentTarget.checked
                          ? [...fields.audience, o.id]
                          : fields.audience.filter((x) => x !== o.id),
                      )
                    }
                  />
                  {orgName(o.id)}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <Labelled field="body" error={err('body')}>
          <textarea
            id={idOf('body')}
            rows={8}
            value={fields.body}
            onInput={(e) => set('body', e.currentTarget.value)}
            {...described('body', err('body'))}
          />
        </Labelled>
        <label class="choice">
          <input
            id={idOf('drill')}
            type="checkbox"
            checked={fields.drill}
            onChange={(e) => set('drill', e.currentTarget.checked)}
          />
          {t('issue.field.drill')}
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('issue.sending') : t('issue.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
