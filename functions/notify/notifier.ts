import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AdvisoryPurpose } from '../../events/advisory/advisory.ts';
import type { Channel, NotificationPurpose } from '../../events/incident/incident.ts';
import type { SectorId } from '../../events/sector/catalog.ts';
import type { SurveyPurpose } from '../../events/survey/survey.ts';
import { forEachLimit } from '../runtime/parallel.ts';

/** One message to one address on one channel; `key` makes its delivery idempotent. */
export interface OutboundNotification {
  readonly key: string;
  readonly streamId: string;
  readonly purpose: NotificationPurpose | AdvisoryPurpose | SurveyPurpose;
  /** The directory contact it goes to (advisory and survey recipients: their deliveries are recorded per contact). */
  readonly contactId?: string;
  /** The organisation of that contact: its key signs a webhook (absent on messages queued before it was added). */
  readonly org?: string;
  readonly channel: Channel;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** The contact's language, for a call: the voice that reads `body` (SSML) speaks it. */
  readonly lang?: 'ja' | 'en';
  /** An advisory recipient's message: the advisory's sector, recorded with the delivery (absent on older messages). */
  readonly sector?: SectorId;
}

/**
 * The subscription filter key: `relay` (incident messages, a handful at a time) or `advisory`
 * (fan-outs of thousands). Each flow has its own queue, so an advisory to every member never
 * queues an incident's relay notification behind it.
 */
export const flowOf = (m: Pick<OutboundNotification, 'streamId'>): 'relay' | 'advisory' =>
  m.streamId.startsWith('incident#') ? 'relay' : 'advisory';

/** The notifier port: hand messages to the delivery pipeline. */
export interface Notifier {
  publish(messages: readonly OutboundNotification[]): Promise<void>;
}

/** SNS's PublishBatch limit. */
const BATCH = 10;
/** PublishBatch calls in flight at once. */
const PARALLEL = 8;

/**
 * Publishes to the notifications topic in batches of ten, with the channel as a message
 * attribute so subscriptions can filter. Any failed entry fails the call: the stream
 * reaction is retried and delivery dedupes by key.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(messages: readonly OutboundNotification[]): Promise<void> {
    const batches: OutboundNotification[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
    // An advisory to thousands is hundreds of batches: send a few at a time, not one after another.
    await forEachLimit(batches, PARALLEL, (batch) => this.publishBatch(batch));
  }

  private async publishBatch(batch: readonly OutboundNotification[]): Promise<void> {
    const result = await this.client.send(
      new PublishBatchCommand({
        TopicArn: this.topicArn,
        PublishBatchRequestEntries: batch.map((m, j) => ({
          Id: `m${j}`,
          Message: JSON.stringify(m),
          MessageAttributes: {
            channel: { DataType: 'String', StringValue: m.channel },
            flow: { DataType: 'String', StringValue: flowOf(m) },
          },
        })),
      }),
    );
    if (result.Failed && result.Failed.length > 0) {
      throw new Error(`SNS refused ${result.Failed.length} of ${batch.length} notifications`);
    }
  }
}
