import { type Actor, systemActor } from '../../events/actor.ts';
import type { AdvisoryPurpose, MaybeRecipient, RecipientEvent } from '../../events/advisory/advisory.ts';
import type { RecipientCommand, RecipientContext } from '../../events/advisory/decide.ts';
import type { RelayPolicy } from '../../events/policy.ts';
import { advisories, RECIPIENT_STREAM_PREFIX, recipients } from '../aggregates/advisories.ts';
import { logger } from '../runtime/logger.ts';
import { policy } from '../runtime/policy-config.ts';
import { type Aggregate, loadDecisionState, runCommand } from '../store/command-runner.ts';
import { store } from '../store/store.ts';
import { type BatchFailure, type BatchTarget, deliverBatch } from './delivery-batch.ts';
import { AttemptFailed, type RetriedAttempt } from './delivery-retry.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';

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
 * records is not sent again (a redelivered queue message). The stream's decision state is read once; the
 * record is appended on what was read (a change meanwhile costs a reload and a retry).
 * A transient failure the queue retries ({@link AttemptFailed}) is recorded with `recordAttempt`
 * and thrown on, for the queue to retry the message after its backoff; a failure to record it is
 * logged, and the queue retries the message all the same.
 */
export async function deliverOnce<
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
  // The decision state (the newest event's snapshot, one Query): every recorded key is in it.
  const loaded = await loadDecisionState(store, aggregate, id);
  if (loaded.state === null)
    throw new Error(`no ${aggregate.streamType} ${id} for notification ${message.key}`);
  if (loaded.state.deliveries.some((d) => d.key === message.key)) return;
  const recordOn = (command: C) =>
    runCommand(
      store,
      aggregate,
      id,
      command,
      { now: new Date().toISOString(), actor, policy },
      { retryOnConflict: true, loaded },
    );
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

/** An advisory's recipient streams, where its messages to the recipient organisations are recorded. */
const recipientTarget: BatchTarget<MaybeRecipient, RecipientEvent, RecipientCommand, RecipientContext> = {
  aggregate: recipients,
  streamOf: (message) => message.streamId.slice(RECIPIENT_STREAM_PREFIX.length),
  delivered: (state, key) => state?.deliveries.some((d) => d.key === key) ?? false,
  outcome: (message, outcome) => ({
    type: 'RecordDelivery',
    data: { ...about(message), to: message.to, outcome },
  }),
  attempt: (message, retried) => ({ type: 'RecordDeliveryAttempt', data: { ...about(message), ...retried } }),
  contexts: () => async (_message, now) => ({ now, actor, policy, advisory: null }),
};

/** The recipient message a delivery fact is about. */
function about(message: OutboundNotification) {
  const [advisoryId = '', org = ''] = message.streamId.slice(RECIPIENT_STREAM_PREFIX.length).split('#');
  return {
    advisoryId,
    org,
    key: message.key,
    purpose: message.purpose === 'reminder' ? ('reminder' as const) : ('advisory' as const),
    contactId: message.contactId ?? 'unknown',
    channel: message.channel,
  };
}

/**
 * Delivers a queue batch of recipient messages: skips keys already recorded, sends the rest
 * at once, and records every outcome, and every failed attempt the queue retries, in as few
 * transactions as the store allows (group commit across the recipients' streams: deliverBatch).
 * Returns the indexes that failed, for the queue to retry.
 */
export const deliverRecipientBatch = (
  messages: readonly OutboundNotification[],
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<BatchFailure[]> => deliverBatch(recipientTarget, messages, send);
