import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoff } from '../functions/notify/delivery-retry.ts';
import { type LocalMessaging, startLocalMessaging } from '../local/sns.ts';

// The deliverer's backoff against the local SQS (fauxqs), as the local stack runs it: a failed
// message stays hidden for its backoff, not the queue's (here 1 s) visibility timeout.
let messaging: LocalMessaging;
beforeAll(async () => {
  messaging = await startLocalMessaging({});
});
afterAll(async () => {
  await messaging?.stop();
});

/** How often a message that always fails is received in 2.5 s, with or without the backoff. */
async function receivesOfAFailingMessage(queueName: string, backOff: boolean): Promise<number> {
  const queueUrl = await messaging.createQueue(queueName, { visibilityTimeoutSeconds: 1 });
  await messaging.sendMessage(queueUrl, '{}');
  const client = new SQSClient({
    endpoint: messaging.endpoint,
    region: messaging.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  const retryLater = backoff(client, 1);
  const received: SQSRecord[] = [];
  const poller = messaging.pollQueue({
    queueUrl,
    handler: async (event) => {
      received.push(...event.Records);
      if (backOff) await retryLater(event.Records);
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await poller.stop();
  client.destroy();
  return received.length;
}

describe('backing off a failed delivery', () => {
  it('hides the message for its backoff (30 s after a first attempt) instead of the queue’s timeout', async () => {
    expect(await receivesOfAFailingMessage('without-backoff', false)).toBeGreaterThanOrEqual(2);
    expect(await receivesOfAFailingMessage('with-backoff', true)).toBe(1);
  });
});
