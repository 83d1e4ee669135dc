import { useEffect, useRef, useState } from 'preact/hooks';
import { decisionBody, followUpBody, noteBody, recoveryStatuses } from '../../../events/incident/report.ts';
import { type ReportingPreset, reportingPresets, type StageField } from '../../../events/reporting.ts';
import { apiCall, type IncidentView, newIdempotencyKey } from '../api.ts';
import { MessageTable } from '../components/deliveries.tsx';
import { PageLoading } from '../components/status.tsx';
import { HopTimeline, StageClocks } from '../components/timeline.tsx';
import {
  Link,
  Notice,
  PageHeading,
  SeverityBadge,
  StatusBadge,
  TlpLabel,
  useFormatTime,
  useOrgName,
} from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { useNow, usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { lang, useT } from '../i18n/lang.ts';
import type { Session } from '../session.ts';
import { useStore } from '../store.ts';

/** One incident: status, the relay's hops with deadlines, the report, follow-ups, and what this person may do. */
export function IncidentPage(props: { id: string; session: Session }) {
  const t = useT();
  const now = useNow();
  const polled = usePoll(
    () => apiCall<IncidentView>('GET', `/incidents/${encodeURIComponent(props.id)}`),
    [props.id],
  );
  const message = useStore(flash);
  const incident = polled.data;
  // "Report sent" is news until the incident moves on; then the timeline says more.
  const firstStatus = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!incident) return;
    firstStatus.current ??= incident.status;
    if (incident.status !== firstStatus.current) flash.set(null);
  }, [incident?.status]);
  // What the last command did, shown at the top: the action forms move when the status changes.
  const [outcome, setOutcome] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const actionsFirst = props.session.role !== 'member' || incident?.status === 'returned';
  const actions = incident && (
    <Actions incident={incident} session={props.session} reload={polled.reload} onOutcome={setOutcome} />
  );
  if (!incident) return <PageLoading title={t('incidents.title')} error={polled.error} />;
  return (
    <section>
      <PageHeading>{incident.report.title}</PageHeading>
      {message && <Notice kind="info">{t(message.key, message.params)}</Notice>}
      {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      <IncidentHeader incident={incident} />
      {incident.stalledHop && <Notice kind="error">{t('hop.stalled')}</Notice>}
      {/* The secretariat, ministry and NISC open the page to act; a member reads first, then adds a
          follow-up, unless the report came back to them: then answering it is the job. */}
      {actionsFirst && actions}
      <h2>{t('incident.timeline')}</h2>
      {/* Polite: a receipt or escalation arriving while the page is open is read out once. */}
      <div aria-live="polite">
        <p class="sr-only">{t(`status.${incident.status}`)}</p>
        <HopTimeline incident={incident} now={now} />
      </div>
      <StageClocks incident={incident} now={now} />
      <ReportDetails incident={incident} />
      <FollowUps incident={incident} />
      <h2 id="incident-messages-title">{t('messages.title')}</h2>
      <MessageTable
        titleId="incident-messages-title"
        deliveries={incident.deliveries}
        attempts={incident.attempts}
      />
      {!actionsFirst && actions}
      {props.session.role === 'secretariat' && (
        <p>
          <Link to={{ name: 'share', id: incident.id }}>{t('share.link')}</Link>
        </p>
      )}
      {(props.session.role === 'secretariat' ||
        props.session.role === 'auditor' ||
        props.session.role === 'member') && (
        <p>
          <Link to={{ name: 'events', id: incident.id }}>{t('incident.eventsLink')}</Link>
        </p>
      )}
    </section>
  );
}

export function IncidentHeader(props: { incident: IncidentView }) {
  const t = useT();
  const orgName = useOrgName();
  const { incident } = props;
  return (
    <div class="meta">
      <TlpLabel tlp={incident.report.tlp} />
      <StatusBadge status={incident.status} />
      <SeverityBadge severity={incident.severity} />
      <span class="badge">{t('incident.reportedBy', { org: orgName(incident.org) })}</span>
    </div>
  );
}

function ReportDetails(props: { incident: IncidentView }) {
  const t = useT();
  const time = useFormatTime();
  const { report } = props.incident;
  return (
    <>
      <h2>{t('incident.report')}</h2>
      <dl class="details card">
        <dt>{t('field.category')}</dt>
        <dd>{t(`category.${report.category}`)}</dd>
        <dt>{t('field.occurredAt')}</dt>
        <dd>{time(report.occurredAt)}</dd>
        <dt>{t('field.detectedAt')}</dt>
        <dd>{time(report.detectedAt)}</dd>
        <dt>{t('field.affectedSystems')}</dt>
        <dd>{report.affectedSystems.map((s) => t(`system.${s}`)).join('、')}</dd>
        <dt>{t('field.recoveryStatus')}</dt>
        <dd>{t(`recovery.${props.incident.recoveryStatus}`)}</dd>
        <dt>{t('field.description')}</dt>
        <dd class="prose">{report.description}</dd>
        <dt>{t('field.contact')}</dt>
        <dd>
          {report.contact.name} &lt;{report.contact.email}&gt;
          {report.contact.phone ? ` ${report.contact.phone}` : ''}
        </dd>
      </dl>
    </>
  );
}

function FollowUps(props: { incident: IncidentView }) {
  const t = useT();
  const time = useFormatTime();
  const { followUps, returns } = props.incident;
  return (
    <>
      {returns.length > 0 && (
        <>
          <h2>{t('incident.returns')}</h2>
          <ul class="plain card">
            {returns.map((r) => (
              <li key={r.at}>
                {t('incident.returned.note', { time: time(r.at), note: r.note ?? t('incident.noNote') })}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('incident.followUps')}</h2>
      {followUps.length === 0 ? (
        <p>{t('incident.followUps.empty')}</p>
      ) : (
        <ol class="plain card">
          {followUps.map((f) => (
            <li key={f.number}>
              <strong>
                {t('incident.followUp.item', {
                  n: f.number,
                  time: time(f.at),
                  status: t(`recovery.${f.recoveryStatus}`),
                })}
              </strong>
              <p class="prose">{f.description}</p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

type Command = { path: string; body: Record<string, unknown>; done: MessageKey };

/** The commands this person may give on this incident now, and nothing else. */
function Actions(props: {
  incident: IncidentView;
  session: Session;
  reload: () => Promise<void>;
  onOutcome: (outcome: { kind: 'info' | 'error'; text: string } | null) => void;
}) {
  const t = useT();
  const { incident, session } = props;
  const [note, setNote] = useState('');
  const [recovery, setRecovery] = useState<string>(incident.recoveryStatus);
  // The reporting stage a follow-up fulfils (none unless the member names one), the text fields
  // that stage requires, and CIRCIA's ransom payment (when, how much, in what) where it asks for one.
  const [stage, setStage] = useState<string>('');
  const [details, setDetails] = useState<Record<string, string>>({});
  const [ransom, setRansom] = useState({ paidAt: '', amount: '', currency: '', note: '' });
  const current = useStore(lang);
  const stageDefinition = stage
    ? (reportingPresets as Record<string, ReportingPreset>)[incident.preset]?.stages.find(
        (s) => s.id === stage,
      )
    : undefined;
  const stageTexts = (stageDefinition?.requiredFields ?? []).filter(
    (f): f is Exclude<StageField, 'ransomPayment'> => f !== 'ransomPayment',
  );
  const asksRansom = stageDefinition?.requiredFields.includes('ransomPayment') ?? false;
  // The payment's time as typed in the member's own time zone (datetime-local), sent as an ISO instant.
  const ransomBody = () => {
    const paidAt = ransom.paidAt ? new Date(ransom.paidAt) : null;
    return {
      ransomPayment: {
        paidAt: paidAt && !Number.isNaN(paidAt.getTime()) ? paidAt.toISOString() : '',
        amount: ransom.amount === '' ? Number.NaN : Number(ransom.amount),
        currency: ransom.currency.trim(),
        ...(ransom.note.trim() ? { note: ransom.note.trim() } : {}),
      },
    };
  };
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/incidents/${encodeURIComponent(incident.id)}`;

  const run = async (command: Command) => {
    setBusy(true);
    props.onOutcome(null);
    flash.set(null);
    try {
      await apiCall('POST', command.path, { body: command.body, idempotencyKey: newIdempotencyKey() });
      setNote('');
      setFieldError(null);
      props.onOutcome({ kind: 'info', text: t(command.done) });
      await props.reload();
    } catch (err) {
      props.onOutcome({ kind: 'error', text: describeError(err, t) });
    } finally {
      setBusy(false);
    }
  };
  const withNote = (n: string) => (n.trim() ? { note: n.trim() } : {});

  const forms: preact.JSX.Element[] = [];
  const noteField = (id: string, label: MessageKey) => (
    <div class={fieldError ? 'field has-error' : 'field'}>
      <label for={id}>{t(label)}</label>
      {fieldError && (
        <p class="field-error" id={`${id}-error`}>
          {fieldError}
        </p>
      )}
      <textarea
        id={id}
        rows={3}
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
        aria-invalid={fieldError ? true : undefined}
        aria-describedby={fieldError ? `${id}-error` : undefined}
      />
    </div>
  );

  if (session.role === 'secretariat' && incident.status === 'awaiting_secretariat') {
    forms.push(
      <form key="decide" class="card form" onSubmit={(e) => e.preventDefault()}>
        {noteField('decision-note', 'field.note.optional')}
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() => {
              const body = { decision: 'approve', ...withNote(note) };
              if (decisionBody().safeParse(body).success)
                void run({ path: `${base}/decision`, body, done: 'incident.approved' });
            }}
          >
            {t('incident.approve')}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => {
              // The API allows a return without a note; the member could not act on one, so the console asks.
              if (!note.trim()) {
                setFieldError(t('error.returnNote'));
                document.getElementById('decision-note')?.focus();
                return;
              }
              const body = { decision: 'return', ...withNote(note) };
              if (decisionBody().safeParse(body).success)
                void run({ path: `${base}/decision`, body, done: 'incident.returnedDone' });
            }}
          >
            {t('incident.return')}
          </button>
        </div>
      </form>,
    );
  }
  const receiptHop =
    (session.role === 'ministry' && incident.status === 'awaiting_ministry') ||
    (session.role === 'nisc' && incident.status === 'awaiting_nisc');
  if (receiptHop) {
    forms.push(
      <form
        key="receipt"
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          const body = withNote(note);
          if (noteBody().safeParse(body).success)
            void run({ path: `${base}/receipt`, body, done: 'incident.acknowledged' });
        }}
      >
        {noteField('receipt-note', 'field.note.optional')}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('incident.acknowledge')}
          </button>
        </div>
      </form>,
    );
  }
  if (session.role === 'member' && session.org === incident.org && incident.status !== 'closed') {
    forms.push(
      <form
        key="follow-up"
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          const body = {
            description: note,
            recoveryStatus: recovery,
            ...(stage ? { stage } : {}),
            ...Object.fromEntries(stageTexts.map((f) => [f, details[f] ?? ''])),
            ...(asksRansom ? ransomBody() : {}),
          };
          const parsed = followUpBody().safeParse(body);
          if (!parsed.success) {
            setFieldError(t('error.required'));
            document.getElementById('follow-up-note')?.focus();
            return;
          }
          void run({ path: `${base}/follow-ups`, body: parsed.data, done: 'incident.followUpSent' });
        }}
      >
        {noteField('follow-up-note', 'field.followUp')}
        <div class="field">
          <label for="follow-up-recovery">{t('field.recoveryStatus')}</label>
          <select
            id="follow-up-recovery"
            value={recovery}
            onChange={(e) => setRecovery(e.currentTarget.value)}
          >
            {recoveryStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`recovery.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="follow-up-stage">{t('field.stage')}</label>
          <select id="follow-up-stage" value={stage} onChange={(e) => setStage(e.currentTarget.value)}>
            <option value="">{t('field.stage.none')}</option>
            {incident.stages
              .filter((c) => c.status !== 'done')
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.names[current]}
                </option>
              ))}
          </select>
        </div>
        {stageTexts.map((f) => (
          <div class="field" key={f}>
            <label for={`follow-up-${f}`}>{t(`stageField.${f}`)}</label>
            <textarea
              id={`follow-up-${f}`}
              value={details[f] ?? ''}
              onInput={(e) => setDetails({ ...details, [f]: e.currentTarget.value })}
            />
          </div>
        ))}
        {asksRansom && (
          <fieldset class="field">
            <legend>{t('stageField.ransomPayment')}</legend>
            <label for="follow-up-ransom-paid-at">{t('ransom.paidAt')}</label>
            <input
              id="follow-up-ransom-paid-at"
              type="datetime-local"
              required
              value={ransom.paidAt}
              onInput={(e) => setRansom({ ...ransom, paidAt: e.currentTarget.value })}
            />
            <label for="follow-up-ransom-amount">{t('ransom.amount')}</label>
            <input
              id="follow-up-ransom-amount"
              type="number"
              min="0"
              step="any"
              required
              value={ransom.amount}
              onInput={(e) => setRansom({ ...ransom, amount: e.currentTarget.value })}
            />
            <label for="follow-up-ransom-currency">{t('ransom.currency')}</label>
            <input
              id="follow-up-ransom-currency"
              required
              maxLength={20}
              value={ransom.currency}
              onInput={(e) => setRansom({ ...ransom, currency: e.currentTarget.value })}
            />
            <label for="follow-up-ransom-note">{t('ransom.note')}</label>
            <textarea
              id="follow-up-ransom-note"
              value={ransom.note}
              onInput={(e) => setRansom({ ...ransom, note: e.currentTarget.value })}
            />
          </fieldset>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {incident.status === 'returned' ? t('incident.resubmit') : t('incident.addFollowUp')}
          </button>
        </div>
      </form>,
    );
  }
  const mayClose =
    incident.status === 'relayed' &&
    (session.role === 'secretariat' || (session.role === 'member' && session.org === incident.org));
  if (mayClose) {
    forms.push(
      <div key="close" class="actions">
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => void run({ path: `${base}/close`, body: {}, done: 'incident.closed' })}
        >
          {t('incident.close')}
        </button>
      </div>,
    );
  }
  if (forms.length === 0) return null;
  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">{t('incident.actions')}</h2>
      {forms}
    </section>
  );
}
