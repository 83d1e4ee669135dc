import { type Actor, systemActor } from '../../events/actor.ts';
import type { AdvisoryPurpose, MaybeRecipient } from '../../events/advisory/advisory.ts';
import type { RecipientCommand, RecipientContext } from '../../events/advisory/decide.ts';
import type { RelayPolicy } from '../../events/policy.ts';
import { advisories, RECIPIENT_STREAM_PREFIX, recipients } from './advisories.ts';
import { type Aggregate, type Loaded, loadAggregate, runCommand } from './command-runner.ts';
import { AttemptFailed, type RetriedAttempt } from './delivery-retry.ts';
import { type GroupedCommand, runGrouped } from './group-commit.ts';
import { logger } from './logger.ts';
import type { OutboundNotification } from './notifier.ts';
import { policy } from './policy-config.ts';
import type { Outcome } from './senders.ts';
import { store } from './store.ts';

const actor = systemActor('notifier');

/**
 * Delivers one message to the advisory chain (a hop's forward request, an escalation, the
 * window's result) and records it on the advisory's stream. A key already recorded is not
 * sent again (a redelivered queue message). Recipients' messages go through deliverRecipientBatch.
 */
export function deliverAdvisoryMessage(
  message: OutboundNotification,
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<void> {
  const about = { key: message.key, purpose: message.purpose as AdvisoryPurpose, channel: message.channel };
  return deliverOnce(
    advisories,
    message.streamId.slice('advisory#'.length),
    message,
    send,
    (outcome) => ({
      type: 'RecordAdvisoryNotification' as const,
      data: { ...about, to: message.to, outcome },
    }),
    (retried) => ({ type: 'RecordAdvisoryNotificationAttempt' as const, data: { ...about, ...retried } }),
  );
}

/**
 * Sends a message of a stream once and records the attempt on it: a key the stream already
 * records is not sent again (a redelivered queue message). The stream is read once; the
 * record is appended on what was read (a change meanwhile costs a reload and a retry).
 * A transient failure the queue retries ({@link AttemptFailed}) is recorded with `recordAttempt`
 * and thrown on, for the queue to retry the message after its backoff.
 */
export function deliverOnce<
  S extends { readonly deliveries: readonly { readonly key: string }[] } | null,
  E extends { type: string; data: unknown },
  C,
>(
  aggregate: Aggregate<S, E, C, { now: string; actor: Actor; policy: RelayPolicy }>,
  id: string,
  message: OutboundNotification,
  send: (m: OutboundNotification) => Promise<Outcome>,
  record: (outcome: Outcome) => C,
  recordAttempt?: (retried: RetriedAttempt) => C,
): Promise<void> {
  return deliverOnceWith(aggregate, id, message, send, record, (now) => ({ now, actor, policy }), {
    ...(recordAttempt ? { recordAttempt } : {}),
  });
}

/**
 * deliverOnce with the decision's context given (`now` is the time of the record), for streams
 * whose decisions need more than the relay policy. With `mayBeNew`, a stream without events yet
 * (a survey's response stream before the organisation answers) is recorded on as it is. With
 * `recordAttempt`, a failed attempt the queue retries is recorded before it is thrown on; a
 * failure to record it is logged, and the queue retries the message all the same.
 */
export async function deliverOnceWith<
  S extends { readonly deliveries?: readonly { readonly key: string }[] | undefined } | null,
  E extends { type: string; data: unknown },
  C,
  X extends { now: string; actor: Actor },
>(
  aggregate: Aggregate<S, E, C, X>,
  id: string,
  message: OutboundNotification,
  send: (m: OutboundNotification) => Promise<Outcome>,
  record: (outcome: Outcome) => C,
  context: (now: string) => X,
  {
    mayBeNew = false,
    recordAttempt,
  }: { mayBeNew?: boolean; recordAttempt?: (retried: RetriedAttempt) => C } = {},
): Promise<void> {
  const loaded = await loadAggregate(store, aggregate, id);
  if (loaded.state === null && !mayBeNew)
    throw new Error(`no ${aggregate.streamType} ${id} for notification ${message.key}`);
  if (loaded.state?.deliveries?.some((d) => d.key === message.key)) return;
  const recordOn = (command: C) =>
    runCommand(store, aggregate, id, command, context(new Date().toISOString()), {
      retryOnConflict: true,
      loaded,
    });
  let outcome: Outcome;
  try {
    outcome = await send(message);
  } catch (error) {
    if (error instanceof AttemptFailed && recordAttempt) {
      await recordOn(recordAttempt(error.retried)).catch((recording: unknown) =>
        logger.warn('recording a failed attempt failed; the queue retries the message all the same', {
          key: message.key,
          error: recording as Error,
        }),
      );
    }
    throw error;
  }
  await recordOn(record(outcome));
}

/** True for a message to an advisory recipient (recorded on the recipient's stream). */
export const isRecipientMessage = (m: OutboundNotification) => m.streamId.startsWith(RECIPIENT_STREAM_PREFIX);

/**
 * Delivers a queue batch of recipient messages: skips keys already recorded, sends the rest
 * at once, and records every outcome, and every failed attempt the queue retries, in as few
 * transactions as the store allows (group commit across the recipients' streams). Returns the
 * indexes that failed, for the queue to retry; a failed send is retried alone, a failed record
 * retries the batch's unrecorded ones.
 */
export async function deliverRecipientBatch(
  messages: readonly OutboundNotification[],
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<number[]> {
  const now = new Date().toISOString();
  const failed: number[] = [];
  /** Commands to record; `retried`: a failed attempt's, whose message the queue retries whatever comes of it. */
  const toRecord: {
    index: number;
    retried: boolean;
    command: GroupedCommand<RecipientCommand, RecipientContext>;
  }[] = [];
  await Promise.all(
    messages.map(async (message, index) => {
      const id = message.streamId.slice(RECIPIENT_STREAM_PREFIX.length);
      const [advisoryId = '', org = ''] = id.split('#');
      const about = {
        advisoryId,
        org,
        key: message.key,
        purpose: message.purpose === 'reminder' ? ('reminder' as const) : ('advisory' as const),
        contactId: message.contactId ?? 'unknown',
        channel: message.channel,
      };
      let loaded: Loaded<MaybeRecipient> | undefined;
      const record = (command: RecipientCommand, retried: boolean) =>
        toRecord.push({
          index,
          retried,
          command: {
            id,
            command,
            ctx: { now, actor, policy, advisory: null },
            ...(loaded ? { loaded } : {}),
          },
        });
      try {
        loaded = await loadAggregate(store, recipients, id);
        if (loaded.state?.deliveries.some((d) => d.key === message.key)) return;
        const outcome = await send(message);
        record({ type: 'RecordDelivery', data: { ...about, to: message.to, outcome } }, false);
      } catch (error) {
        logger.warn('delivery failed; the queue will retry it', { key: message.key, error: error as Error });
        failed.push(index);
        if (error instanceof AttemptFailed)
          record({ type: 'RecordDeliveryAttempt', data: { ...about, ...error.retried } }, true);
      }
    }),
  );
  if (toRecord.length === 0) return failed;
  const delivered = toRecord.filter((r) => !r.retried).map((r) => r.index);
  try {
    const outcomes = await runGrouped(
      store,
      recipients,
      toRecord.map((r) => r.command),
    );
    outcomes.forEach((outcome, i) => {
      const r = toRecord[i];
      if (!outcome.ok && r && !r.retried) failed.push(r.index);
    });
  } catch (error) {
    logger.warn('recording deliveries failed; the queue will retry them', { error: error as Error });
    failed.push(...delivered);
  }
  return failed;
}
