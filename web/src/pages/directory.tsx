import { useState } from 'preact/hooks';
import type { AdvisoryStatus } from '../../../events/advisory/advisory.ts';
import { channels, type OrganizationEntry, orgKinds } from '../../../events/directory/directory.ts';
import { ApiError, apiCall, newIdempotencyKey } from '../api.ts';
import { FieldErrorSummary, FormField, fieldAria, fieldId, useFieldErrors } from '../components/form.tsx';
import { AdvisoryStatusBadge, DrillMark, PageLoading, Updated } from '../components/status.tsx';
import { Link, Notice, PageHeading, useFormatTime } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { lang, useT } from '../i18n/lang.ts';
import { navigate } from '../router.ts';
import {
  type ContactFields,
  contactTextFields,
  emptyContact,
  type OrganizationFields,
  organizationFieldOrder,
  organizationFields,
  organizationServerErrors,
  validateOrganization,
} from '../secretariat-forms.ts';
import { useStore } from '../store.ts';

/** A row of GET /directory/organizations. */
interface OrganizationRow {
  readonly org: string;
  readonly kind: (typeof orgKinds)[number];
  readonly name: { ja: string; en: string };
  readonly contacts: number;
  readonly channels: (typeof channels)[number][];
  readonly twoRoutes: boolean;
}

/** Every organisation of the directory, each a link to its entry. */
export function DirectoryPage() {
  const t = useT();
  const current = useStore(lang);
  const polled = usePoll(() => apiCall<{ items: OrganizationRow[] }>('GET', '/directory/organizations'), []);
  const rows = polled.data?.items;
  return (
    <section>
      <PageHeading>{t('directory.title')}</PageHeading>
      <p>{t('directory.intro')}</p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!rows ? (
        <p>{t('app.loading')}</p>
      ) : (
        <div class="table-wrap">
          <table class="data directory">
            <caption class="sr-only">{t('directory.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('directory.col.org')}</th>
                <th scope="col">{t('directory.col.kind')}</th>
                <th scope="col">{t('directory.col.contacts')}</th>
                <th scope="col">{t('directory.col.channels')}</th>
                <th scope="col">{t('directory.col.twoRoutes')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.org} data-org={o.org}>
                  <th scope="row">
                    <Link to={{ name: 'organization', org: o.org }}>{o.name[current]}</Link>
                    <div class="hint">{o.org}</div>
                  </th>
                  <td>{t(`kind.${o.kind}`)}</td>
                  <td>{o.contacts}</td>
                  <td>{o.channels.map((c) => t(`channel.${c}`)).join('・')}</td>
                  <td>{t(o.twoRoutes ? 'drill.yes' : 'drill.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <StartContactCheck />
    </section>
  );
}

/** POST /contact-checks: a test message to every member contact on every channel, then its results. */
function StartContactCheck() {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [key] = useState(newIdempotencyKey);
  const start = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const created = await apiCall<{ id: string }>('POST', '/contact-checks', {
        body: {},
        idempotencyKey: key,
      });
      navigate({ name: 'contactCheck', id: created.id });
    } catch (error) {
      setBusy(false);
      setProblem(describeError(error, t));
    }
  };
  return (
    <section aria-labelledby="contact-check" class="card">
      <h2 id="contact-check">{t('check.start')}</h2>
      <p>{t('check.startIntro')}</p>
      {problem && <Notice kind="error">{problem}</Notice>}
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} onClick={() => void start()}>
          {busy ? t('check.sending') : t('check.start')}
        </button>
      </div>
    </section>
  );
}

/** GET /contact-checks/{id}. */
interface ContactCheck {
  readonly id: string;
  readonly status: AdvisoryStatus;
  readonly dueAt: string | null;
  readonly contacts: number;
  readonly confirmed: number;
  readonly organizations: {
    org: string;
    contacts: {
      contactId: string;
      reached: { channel: (typeof channels)[number]; ok: boolean; at: string }[];
      confirmedAt: string | null;
    }[];
  }[];
}

/** A contact check's results: per organisation and contact, the channels reached and the confirmation. */
export function ContactCheckPage(props: { id: string }) {
  const t = useT();
  const time = useFormatTime({ seconds: true });
  const current = useStore(lang);
  const [live, setLive] = useState(true);
  const polled = usePoll(
    async () => {
      const check = await apiCall<ContactCheck>('GET', `/contact-checks/${encodeURIComponent(props.id)}`);
      setLive(check.status !== 'closed');
      return check;
    },
    [props.id],
    live,
  );
  const check = polled.data;
  const names = usePoll(
    () => apiCall<{ items: OrganizationRow[] }>('GET', '/directory/organizations'),
    [],
    false,
  );
  const orgName = (org: string) => names.data?.items.find((o) => o.org === org)?.name[current] ?? org;
  if (!check) {
    return <PageLoading title={`${t('drill.mark')} ${t('check.title')}`} error={polled.error} />;
  }
  return (
    <section>
      <PageHeading>{`${t('drill.mark')} ${t('check.title')}`}</PageHeading>
      <div class="meta">
        <DrillMark />
        <AdvisoryStatusBadge status={check.status} />
      </div>
      <Updated at={polled.loadedAt} live={live} />
      <p class="check-summary" aria-live="polite">
        <strong>{t('check.summary', { confirmed: check.confirmed, contacts: check.contacts })}</strong>
        {check.dueAt && ` · ${t('check.due', { time: time(check.dueAt) })}`}
      </p>
      <div class="table-wrap">
        <table class="data contact-check">
          <thead>
            <tr>
              <th scope="col">{t('directory.col.org')}</th>
              <th scope="col">{t('check.col.contact')}</th>
              <th scope="col">{t('check.col.reached')}</th>
              <th scope="col">{t('check.col.confirmed')}</th>
            </tr>
          </thead>
          <tbody>
            {check.organizations.flatMap((o) =>
              o.contacts.map((c) => (
                <tr key={`${o.org}/${c.contactId}`} data-contact={c.contactId}>
                  <th scope="row">{orgName(o.org)}</th>
                  <td>{c.contactId}</td>
                  <td>
                    {c.reached.length === 0
                      ? t('drill.none')
                      : [
                          ...new Set(
                            [...c.reached]
                              .sort((a, b) => channels.indexOf(a.channel) - channels.indexOf(b.channel))
                              .map((r) =>
                                r.ok
                                  ? t(`channel.${r.channel}`)
                                  : t('check.failed', { channel: t(`channel.${r.channel}`) }),
                              ),
                          ),
                        ].join('・')}
                  </td>
                  <td class="confirmed">{c.confirmedAt ? time(c.confirmedAt) : t('drill.none')}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <p>
        <Link to={{ name: 'directory' }}>{t('check.back')}</Link>
      </p>
    </section>
  );
}

const contactLabel: Record<string, MessageKey> = {
  id: 'field.contact.id',
  name: 'field.contact.label',
  email: 'field.contact.email',
  phone: 'field.contact.sms',
  webhook: 'field.contact.webhook',
  voice: 'field.contact.voice',
  login: 'field.contact.login',
  lang: 'field.contact.lang',
  primary: 'field.contact.primary',
  secondary: 'field.contact.secondary',
};
const inputType: Record<(typeof contactTextFields)[number], 'text' | 'email' | 'tel' | 'url'> = {
  id: 'text',
  name: 'text',
  email: 'email',
  phone: 'tel',
  webhook: 'url',
  voice: 'tel',
  login: 'text',
};

/** The label of a field by its API path (`contacts.0.email` → "連絡先 1: メールアドレス"). */
function useFieldLabel() {
  const t = useT();
  return (path: string): string => {
    if (path === 'kind') return t('field.kind');
    if (path === 'name.ja') return t('field.name.ja');
    if (path === 'name.en') return t('field.name.en');
    const m = /^contacts\.(\d+)\.(\w+)$/.exec(path);
    if (m)
      return `${t('org.contact', { n: Number(m[1]) + 1 })}: ${t(contactLabel[m[2] ?? ''] ?? 'field.contact')}`;
    return t('directory.col.contacts');
  };
}

/** GET, then PUT /directory/organizations/{org}: validated with the API's schema, errors per field. */
export function OrganizationPage(props: { org: string }) {
  const t = useT();
  const time = useFormatTime();
  const current = useStore(lang);
  const label = useFieldLabel();
  const path = `/directory/organizations/${encodeURIComponent(props.org)}`;
  const loaded = usePoll(
    () => apiCall<OrganizationEntry & { org: string; updatedAt: string; version: number }>('GET', path),
    [path],
    false,
  );
  const [fields, setFields] = useState<OrganizationFields | null>(null);
  const [outcome, setOutcome] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const { errors, setErrors, show: showErrors, text: err, summaryRef: summary } = useFieldErrors<string>();
  const entry = loaded.data;
  const form = fields ?? (entry ? organizationFields(entry) : null);
  if (!entry || !form) {
    return <PageLoading title={t('directory.title')} error={loaded.error} />;
  }
  const id = (p: string) => fieldId('org', p);
  const update = (next: OrganizationFields) => setFields(next);
  // An edited field's error goes; the rest stay until the next save.
  const setContact = (i: number, patch: Partial<ContactFields>) => {
    update({ ...form, contacts: form.contacts.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
    const edited = new Set(Object.keys(patch).map((k) => `contacts.${i}.${k}`));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([p]) => !edited.has(p))));
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setOutcome(null);
    const checked = validateOrganization(form);
    if (!checked.ok) return showErrors(checked.errors);
    setErrors({});
    setBusy(true);
    try {
      const saved = await apiCall<{ changed: boolean }>('PUT', path, { body: checked.body });
      setOutcome({ kind: 'info', text: t(saved.changed ? 'org.saved' : 'org.unchanged') });
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors) {
        showErrors(organizationServerErrors(error.problem.errors));
      } else setOutcome({ kind: 'error', text: describeError(error, t) });
    } finally {
      setBusy(false);
    }
  };
  const channelOptions = (c: (typeof channels)[number]) => (
    <option key={c} value={c}>
      {t(`channel.${c}`)}
    </option>
  );
  return (
    <section>
      <PageHeading>{t('org.title', { org: entry.name[current] })}</PageHeading>
      <p class="hint">
        {entry.org} · {t('app.updated', { time: time(entry.updatedAt) })}
      </p>
      {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      <FieldErrorSummary
        summaryRef={summary}
        entries={organizationFieldOrder(form).flatMap((p) => {
          const error = errors[p];
          return error ? [{ id: id(p), label: label(p), error }] : [];
        })}
      />
      <form class="card form" onSubmit={save} noValidate>
        <fieldset>
          <legend>{t('org.names')}</legend>
          <div class="row">
            <FormField id={id('name.ja')} label={t('field.name.ja')} error={err('name.ja')} required>
              <input
                type="text"
                lang="ja"
                value={form.nameJa}
                onInput={(e) => update({ ...form, nameJa: e.currentTarget.value })}
                {...fieldAria(id('name.ja'), err('name.ja'))}
              />
            </FormField>
            <FormField id={id('name.en')} label={t('field.name.en')} error={err('name.en')} required>
              <input
                type="text"
                lang="en"
                value={form.nameEn}
                onInput={(e) => update({ ...form, nameEn: e.currentTarget.value })}
                {...fieldAria(id('name.en'), err('name.en'))}
              />
            </FormField>
          </div>
          <FormField id={id('kind')} label={t('field.kind')} error={err('kind')} required>
            <select
              value={form.kind}
              onChange={(e) => update({ ...form, kind: e.currentTarget.value })}
              {...fieldAria(id('kind'), err('kind'))}
            >
              {orgKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`kind.${k}`)}
                </option>
              ))}
            </select>
          </FormField>
        </fieldset>
        {err('contacts') && (
          <p class="field-error" id={id('contacts')} tabIndex={-1}>
            {err('contacts')}
          </p>
        )}
        {form.contacts.map((c, i) => {
          const cp = (k: string) => `contacts.${i}.${k}`;
          return (
            <fieldset key={i} class="contact">
              <legend>
                {t('org.contact', { n: i + 1 })}
                {c.name ? `: ${c.name}` : ''}
              </legend>
              <div class="row">
                {contactTextFields.map((k) => (
                  <FormField
                    key={k}
                    id={id(cp(k))}
                    label={t(contactLabel[k] ?? 'field.contact')}
                    error={err(cp(k))}
                    required={k === 'id' || k === 'name'}
                  >
                    <input
                      type={inputType[k] as 'text'}
                      value={c[k]}
                      onInput={(e) => setContact(i, { [k]: e.currentTarget.value })}
                      {...fieldAria(id(cp(k)), err(cp(k)))}
                    />
                  </FormField>
                ))}
              </div>
              <div class="row">
                <FormField
                  id={id(cp('primary'))}
                  label={t('field.contact.primary')}
                  error={err(cp('primary'))}
                  required
                >
                  <select
                    value={c.primary}
                    onChange={(e) => setContact(i, { primary: e.currentTarget.value })}
                    {...fieldAria(id(cp('primary')), err(cp('primary')))}
                  >
                    {channels.map(channelOptions)}
                  </select>
                </FormField>
                <FormField
                  id={id(cp('secondary'))}
                  label={t('field.contact.secondary')}
                  error={err(cp('secondary'))}
                >
                  <select
                    value={c.secondary}
                    onChange={(e) => setContact(i, { secondary: e.currentTarget.value })}
                    {...fieldAria(id(cp('secondary')), err(cp('secondary')))}
                  >
                    <option value="">{t('field.none')}</option>
                    {channels.map(channelOptions)}
                  </select>
                </FormField>
                <FormField id={id(cp('lang'))} label={t('field.contact.lang')} error={err(cp('lang'))}>
                  <select
                    value={c.lang}
                    onChange={(e) => setContact(i, { lang: e.currentTarget.value })}
                    {...fieldAria(id(cp('lang')), err(cp('lang')))}
                  >
                    <option value="ja">{t('lang.ja')}</option>
                    <option value="en">{t('lang.en')}</option>
                  </select>
                </FormField>
              </div>
              <label class="choice">
                <input
                  type="checkbox"
                  checked={c.escalation}
                  onChange={(e) => setContact(i, { escalation: e.currentTarget.checked })}
                />
                {t('field.contact.escalation')}
              </label>
              <div class="actions">
                <button
                  type="button"
                  class="secondary small"
                  onClick={() => update({ ...form, contacts: form.contacts.filter((_c, j) => j !== i) })}
                >
                  {t('org.removeContact', { n: i + 1 })}
                </button>
              </div>
            </fieldset>
          );
        })}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => update({ ...form, contacts: [...form.contacts, emptyContact()] })}
          >
            {t('org.addContact')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('org.saving') : t('org.save')}
          </button>
        </div>
      </form>
      <p>
        <Link to={{ name: 'directory' }}>{t('org.back')}</Link>
      </p>
    </section>
  );
}
