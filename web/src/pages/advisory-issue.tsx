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
import { defaultSector, SectorChoice } from '../components/sector-choice.tsx';
import { Notice, PageHeading, useOrgName } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { lang, useT } from '../i18n/lang.ts';
import { navigate } from '../router.ts';
import { useSectors } from '../sectors.ts';
import { useStore } from '../store.ts';

const labelOf: Record<AdvisoryField, MessageKey> = {
  title: 'issue.field.title',
  body: 'issue.field.body',
  tlp: 'field.tlp',
  severity: 'field.severity',
  ackWithinHours: 'issue.field.ackWithinHours',
  audience: 'issue.field.audience',
  drill: 'issue.field.drill',
  sector: 'issue.field.sector',
  sectors: 'issue.field.sectors',
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

interface OrgRow {
  readonly org: string;
  readonly kind: string;
  readonly name: { readonly ja: string; readonly en: string };
}

/**
 * POST /advisories: checked with the API's own schema before anything is sent; the API's 400 per field.
 * NISC and a ministry (who see several sectors) choose where it goes: one sector, several or all; several
 * or all fork it into one chain per sector (the fork's page then shows each sector's transmission).
 */
export function IssueAdvisoryPage() {
  const t = useT();
  const current = useStore(lang);
  const orgName = useOrgName();
  const config = useStore(configStore);
  const [fields, setFields] = useState<AdvisoryFields>(emptyAdvisoryFields);
  const visible = useSectors();
  const sectorRows = visible.data?.items ?? [];
  const spansSectors = sectorRows.length > 1;
  const oneSector = fields.sector || defaultSector(sectorRows);
  // Another sector's members come from the directory (the console's own list is the deployment's default sector's).
  const sectorOrgs = usePoll(
    () =>
      spansSectors && oneSector
        ? apiCall<{ items: OrgRow[] }>(
            'GET',
            `/directory/organizations?sector=${encodeURIComponent(oneSector)}`,
          )
        : Promise.resolve(null),
    [spansSectors, oneSector],
    false,
  );
  const members: { id: string; name: string }[] = spansSectors
    ? (sectorOrgs.data?.items ?? [])
        .filter((o) => o.kind === 'member')
        .map((o) => ({ id: o.org, name: o.name[current] }))
    : (config?.organisations ?? [])
        .filter((o) => o.kind === 'member')
        .map((o) => ({ id: o.id, name: orgName(o.id) }));
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
    const checked = validateAdvisory({
      ...fields,
      sector: spansSectors && fields.sectorMode === 'one' ? oneSector : '',
    });
    if (!checked.ok) {
      showErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      // An advisory to several sectors answers with its parent (kind `fork`), which the same page shows.
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
        {spansSectors && (
          <SectorChoice
            id={idOf('sectors')}
            sectorId={idOf('sector')}
            name="sectors"
            rows={sectorRows}
            mode={fields.sectorMode}
            onMode={(mode) => set('sectorMode', mode)}
            sector={oneSector}
            onSector={(sector) => setFields((f) => ({ ...f, sector, audience: [] }))}
            sectors={fields.sectors}
            onSectors={(sectors) => set('sectors', sectors)}
            error={err('sectors')}
            sectorError={err('sector')}
          />
        )}
        {fields.sectorMode !== 'one' ? (
          <p class="hint">{t('issue.sectors.audience')}</p>
        ) : (
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
                    {o.name}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
        )}
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
