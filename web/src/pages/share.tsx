import { useRef, useState } from 'preact/hooks';
import type { advisoryView } from '../../../events/advisory/visibility.ts';
import { ApiError, apiCall, type IncidentView, newIdempotencyKey } from '../api.ts';
import {
  FieldErrorSummary,
  FormField,
  fieldAria,
  fieldId,
  TitleAndBodyFields,
  TlpSelectField,
  useFieldErrors,
} from '../components/form.tsx';
import { DrillMark, PageLoading } from '../components/status.tsx';
import { Link, Notice, PageHeading, TlpLabel } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import { type ShareFields, shareFieldOrder, shareServerErrors, validateShare } from '../secretariat-forms.ts';

/** The preview's answer: what one recipient member would see, and how many organisations receive it. */
interface SharePreview {
  readonly recipients: number;
  readonly member: string | null;
  readonly advisory: ReturnType<typeof advisoryView> | null;
}

const shareLabel: Record<(typeof shareFieldOrder)[number], MessageKey> = {
  title: 'field.title',
  body: 'field.body',
  tlp: 'field.tlp',
  ackWithinHours: 'field.ackWithinHours',
};

/** POST /incidents/{id}/share: the secretariat's edit of the incident, previewed as members see it, then sent. */
export function SharePage(props: { id: string }) {
  const t = useT();
  const path = `/incidents/${encodeURIComponent(props.id)}`;
  const loaded = usePoll(() => apiCall<IncidentView>('GET', path), [path], false);
  const incident = loaded.data;
  if (!incident) {
    return <PageLoading title={t('share.title')} error={loaded.error} />;
  }
  return (
    <ShareForm
      incident={incident}
      initial={{
        title: incident.report.title,
        body: incident.report.description,
        tlp: incident.report.tlp,
        ackWithinHours: '24',
      }}
    />
  );
}

function ShareForm(props: { incident: IncidentView; initial: ShareFields }) {
  const t = useT();
  const { incident } = props;
  const sharePath = `/incidents/${encodeURIComponent(incident.id)}/share`;
  const [fields, setFields] = useState<ShareFields>(props.initial);
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  // The preview holds for the exact body it was made from; any edit asks for a new one.
  const [preview, setPreview] = useState<{ body: string; result: SharePreview } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'share' | null>(null);
  const [shared, setShared] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const { errors, setErrors, show: showErrors, text: err, summaryRef: summary } = useFieldErrors<string>();
  const previewRef = useRef<HTMLElement>(null);
  const id = (f: string) => fieldId('share', f);
  const set = (name: keyof ShareFields, value: string) => {
    setFields((f) => ({ ...f, [name]: value }));
    setErrors(({ [name]: _fixed, ...rest }) => rest);
  };

  const check = () => {
    setNotice(null);
    const checked = validateShare(fields);
    if (!checked.ok) {
      showErrors(checked.errors);
      return null;
    }
    setErrors({});
    return checked.body;
  };
  const refused = (error: unknown) => {
    if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors) {
      const next = shareServerErrors(error.problem.errors);
      showErrors(next);
      if (Object.values(next).some((e) => e.key === 'error.identifying'))
        setNotice({ kind: 'error', text: t('share.refused') });
    } else setNotice({ kind: 'error', text: describeError(error, t) });
  };

  const runPreview = async () => {
    const body = check();
    if (!body) return;
    setBusy('preview');
    setPreview(null);
    try {
      const result = await apiCall<SharePreview>('POST', `${sharePath}?preview=true`, { body });
      setPreview({ body: JSON.stringify(body), result });
      setTimeout(() => previewRef.current?.focus(), 0);
    } catch (error) {
      refused(error);
    } finally {
      setBusy(null);
    }
  };

  const share = async (e: Event) => {
    e.preventDefault();
    const body = check();
    if (!body) return;
    if (preview?.body !== JSON.stringify(body)) {
      setNotice({ kind: 'error', text: t('share.previewFirst') });
      return;
    }
    setBusy('share');
    try {
      await apiCall('POST', sharePath, { body, idempotencyKey: key });
      setShared(true);
      setNotice({ kind: 'info', text: t('share.done', { n: preview.result.recipients }) });
    } catch (error) {
      refused(error);
    } finally {
      setBusy(null);
    }
  };

  const current = preview?.result ?? null;
  const now = validateShare(fields);
  const stale = preview !== null && !shared && (!now.ok || JSON.stringify(now.body) !== preview.body);
  return (
    <section>
      <PageHeading>{t('share.title')}</PageHeading>
      <p>{t('share.intro')}</p>
      <p class="hint">{t('share.source', { title: incident.report.title })}</p>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <FieldErrorSummary
        summaryRef={summary}
        entries={shareFieldOrder.flatMap((f) => {
          const error = errors[f];
          return error ? [{ id: id(f), label: t(shareLabel[f]), error }] : [];
        })}
      />
      <form class="card form" onSubmit={share} noValidate>
        <fieldset disabled={shared}>
          <TitleAndBodyFields id={id} values={fields} error={err} onChange={set} bodyRows={8} />
          <div class="row">
            <TlpSelectField
              id={id('tlp')}
              value={fields.tlp}
              error={err('tlp')}
              onChange={(v) => set('tlp', v)}
            />
            <FormField
              id={id('ackWithinHours')}
              label={t('field.ackWithinHours')}
              error={err('ackWithinHours')}
              required
            >
              <input
                type="number"
                inputMode="decimal"
                min={1}
                max={720}
                step="any"
                value={fields.ackWithinHours}
                onInput={(e) => set('ackWithinHours', e.currentTarget.value)}
                {...fieldAria(id('ackWithinHours'), err('ackWithinHours'))}
              />
            </FormField>
          </div>
          <div class="actions">
            <button
              type="button"
              class="secondary"
              disabled={busy !== null}
              onClick={() => void runPreview()}
            >
              {busy === 'preview' ? t('share.previewing') : t('share.preview')}
            </button>
            <button type="submit" class="primary" disabled={busy !== null}>
              {busy === 'share' ? t('share.sending') : t('share.submit')}
            </button>
          </div>
        </fieldset>
      </form>
      {current && (
        <section class="card preview" aria-labelledby="preview-title" ref={previewRef} tabIndex={-1}>
          <h2 id="preview-title">{t('share.previewTitle')}</h2>
          {stale && <p class="field-error">{t('share.previewFirst')}</p>}
          <p>{t('share.recipients', { n: current.recipients })}</p>
          {current.advisory ? (
            <article class="member-view">
              <div class="meta">
                {current.advisory.drill && <DrillMark />}
                <TlpLabel tlp={current.advisory.tlp} />
              </div>
              <h3>{current.advisory.title}</h3>
              <p class="prose">{current.advisory.body}</p>
              <p class="hint">{t('share.ackWithin', { hours: current.advisory.ackWithinHours })}</p>
            </article>
          ) : (
            <p>{t('share.noMember')}</p>
          )}
        </section>
      )}
      <p>
        <Link to={{ name: 'incident', id: incident.id }}>{t('share.back')}</Link>
      </p>
    </section>
  );
}
