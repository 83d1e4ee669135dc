import { useState } from 'preact/hooks';
import type { ForwardProgress } from '../../../events/advisory/advisory.ts';
import { forwardBody } from '../../../events/advisory/body.ts';
import {
  type AdvisoryView,
  type ChainAdvisoryView,
  type ForkAdvisoryView,
  isChainView,
  isForkView,
  isMemberView,
  type MemberAdvisoryView,
  type RecipientRow,
} from '../advisory-api.ts';
import { ApiError, apiCall, newIdempotencyKey } from '../api.ts';
import { useDrillTitle } from '../components/advisory.tsx';
import { AttemptsLine, MessageTable } from '../components/deliveries.tsx';
import { AdvisoryStatusBadge, DrillMark } from '../components/status.tsx';
import { HopItem } from '../components/timeline.tsx';
import {
  Link,
  Notice,
  PageHeading,
  SeverityBadge,
  TimeLeft,
  TlpLabel,
  useFormatTime,
  useOrgName,
} from '../components/ui.tsx';
import { attemptSummary } from '../deliveries.ts';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { percent } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import type { Session } from '../session.ts';
import { useStore } from '../store.ts';
import { ForkPage } from './advisory-fork.tsx';

type Outcome = { kind: 'info' | 'error'; text: string } | null;

/**
 * One advisory: text, labels, the chain's hops with deadlines and escalations, the recipients with the
 * rate (the chain), and what this person may do now: forward it, or acknowledge it for the organisation.
 */
export function AdvisoryPage(props: { id: string; session: Session }) {
  const t = useT();
  const now = useNow();
  const drillTitle = useDrillTitle();
  const message = useStore(flash);
  const polled = usePoll(
    () => apiCall<AdvisoryView | ForkAdvisoryView>('GET', `/advisories/${encodeURIComponent(props.id)}`),
    [props.id],
  );
  const [outcome, setOutcome] = useState<Outcome>(null);
  const read = polled.data;
  if (read && isForkView(read)) return <ForkPage fork={read} />;
  const advisory = read;
  if (!advisory) {
    const notFound = polled.error instanceof ApiError && polled.error.problem.status === 404;
    return (
      <section>
        <PageHeading>{t('advisories.title')}</PageHeading>
        {polled.error ? (
          <Notice kind="error">{notFound ? t('advisory.notFound') : describeError(polled.error, t)}</Notice>
        ) : (
          <p>{t('app.loading')}</p>
        )}
        <p>
          <Link to={{ name: 'advisories' }}>{t('advisory.back')}</Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <PageHeading>{drillTitle(advisory.title, advisory.drill)}</PageHeading>
      {message && <Notice kind="info">{t(message.key, message.params)}</Notice>}
      {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      {advisory.drill && <p class="drill-notice">{t('advisories.drillNotice')}</p>}
      <div class="meta">
        <DrillMark drill={advisory.drill} />
        <TlpLabel tlp={advisory.tlp} />
        <AdvisoryStatusBadge status={advisory.status} />
        <SeverityBadge severity={advisory.severity} />
        <span class="badge">{t('advisories.issuedBy', { role: t(`role.${advisory.issuerRole}`) })}</span>
      </div>
      <Actions advisory={advisory} session={props.session} reload={polled.reload} onOutcome={setOutcome} />
      {isMemberView(advisory) && <OwnReceipt advisory={advisory} now={now} />}
      <h2>{t('advisory.body')}</h2>
      <div class="card">
        <p class="prose">{advisory.body}</p>
      </div>
      {advisory.notes.length > 0 && (
        <>
          <h2>{t('advisory.notes')}</h2>
          <ul class="plain card">
            {advisory.notes.map((n) => (
              <li key={n.hop}>
                <strong>{t(`advisoryHop.${n.hop}`)}</strong>
                <p class="prose">{n.note}</p>
              </li>
            ))}
          </ul>
        </>
      )}
      {isChainView(advisory) && <ChainPart advisory={advisory} session={props.session} now={now} />}
      {/* The parent's page is for those who may read the fork (a secretariat and a member read their own chain only). */}
      {'parentId' in advisory &&
        advisory.parentId &&
        ['nisc', 'ministry', 'auditor'].includes(props.session.role) && (
          <p>
            <Link to={{ name: 'advisory', id: advisory.parentId }}>{t('fork.parent')}</Link>
          </p>
        )}
      <p>
        <Link to={{ name: 'advisories' }}>{t('advisory.back')}</Link>
      </p>
    </section>
  );
}

/** Forward (the ministry or the secretariat, on its turn) or acknowledge (a recipient member, once). */
function Actions(props: {
  advisory: AdvisoryView;
  session: Session;
  reload: () => Promise<void>;
  onOutcome: (o: Outcome) => void;
}) {
  const t = useT();
  const { advisory, session } = props;
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/advisories/${encodeURIComponent(advisory.id)}`;
  const run = async (path: string, body: Record<string, unknown>, done: MessageKey) => {
    setBusy(true);
    props.onOutcome(null);
    flash.set(null);
    try {
      await apiCall('POST', path, { body, idempotencyKey: newIdempotencyKey() });
      setNote('');
      props.onOutcome({ kind: 'info', text: t(done) });
      await props.reload();
    } catch (err) {
      props.onOutcome({ kind: 'error', text: describeError(err, t) });
    } finally {
      setBusy(false);
    }
  };
  const mayForward =
    (session.role === 'ministry' && advisory.status === 'awaiting_ministry') ||
    (session.role === 'secretariat' && advisory.status === 'awaiting_secretariat');
  // After the window closed a receipt is still recorded (as late): the organisation stays "missed".
  const mayAcknowledge =
    isMemberView(advisory) && advisory.recipient !== null && advisory.recipient.acknowledgedAt === null;
  if (!mayForward && !mayAcknowledge) return null;
  return (
    <section aria-labelledby="advisory-actions-title">
      <h2 id="advisory-actions-title">{t('advisory.actions')}</h2>
      {mayForward && (
        <form
          class="card form"
          onSubmit={(e) => {
            e.preventDefault();
            const body = note.trim() ? { note: note.trim() } : {};
            const parsed = forwardBody().safeParse(body);
            if (!parsed.success) {
              setNoteError(t('error.tooLong', { max: 5000 }));
              document.getElementById('forward-note')?.focus();
              return;
            }
            setNoteError(null);
            void run(`${base}/forward`, parsed.data, 'advisory.forwarded');
          }}
        >
          <div class={noteError ? 'field has-error' : 'field'}>
            <label for="forward-note">{t('advisory.forwardNote')}</label>
            {noteError && (
              <p class="field-error" id="forward-note-error">
                {noteError}
              </p>
            )}
            <textarea
              id="forward-note"
              rows={3}
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
              aria-invalid={noteError ? true : undefined}
              aria-describedby={noteError ? 'forward-note-error' : undefined}
            />
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              {t('advisory.forward')}
            </button>
          </div>
        </form>
      )}
      {mayAcknowledge && (
        <div class="card actions">
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() => void run(`${base}/receipt`, {}, 'advisory.acknowledged')}
          >
            {t('advisory.acknowledge')}
          </button>
        </div>
      )}
    </section>
  );
}

/** A member's own organisation: when the window closes, whether and when it acknowledged. */
function OwnReceipt(props: { advisory: MemberAdvisoryView; now: number }) {
  const t = useT();
  const time = useFormatTime();
  const { advisory, now } = props;
  const own = advisory.recipient;
  if (!own) return <p>{t('advisories.notRecipient')}</p>;
  return (
    <>
      <h2>{t('advisory.ownReceipt')}</h2>
      <div class="card" aria-live="polite">
        {own.acknowledgedAt ? (
          <p class="acknowledged-at">{t('advisories.acknowledgedAt', { time: time(own.acknowledgedAt) })}</p>
        ) : own.missed ? (
          <p>{t('advisories.missed')}</p>
        ) : (
          advisory.ackDueAt && (
            <p>
              {t('advisories.ackDue', { time: time(advisory.ackDueAt) })} ·{' '}
              <TimeLeft dueAt={advisory.ackDueAt} now={now} />
            </p>
          )
        )}
      </div>
    </>
  );
}

/** The chain's part: hops with deadlines and escalations, the window, the rate and every recipient. */
function ChainPart(props: { advisory: ChainAdvisoryView; session: Session; now: number }) {
  const t = useT();
  const time = useFormatTime();
  const { advisory, now } = props;
  const hops = (['ministry', 'secretariat'] as const).filter((h) => advisory.hops[h] !== null);
  const windowState = advisory.closedAt ? 'done' : advisory.distributedAt ? 'current' : 'pending';
  const tx = advisory.transmission;
  return (
    <>
      <h2>{t('advisory.chain')}</h2>
      <div aria-live="polite">
        <p class="sr-only">{t(`advisoryStatus.${advisory.status}`)}</p>
        <ol class="timeline">
          {hops.map((h) => (
            <HopItem
              key={h}
              label={t(`advisoryHop.${h}`)}
              hop={advisory.hops[h] as ForwardProgress}
              now={now}
              badges={
                advisory.stalledHop === h && <span class="badge escalation">{t('advisories.stalled')}</span>
              }
            />
          ))}
          <li class={`hop hop-${windowState}`} aria-current={windowState === 'current' ? 'step' : undefined}>
            <div class="hop-head">
              <span class="hop-name">{t('advisoryHop.window')}</span>
              <span class={`hop-state hop-state-${windowState}`}>{t(`hop.state.${windowState}`)}</span>
            </div>
            {advisory.distributedAt && (
              <div class="hop-line">
                {t('advisory.distributedAt', { time: time(advisory.distributedAt) })}
              </div>
            )}
            {advisory.ackDueAt && !advisory.closedAt && (
              <div class="hop-line">
                {t('advisories.ackDue', { time: time(advisory.ackDueAt) })} ·{' '}
                <TimeLeft dueAt={advisory.ackDueAt} now={now} />
              </div>
            )}
            {advisory.remindAt && !advisory.closedAt && (
              <div class="hop-line">{t('advisory.remindAt', { time: time(advisory.remindAt) })}</div>
            )}
            {advisory.closedAt && (
              <div class="hop-line">{t('advisory.closedAt', { time: time(advisory.closedAt) })}</div>
            )}
          </li>
        </ol>
      </div>
      {'sourceIncidentId' in advisory && advisory.sourceIncidentId && (
        <p>
          <Link to={{ name: 'incident', id: advisory.sourceIncidentId }}>{t('advisory.sourceIncident')}</Link>
        </p>
      )}
      {advisory.distributedAt && (
        <>
          <h2 id="advisory-rate-title">{t('advisory.rate')}</h2>
          <p class="rate card" aria-live="polite">
            {t('advisory.rate.line', {
              rate: percent(tx.rate),
              within: tx.withinWindow,
              total: tx.recipients,
              acknowledged: tx.acknowledged,
              delivered: tx.delivered,
            })}
          </p>
          <h2 id="advisory-recipients-title">{t('advisory.recipients')}</h2>
          <RecipientTable rows={advisory.recipients} />
        </>
      )}
      <h2 id="advisory-messages-title">{t('messages.chainTitle')}</h2>
      <MessageTable
        titleId="advisory-messages-title"
        deliveries={advisory.deliveries}
        attempts={advisory.attempts}
      />
    </>
  );
}

/** Every recipient organisation: delivered when on which channel, acknowledged, reminded, missed. */
function RecipientTable(props: { rows: readonly RecipientRow[] }) {
  const t = useT();
  const time = useFormatTime();
  const orgName = useOrgName();
  return (
    <table class="recipients" aria-labelledby="advisory-recipients-title">
      <thead>
        <tr>
          <th scope="col">{t('advisory.col.org')}</th>
          <th scope="col">{t('advisory.col.delivered')}</th>
          <th scope="col">{t('messages.col.attempts')}</th>
          <th scope="col">{t('advisory.col.acknowledged')}</th>
          <th scope="col">{t('advisory.col.reminded')}</th>
          <th scope="col">{t('advisory.col.missed')}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => {
          const delivered = r.deliveries.filter((d) => d.purpose === 'advisory');
          return (
            <tr key={r.org} data-org={r.org}>
              <th scope="row">{orgName(r.org)}</th>
              <td data-label={t('advisory.col.delivered')}>
                {delivered.length === 0
                  ? t('advisory.notYet')
                  : delivered.map((d) => (
                      <div key={`${d.at}-${d.contactId}-${d.channel}`}>
                        {d.ok
                          ? `${time(d.at)} (${t(`channel.${d.channel}`)})`
                          : t('advisory.failed', { channel: t(`channel.${d.channel}`) })}
                      </div>
                    ))}
              </td>
              <td data-label={t('messages.col.attempts')}>
                <AttemptsLine summary={attemptSummary(r.attempts)} />
              </td>
              <td class="acknowledged" data-label={t('advisory.col.acknowledged')}>
                {r.acknowledgedAt ? time(r.acknowledgedAt) : t('advisory.notYet')}
              </td>
              <td data-label={t('advisory.col.reminded')}>{r.remindedAt ? time(r.remindedAt) : '—'}</td>
              <td data-label={t('advisory.col.missed')}>{r.missed ? t('advisory.yes') : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
