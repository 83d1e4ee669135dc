import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Channel } from '../events/incident/incident.ts';
import {
  deliverAdvisoryBatch,
  deliverRecipientBatch,
  isAdvisoryMessage,
  isRecipientMessage,
} from './notify/advisory-delivery.ts';
import type { BatchFailure } from './notify/delivery-batch.ts';
import { attemptOf, backoff, lastAttemptRecorded } from './notify/delivery-retry.ts';
import { deliverIncidentBatch, isIncidentMessage } from './notify/incident-delivery.ts';
import type { OutboundNotification } from './notify/notifier.ts';
import type { Outcome } from './notify/senders.ts';
import { emailSender, onFirstUse, type Sender, smsSender, webhookSender } from './notify/senders.ts';
import { deliverSurveyBatch, isSurveyMessage } from './notify/survey-delivery.ts';
import { directoryWebhookKeys, webhookMasterKey } from './notify/webhook-signing.ts';
import { importLazy } from './runtime/lazy-module.ts';
import { logger } from './runtime/logger.ts';
import { timeScale } from './runtime/policy-config.ts';
import { reader } from './store/reader.ts';

const senders: Record<Channel, Sender> = {
  email: emailSender(
    new SESv2Client({}),
    getStringFromEnv({ key: 'EMAIL_FROM', defaultValue: 'noreply@ceptoar.example' }),
  ),
  sms: smsSender(new SNSClient({})),
  webhook: webhookSender(directoryWebhookKeys(reader, webhookMasterKey), {
    // Set by the local stack only: a receiver on this machine is reached without a certificate.
    loopbackHttp:
      getStringFromEnv({ key: 'CEPTOAR_WEBHOOK_LOOPBACK_HTTP', defaultValue: 'false' }) === 'true',
  }),
  // Unset where the deployment has no origination identity for calls: each call is then a recorded failure.
  // Calls are rare: their module (End User Messaging's client) is loaded with the first.
  voice: onFirstUse(async () =>
    (await importLazy<typeof import('./notify/voice-sender.ts')>('voice-sender')).deploymentVoiceSender(
      getStringFromEnv({ key: 'VOICE_ORIGINATION_IDENTITY', defaultValue: '' }) || undefined,
    ),
  ),
};

// Raw delivery gives the message itself; the default SNS→SQS delivery wraps it in an envelope.
function parse(body: string): OutboundNotification {
  const json = JSON.parse(body) as { Type?: string; Message?: string };
  return (
    json.Type === 'Notification' && typeof json.Message === 'string' ? JSON.parse(json.Message) : json
  ) as OutboundNotification;
}

/** The sender of a record's message: its channel's, giving up for the record on its last attempt. */
const senderFor = (record: SQSRecord): Sender => {
  const attempt = attemptOf(record);
  return lastAttemptRecorded((m) => senders[m.channel](m), attempt, timeScale);
};

const retryLater = backoff(new SQSClient({ useQueueUrlAsEndpoint: false }), timeScale);

/**
 * Every kind of message, sent and recorded a batch at a time on the stream it belongs to: an incident's,
 * an advisory's, an advisory's recipient organisation's, a survey's response stream. Each kind's batch
 * is sent at once and recorded with as few transactions as the store allows (deliverBatch).
 */
const batched: {
  readonly is: (m: OutboundNotification) => boolean;
  readonly deliver: (
    messages: readonly OutboundNotification[],
    send: (m: OutboundNotification) => Promise<Outcome>,
  ) => Promise<BatchFailure[]>;
}[] = [
  { is: isIncidentMessage, deliver: deliverIncidentBatch },
  { is: isAdvisoryMessage, deliver: deliverAdvisoryBatch },
  { is: isRecipientMessage, deliver: deliverRecipientBatch },
  { is: isSurveyMessage, deliver: deliverSurveyBatch },
];

/**
 * SQS → one delivery per message, recorded on its stream; failures retry alone. A batch's messages
 * are sent together, a batch per kind, and recorded with as few transactions as the store allows.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: { itemIdentifier: string }[] = [];
  /** The failed messages whose send failed (the policy's backoff); the others failed on the table. */
  const sendFailed = new Set<string>();
  const parsed = event.Records.map((record) => {
    try {
      const message = parse(record.body);
      return { record, message: typeof message?.streamId === 'string' ? message : undefined };
    } catch {
      return { record, message: undefined };
    }
  });
  const groups = batched.map(({ is, deliver: deliverGroup }) => ({
    deliver: deliverGroup,
    records: parsed.flatMap(({ record, message }) => (message && is(message) ? [{ record, message }] : [])),
  }));
  const grouped = new Set(groups.flatMap((g) => g.records.map((r) => r.record)));
  const batch = async ({ deliver: deliverGroup, records }: (typeof groups)[number]) => {
    if (records.length === 0) return;
    const sendersOf = new Map(records.map((r) => [r.message, senderFor(r.record)]));
    const failed = await deliverGroup(
      records.map((r) => r.message),
      (m) => (sendersOf.get(m) ?? senders[m.channel])(m),
    );
    for (const f of failed) {
      const record = records[f.index]?.record;
      if (!record) continue;
      failures.push({ itemIdentifier: record.messageId });
      if (f.sendFailed) sendFailed.add(record.messageId);
    }
  };
  // A body that does not parse, or names a stream no message is recorded on, is never sent: the queue
  // tries it again and, after its last receive, keeps it in the dead-letter queue.
  for (const { record, message } of parsed.filter(({ record }) => !grouped.has(record))) {
    logger.warn('delivery refused: not a notification of a known stream; the queue will retry it', {
      messageId: record.messageId,
      ...(message ? { streamType: message.streamId.split('#')[0] } : { body: 'not a notification' }),
    });
    failures.push({ itemIdentifier: record.messageId });
  }
  await Promise.all(groups.map(batch));
  // A failed send comes back after the policy's backoff (30 s, 1, 2, 4 min; scaled like every clock locally),
  // not the queue's fixed timeout. A message the table failed (unreachable, its record refused) keeps the
  // queue's visibility timeout, in real time: an outage of the store must not use up its five receives at the
  // policy's pace (under a time scale, five receives in about a second), leaving it dead-lettered unrecorded.
  await retryLater(event.Records.filter((r) => sendFailed.has(r.messageId)));
  return { batchItemFailures: failures };
};
