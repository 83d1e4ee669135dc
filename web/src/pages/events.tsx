import { useState } from 'preact/hooks';
import { apiCall, type IncidentView, type Page, type StreamEvent } from '../api.ts';
import { Link, Notice, PageHeading, useFormatTime } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import { isMessageKey } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import { IncidentHeader } from './incident.tsx';

const PAGE = 100;

/** The stream's first pages (up to what the reader has asked for): version, type, time, actor, data. */
async function loadStream(id: string, pages: number) {
  const base = `/incidents/${encodeURIComponent(id)}`;
  const incident = await apiCall<IncidentView>('GET', base);
  const items: StreamEvent[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: Page<StreamEvent> = await apiCall('GET', `${base}/events?limit=${PAGE}${query}`);
    items.push(...page.items);
    cursor = page.cursor;
    if (!cursor) break;
  }
  return { incident, items, more: cursor !== null };
}

/** The message naming an event type, when there is one (the raw type is shown beside it anyway). */
export const eventTypeKey = (type: string): MessageKey | null => {
  const key = `eventType.${type}`;
  return isMessageKey(key) ? key : null;
};

/** What an event says, in a line: the data fields that matter to a reader, as `name: value`. */
function summarise(e: StreamEvent): string {
  const { data } = e;
  const pick = (...names: string[]) =>
    names
      .filter((n) => data[n] !== undefined && data[n] !== null)
      .map((n) => `${n}: ${typeof data[n] === 'object' ? JSON.stringify(data[n]) : String(data[n])}`)
      .join(' · ');
  switch (e.type) {
    case 'IncidentReported':
      return pick('org', 'reportedBy', 'secretariatDueAt');
    case 'FollowUpAdded':
      return pick('number', 'recoveryStatus', 'resubmitted', 'secretariatDueAt');
    case 'RelayApproved':
      return pick('note', 'ministryDueAt');
    case 'RelayReturned':
      return pick('note', 'memberDueAt');
    case 'ReceiptAcknowledged':
      return pick('hop', 'note', 'niscDueAt');
    case 'RelayWaitStarted':
      return pick('hop', 'attempt', 'dueAt');
    case 'HopDeadlineMissed':
      return pick('hop', 'escalation', 'missedDueAt', 'nextDueAt');
    case 'RelayStalled':
      return pick('hop', 'escalations');
    case 'StageWaitStarted':
      return pick('wait', 'attempt', 'dueAt');
    case 'StageReminderDue':
    case 'StageEscalated':
      return pick('stage', 'at', 'dueAt');
    case 'NotificationDelivered':
    case 'NotificationFailed':
      return pick('purpose', 'channel', 'to', 'reason');
    case 'NotificationAttemptFailed':
      return pick('purpose', 'channel', 'attempt', 'error', 'nextAttemptAt');
    default:
      return pick('note');
  }
}

/** GET /incidents/{id}/events as a timeline, oldest first, re-read while open. */
export function EventsPage(props: { id: string }) {
  const t = useT();
  // Auditors compare moments: seconds matter here.
  const time = useFormatTime({ seconds: true });
  const [pages, setPages] = useState(1);
  const polled = usePoll(() => loadStream(props.id, pages), [props.id, pages]);
  const data = polled.data;
  return (
    <section>
      <PageHeading>
        {data ? `${t('events.title')}: ${data.incident.report.title}` : t('events.title')}
      </PageHeading>
      <p>{t('events.intro')}</p>
      <p>
        <Link to={{ name: 'incident', id: props.id }}>{t('events.back')}</Link>
      </p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        polled.error === undefined && <p>{t('app.loading')}</p>
      ) : (
        <>
          <IncidentHeader incident={data.incident} />
          {data.items.length === 0 ? (
            <p>{t('events.empty')}</p>
          ) : (
            <ol class="stream">
              {data.items.map((e) => {
                const key = eventTypeKey(e.type);
                return (
                  <li key={e.version} class={`event event-${e.type}`}>
                    <div class="event-head">
                      <span class="event-version">{t('events.version', { n: e.version })}</span>
                      <strong>{key ? t(key) : e.type}</strong> <code>{e.type}</code>
                    </div>
                    <div class="event-line">
                      <time dateTime={e.recordedAt}>{time(e.recordedAt)}</time> ·{' '}
                      {t('events.by', { actor: e.actor.sub })}
                    </div>
                    <div class="event-line event-data">{summarise(e)}</div>
                  </li>
                );
              })}
            </ol>
          )}
          {data.more && (
            <button type="button" class="secondary" onClick={() => setPages((p) => p + 1)}>
              {t('events.more')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
