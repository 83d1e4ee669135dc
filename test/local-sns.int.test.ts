import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMessaging, startLocalMessaging } from '../local/sns.ts';

let messaging: LocalMessaging;
let sns: SNSClient;

beforeAll(async () => {
  messaging = await startLocalMessaging();
  // Any region and credentials work: topics are looked up by ARN.
  sns = new SNSClient({
    endpoint: messaging.endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  sns.destroy();
  await messaging.stop();
});

/** Collects every record the poller hands over. */
function collector() {
  const records: SQSRecord[] = [];
  const events: SQSEvent[] = [];
  return {
    records,
    events,
    handler: async (event: SQSEvent) => {
      events.push(event);
      records.push(...event.Records);
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('local SNS → SQS → handler', () => {
  it('listens on loopback and creates topics idempotently', async () => {
    expect(messaging.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const arn = await messaging.createTopic('idem-topic');
    expect(arn).toBe('arn:aws:sns:ap-northeast-1:000000000000:idem-topic');
    expect(await messaging.createTopic('idem-topic')).toBe(arn);
  });

  it('delivers the SNS JSON envelope by default and the bare message with raw delivery', async () => {
    const topicArn = await messaging.createTopic('envelope-topic');
    const enveloped = await messaging.subscribeQueue(topicArn, 'envelope-q');
    const raw = await messaging.subscribeQueue(topicArn, 'raw-q', undefined, { rawMessageDelivery: true });
    const a = collector();
    const b = collector();
    const pa = messaging.pollQueue({ queueUrl: enveloped, handler: a.handler });
    const pb = messaging.pollQueue({ queueUrl: raw, handler: b.handler });

    const message = JSON.stringify({ kind: 'incident', title: '制御系ネットワークで不審な通信' });
    const published = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: message,
        Subject: '続報',
        MessageAttributes: { channel: { DataType: 'String', StringValue: 'email' } },
      }),
    );
    await until(() => a.records.length === 1 && b.records.length === 1);
    await pa.idle();
    await pb.idle();

    const envelope = JSON.parse(a.records[0]?.body ?? '{}');
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: topicArn,
      Subject: '続報',
      Message: message,
      MessageAttributes: { channel: { Type: 'String', Value: 'email' } },
    });
    expect(a.records[0]?.messageAttributes).toEqual({});

    const record = b.records[0];
    expect(record?.body).toBe(message);
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-northeast-1:000000000000:raw-q',
      awsRegion: 'ap-northeast-1',
      messageAttributes: {
        channel: { stringValue: 'email', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String) },
    });
    expect(record?.messageId).toEqual(expect.any(String));
    expect(record?.receiptHandle).toEqual(expect.any(String));
    expect(record?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);

    // Handled messages are deleted.
    expect(await messaging.queueCounts(raw)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await messaging.queueCounts(enveloped)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await pa.stop();
    await pb.stop();
  });

  it('applies filter policies and PublishBatch, in batches of at most batchSize', async () => {
    const topicArn = await messaging.createTopic('filter-topic');
    const email = await messaging.subscribeQueue(
      topicArn,
      'filter-email',
      { channel: ['email'] },
      { rawMessageDelivery: true },
    );
    const sms = await messaging.subscribeQueue(
      topicArn,
      'filter-sms',
      { channel: ['sms'] },
      { rawMessageDelivery: true },
    );
    const entries = Array.from({ length: 10 }, (_, i) => ({
      Id: `m${i}`,
      Message: `message ${i}`,
      MessageAttributes: { channel: { DataType: 'String', StringValue: i % 2 === 0 ? 'email' : 'sms' } },
    }));
    const out = await sns.send(
      new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }),
    );
    expect(out.Successful).toHaveLength(10);

    const e = collector();
    const s = collector();
    const pe = messaging.pollQueue({ queueUrl: email, handler: e.handler, batchSize: 2 });
    const ps = messaging.pollQueue({ queueUrl: sms, handler: s.handler });
    await pe.idle();
    await ps.idle();
    expect(e.records.map((r) => r.body).sort()).toEqual([
      'message 0',
      'message 2',
      'message 4',
      'message 6',
      'message 8',
    ]);
    expect(s.records.map((r) => r.body).sort()).toEqual([
      'message 1',
      'message 3',
      'message 5',
      'message 7',
      'message 9',
    ]);
    expect(Math.max(...e.events.map((event) => event.Records.length))).toBeLessThanOrEqual(2);
    await pe.stop();
    await ps.stop();
  });

  it('redelivers after the visibility timeout when the handler throws, and honours partial batch responses', async () => {
    const topicArn = await messaging.createTopic('retry-topic');
    const queueUrl = await messaging.subscribeQueue(topicArn, 'retry-q', undefined, {
      rawMessageDelivery: true,
      visibilityTimeoutSeconds: 1,
    });
    for (let i = 0; i < 4; i++) await sns.send(new PublishCommand({ TopicArn: topicArn, Message: `m${i}` }));

    const seen: { body: string; receiveCount: string }[] = [];
    let calls = 0;
    const poller = messaging.pollQueue({
      queueUrl,
      handler: async (event) => {
        calls += 1;
        for (const r of event.Records)
          seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
        if (calls === 1) throw new Error('first batch fails');
        // Reject m1 once more (by messageId); the rest succeed.
        const m1 = event.Records.find((r) => r.body === 'm1' && r.attributes.ApproximateReceiveCount === '2');
        return m1 === undefined ? undefined : { batchItemFailures: [{ itemIdentifier: m1.messageId }] };
      },
    });
    const started = Date.now();
    await until(() => seen.some((s) => s.body === 'm1' && s.receiveCount === '3'), 8000);
    await poller.idle();
    const elapsed = Date.now() - started;

    const bodies = (count: string) =>
      seen
        .filter((s) => s.receiveCount === count)
        .map((s) => s.body)
        .sort();
    expect(bodies('1')).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(bodies('2')).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(bodies('3')).toEqual(['m1']);
    expect(elapsed).toBeGreaterThanOrEqual(1500); // two visibility timeouts of ~1 s each
    expect(await messaging.queueCounts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await poller.stop();
    await expect(poller.idle()).rejects.toThrow(/stopped/);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async () => {
    const queueUrl = await messaging.createQueue('bad-id-q', { visibilityTimeoutSeconds: 1 });
    await messaging.sendMessage(queueUrl, 'x');
    const counts: string[] = [];
    const poller = messaging.pollQueue({
      queueUrl,
      handler: async (event) => {
        counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        return counts.length === 1
          ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] }
          : undefined;
      },
    });
    await until(() => counts.length === 2, 5000);
    expect(counts).toEqual(['1', '2']);
    await poller.stop();
  });

  it('moves a message that keeps failing to the dead-letter queue', async () => {
    const topicArn = await messaging.createTopic('dlq-topic');
    const queueUrl = await messaging.subscribeQueue(topicArn, 'dlq-src', undefined, {
      visibilityTimeoutSeconds: 1,
      deadLetter: { queueName: 'dlq-dead', maxReceiveCount: 2 },
    });
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'poison' }));
    let attempts = 0;
    const poller = messaging.pollQueue({
      queueUrl,
      handler: async () => {
        attempts += 1;
        throw new Error('always fails');
      },
    });
    const dlqUrl = await messaging.createQueue('dlq-dead');
    await until(() => attempts === 2, 5000);
    const dead = collector();
    const deadPoller = messaging.pollQueue({ queueUrl: dlqUrl, handler: dead.handler });
    await until(() => dead.records.length === 1, 5000);
    expect(JSON.parse(dead.records[0]?.body ?? '{}').Message).toBe('poison');
    expect(attempts).toBe(2);
    await poller.stop();
    await deadPoller.stop();
  });

  it('does not accept SMS publishes (PhoneNumber): fauxqs has no SMS delivery', async () => {
    await expect(
      sns.send(new PublishCommand({ PhoneNumber: '+819012345678', Message: '【CEPTOAR】確認してください' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'TopicArn is required',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
