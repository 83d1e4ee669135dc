import type { Channel } from '../../../events/incident/incident.ts';
import { type attemptSummary, messageRows, type ShownAttempt } from '../deliveries.ts';
import { isMessageKey } from '../i18n/index.ts';
import { useT } from '../i18n/lang.ts';
import { useFormatTime } from './ui.tsx';

/** "3 (last: HTTP 503, 10:42:05)": the failed attempts before an outcome, or a dash when none failed. */
export function AttemptsLine(props: { summary: ReturnType<typeof attemptSummary> }) {
  const t = useT();
  const time = useFormatTime({ seconds: true });
  const { summary } = props;
  if (summary === null) return <>—</>;
  return (
    <span class="attempts">
      {t('messages.attempts', { count: summary.count, error: summary.error, time: time(summary.at) })}
    </span>
  );
}

/**
 * The messages a stream sent (an incident's relay notifications, an advisory chain's requests):
 * each one's purpose, channel, outcome, and the failed attempts the queue retried before it.
 */
export function MessageTable<P extends string>(props: {
  titleId: string;
  deliveries: readonly { key: string; at: string; purpose: P; channel: Channel; ok: boolean }[];
  attempts: readonly (ShownAttempt & { key: string; purpose: P })[];
}) {
  const t = useT();
  const time = useFormatTime({ seconds: true });
  const rows = messageRows(props.deliveries, props.attempts);
  if (rows.length === 0) return <p>{t('messages.empty')}</p>;
  return (
    <table class="messages" aria-labelledby={props.titleId}>
      <thead>
        <tr>
          <th scope="col">{t('messages.col.purpose')}</th>
          <th scope="col">{t('messages.col.contact')}</th>
          <th scope="col">{t('messages.col.channel')}</th>
          <th scope="col">{t('messages.col.outcome')}</th>
          <th scope="col">{t('messages.col.attempts')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const purpose = `purpose.${r.purpose}`;
          return (
            <tr key={r.key} data-key={r.key} data-channel={r.channel}>
              <th scope="row">{isMessageKey(purpose) ? t(purpose) : r.purpose}</th>
              <td data-label={t('messages.col.contact')}>{r.contact}</td>
              <td data-label={t('messages.col.channel')}>{t(`channel.${r.channel}`)}</td>
              <td class="outcome" data-label={t('messages.col.outcome')}>
                {r.outcome === null
                  ? t('messages.retrying', { time: r.attempts ? time(r.attempts.nextAttemptAt) : '—' })
                  : t(r.outcome.ok ? 'messages.delivered' : 'messages.failed', { time: time(r.outcome.at) })}
              </td>
              <td data-label={t('messages.col.attempts')}>
                <AttemptsLine summary={r.attempts} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
