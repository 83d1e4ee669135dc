import { useState } from 'preact/hooks';
import { apiCall, type IncidentSummary, listIncidents, newIdempotencyKey } from '../api.ts';
import { Updated } from '../components/status.tsx';
import {
  Link,
  Notice,
  PageHeading,
  SeverityBadge,
  StatusBadge,
  TimeLeft,
  TlpLabel,
  useFormatTime,
  useOrgName,
} from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { useNow, usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import type { Session } from '../session.ts';

type Status = IncidentSummary['status'];
const OPEN: readonly Status[] = ['awaiting_secretariat', 'returned', 'awaiting_ministry', 'awaiting_nisc'];

/** Nearest deadline first; incidents waiting on nobody last. */
const byDue = (a: IncidentSummary, b: IncidentSummary) => dueOf(a) - dueOf(b);
const dueOf = (s: IncidentSummary) =>
  s.waitingOn?.dueAt ? Date.parse(s.waitingOn.dueAt) : Number.POSITIVE_INFINITY;

/** A row: title (the link), labels, the hop it waits on with its deadline and time left, and escalations. */
function Row(props: { summary: IncidentSummary; now: number; action?: preact.ComponentChildren }) {
  const t = useT();
  const time = useFormatTime();
  const orgName = useOrgName();
  const { summary } = props;
  const hop = summary.waitingOn;
  return (
    <li class="card incident-row">
      <div class="row-title">
        <Link to={{ name: 'incident', id: summary.id }}>{summary.title}</Link>
      </div>
      <div class="meta">
        <TlpLabel tlp={summary.tlp} />
        <StatusBadge status={summary.status} />
        <SeverityBadge severity={summary.severity} />
        {hop && hop.escalations > 0 && (
          <span class="badge escalation">{t('hop.escalations', { n: hop.escalations })}</span>
        )}
        {summary.stalledHop && <span class="badge escalation">{t('eventType.RelayStalled')}</span>}
      </div>
      <div class="row-line">
        {t('incidents.org', { org: orgName(summary.org) })} ·{' '}
        {t('incidents.reportedAt', { time: time(summary.createdAt) })}
      </div>
      {hop?.dueAt && (
        <div class="row-line">
          {t(`hop.${hop.hop}`)}: {t('hop.due', { time: time(hop.dueAt) })} ·{' '}
          <TimeLeft dueAt={hop.dueAt} now={props.now} />
        </div>
      )}
      {props.action}
    </li>
  );
}

function Rows(props: {
  items: IncidentSummary[];
  now: number;
  empty: MessageKey;
  label: string;
  action?: (s: IncidentSummary) => preact.ComponentChildren;
}) {
  const t = useT();
  if (props.items.length === 0) return <p>{t(props.empty)}</p>;
  return (
    <ul class="rows" aria-label={props.label}>
      {props.items.map((s) => (
        <Row key={s.id} summary={s} now={props.now} action={props.action?.(s)} />
      ))}
    </ul>
  );
}

/** A member's own reports (open ones first, with deadlines), or everything the caller may see. */
export function IncidentsPage(props: { session: Session }) {
  const t = useT();
  const now = useNow();
  const polled = usePoll(listIncidents, []);
  const title = props.session.role === 'member' ? t('incidents.mine') : t('incidents.title');
  const data = polled.data;
  const open = data?.filter((i) => OPEN.includes(i.status)).sort(byDue) ?? [];
  const done = data?.filter((i) => !OPEN.includes(i.status)) ?? [];
  return (
    <section>
      <PageHeading>{title}</PageHeading>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <Updated at={polled.loadedAt} />
          <h2 id="open-title">{t('incidents.open')}</h2>
          <Rows items={open} now={now} empty="incidents.empty" label={t('incidents.open')} />
          <h2>{t('incidents.done')}</h2>
          <Rows items={done} now={now} empty="incidents.empty" label={t('incidents.done')} />
        </>
      )}
    </section>
  );
}

/** The secretariat's queue: awaiting review, nearest deadline first; then the returned ones. */
export function QueuePage() {
  const t = useT();
  const now = useNow();
  const polled = usePoll(listIncidents, []);
  const data = polled.data;
  const inStatus = (status: Status) => data?.filter((i) => i.status === status).sort(byDue) ?? [];
  return (
    <section>
      <PageHeading>{t('queue.title')}</PageHeading>
      <p>{t('queue.intro')}</p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <Updated at={polled.loadedAt} />
          <h2>{t('queue.review')}</h2>
          <Rows
            items={inStatus('awaiting_secretariat')}
            now={now}
            empty="queue.empty"
            label={t('queue.review')}
          />
          <h2>{t('queue.returned')}</h2>
          <Rows items={inStatus('returned')} now={now} empty="incidents.empty" label={t('queue.returned')} />
        </>
      )}
    </section>
  );
}

/** The ministry's or NISC's inbox: what awaits their receipt, nearest deadline first, acknowledged in place. */
export function InboxPage(props: { session: Session }) {
  const t = useT();
  const now = useNow();
  const status: Status = props.session.role === 'nisc' ? 'awaiting_nisc' : 'awaiting_ministry';
  const polled = usePoll(listIncidents, []);
  const [message, setMessage] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const data = polled.data;
  const items = data?.filter((i) => i.status === status).sort(byDue) ?? [];
  const acknowledge = async (s: IncidentSummary) => {
    setBusy(s.id);
    setMessage(null);
    try {
      await apiCall('POST', `/incidents/${encodeURIComponent(s.id)}/receipt`, {
        body: {},
        idempotencyKey: newIdempotencyKey(),
      });
      setMessage({ kind: 'info', text: t('inbox.acknowledged', { title: s.title }) });
      await polled.reload();
      // The row is gone: keep the focus on the page, not on <body>.
      document.querySelector<HTMLElement>('h1')?.focus();
    } catch (err) {
      setMessage({ kind: 'error', text: describeError(err, t) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <section>
      <PageHeading>{t('inbox.title')}</PageHeading>
      <p>{t('inbox.intro')}</p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <Updated at={polled.loadedAt} />
          <Rows
            items={items}
            now={now}
            empty="inbox.empty"
            label={t('inbox.title')}
            action={(s) => (
              <div class="actions">
                <button
                  type="button"
                  class="primary"
                  disabled={busy !== null}
                  aria-label={`${t('inbox.acknowledge')}: ${s.title}`}
                  onClick={() => void acknowledge(s)}
                >
                  {t('inbox.acknowledge')}
                </button>
              </div>
            )}
          />
        </>
      )}
    </section>
  );
}
