import type {
  AdvisoryEvent,
  AdvisoryPurpose,
  MaybeAdvisory,
  MaybeRecipient,
  RecipientEvent,
} from '../../events/advisory/advisory.ts';
import type {
  AdvisoryCommand,
  AdvisoryContext,
  RecipientCommand,
  RecipientContext,
} from '../../events/advisory/decide.ts';
import { advisories, RECIPIENT_STREAM_PREFIX, recipients } from '../aggregates/advisories.ts';
import { policy } from '../runtime/policy-config.ts';
import {
  type BatchFailure,
  type BatchTarget,
  deliverBatch,
  NOTIFIER,
  policyContexts,
  recordedOn,
} from './delivery-batch.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';

/** True for a message of the advisory chain itself (a hop's forward request, an escalation, the window's result). */
export const isAdvisoryMessage = (m: Pick<OutboundNotification, 'streamId'>) =>
  m.streamId.startsWith('advisory#');

/**
 * An advisory's own stream, where the chain's messages are recorded (`NotificationDelivered` or `NotificationFailed`, and each
 * failed attempt the queue retries). A message of an advisory the log does not hold is not sent: it fails,
 * and the queue tries it again.
 */
const chainTarget: BatchTarget<MaybeAdvisory, AdvisoryEvent, AdvisoryCommand, AdvisoryContext> = {
  aggregate: advisories,
  streamOf: (message) => message.streamId.slice('advisory#'.length),
  delivered: (state, key) => recordedOn(state, 'advisory', key),
  outcome: (message, outcome) => ({
    type: 'RecordAdvisoryNotification',
    data: { ...chainAbout(message), to: message.to, outcome },
  }),
  attempt: (message, retried) => ({
    type: 'RecordAdvisoryNotificationAttempt',
    data: { ...chainAbout(message), ...retried },
  }),
  contexts: policyContexts,
};

const chainAbout = (message: OutboundNotification) => ({
  key: message.key,
  purpose: message.purpose as AdvisoryPurpose,
  channel: message.channel,
});

/**
 * Delivers a queue batch of the advisory chain's messages and records them on their advisories' streams
 * (deliverBatch: one append per advisory, the appends grouped).
 */
export const deliverAdvisoryBatch = (
  messages: readonly OutboundNotification[],
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<BatchFailure[]> => deliverBatch(chainTarget, messages, send);

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
  contexts: () => async (_message, now) => ({ now, actor: NOTIFIER, policy, advisory: null }),
};

/** The recipient message a delivery fact is about. */
function about(message: OutboundNotification) {
  const [advisoryId = '', org = ''] = message.streamId.slice(RECIPIENT_STREAM_PREFIX.length).split('#');
  return {
    advisoryId,
    org,
    ...(message.sector ? { sector: message.sector } : {}),
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
