import type { AddressInfo } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import type { LocalLog } from './dynamodb.ts';
import { PollLoop, type PollPauseOptions, pollPauses } from './poll-loop.ts';

// SNS and SQS for the local stack: fauxqs (in-process, in memory) serves both APIs on one
// loopback port, and pollQueue plays Lambda's SQS event source mapping. fauxqs's SNS fans
// out to SQS subscriptions only: no SMS, e-mail, HTTP or Lambda protocols.

/** An SQS-triggered handler with Lambda's signature (ReportBatchItemFailures enabled). */
// biome-ignore lint/suspicious/noConfusingVoidType: Lambda handlers that return nothing are `async () => {}`, i.e. Promise<void>.
export type QueueHandler = (event: SQSEvent) => Promise<void | SQSBatchResponse>;

/** Options of {@link startLocalMessaging}. */
export interface LocalMessagingOptions {
  /** TCP port on 127.0.0.1; a free one when omitted. */
  readonly port?: number;
  /** Region of every topic and queue ARN (clients may sign with any region); default ap-northeast-1. */
  readonly region?: string;
  readonly log?: LocalLog;
}

/** How {@link LocalMessaging.subscribeQueue} sets up the queue and the subscription. */
export interface SubscribeQueueOptions {
  /** Deliver the bare message instead of the SNS JSON envelope (SNS `RawMessageDelivery`). Default false. */
  readonly rawMessageDelivery?: boolean;
  /** How long a received but not deleted message stays hidden before redelivery; default 30 (SQS's default). */
  readonly visibilityTimeoutSeconds?: number;
  /** Move a message to this queue after maxReceiveCount receives (SQS redrive policy). */
  readonly deadLetter?: { readonly queueName: string; readonly maxReceiveCount: number };
}

/** Options of {@link LocalMessaging.pollQueue}. */
export interface PollQueueOptions extends PollPauseOptions {
  readonly queueUrl: string;
  readonly handler: QueueHandler;
  /** Messages per handler call; Lambda's default 10. */
  readonly batchSize?: number;
}

/** A running queue poller. */
export interface QueuePoller {
  /**
   * Resolves once a receive issued after the call found no visible message and no batch is in
   * the handler. Failed messages hidden until their visibility timeout do not hold it back.
   */
  idle(): Promise<void>;
  /** Ends the pause between empty receives: a message may have been sent (it receives at once). */
  nudge(): void;
  /** How many batches it has handed to the handler so far. */
  readonly workDone: number;
  /** Lets the in-flight batch finish (and be deleted), then stops. Idempotent. */
  stop(): Promise<void>;
}

/** The local SNS/SQS endpoint and helpers. */
export interface LocalMessaging {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_SNS` and `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  readonly region: string;
  /** Creates (idempotently) a standard topic and returns its ARN. */
  createTopic(name: string): Promise<string>;
  /** Creates the queue if needed, subscribes it to the topic (optional filter policy) and returns its URL. */
  subscribeQueue(
    topicArn: string,
    queueName: string,
    filterPolicy?: Record<string, unknown>,
    options?: SubscribeQueueOptions,
  ): Promise<string>;
  /** Creates (idempotently) a plain queue and returns its URL. */
  createQueue(
    queueName: string,
    options?: Omit<SubscribeQueueOptions, 'rawMessageDelivery'>,
  ): Promise<string>;
  /** Sends one message straight to a queue (tests, replays). */
  sendMessage(queueUrl: string, body: string): Promise<string>;
  /** Counts of messages in a queue: visible, in flight (received, not deleted) and delayed. */
  queueCounts(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  /** Feeds a queue's messages to `handler` with Lambda's SQS event source semantics. */
  pollQueue(options: PollQueueOptions): QueuePoller;
  /** Stops every poller, then the server. Idempotent. */
  stop(): Promise<void>;
}

const silent: LocalLog = { info: () => {}, warn: () => {} };

/** Starts fauxqs on 127.0.0.1 and returns the SNS/SQS endpoint with topic, queue and poller helpers. */
export async function startLocalMessaging(options: LocalMessagingOptions = {}): Promise<LocalMessaging> {
  const log = options.log ?? silent;
  const region = options.region ?? 'ap-northeast-1';
  // buildApp + our own listen(): startFauxqs would bind 0.0.0.0, and this is a loopback-only service.
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const sns = new SNSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const sqs = sqsJsonClient(endpoint);
  const pollers = new Set<QueuePoller>();
  log.info(`SNS/SQS (fauxqs) ready on ${endpoint}`);

  async function createQueue(
    queueName: string,
    queueOptions: Omit<SubscribeQueueOptions, 'rawMessageDelivery'> = {},
  ): Promise<string> {
    const attributes: Record<string, string> = {
      VisibilityTimeout: String(queueOptions.visibilityTimeoutSeconds ?? 30),
    };
    if (queueOptions.deadLetter !== undefined) {
      const dlqUrl = await createQueue(queueOptions.deadLetter.queueName);
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: await queueArnOf(dlqUrl),
        maxReceiveCount: String(queueOptions.deadLetter.maxReceiveCount),
      });
    }
    const out = await sqs<{ QueueUrl: string }>('CreateQueue', {
      QueueName: queueName,
      Attributes: attributes,
    });
    return out.QueueUrl;
  }

  async function queueArnOf(queueUrl: string): Promise<string> {
    const out = await sqs<{ Attributes?: Record<string, string> }>('GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn'],
    });
    const arn = out.Attributes?.QueueArn;
    if (arn === undefined) throw new Error(`no ARN for queue ${queueUrl}`);
    return arn;
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    region,
    async createTopic(name) {
      const out = await sns.send(new CreateTopicCommand({ Name: name }));
      if (out.TopicArn === undefined) throw new Error(`CreateTopic ${name} returned no ARN`);
      return out.TopicArn;
    },
    async subscribeQueue(topicArn, queueName, filterPolicy, subscribeOptions = {}) {
      const queueUrl = await createQueue(queueName, subscribeOptions);
      const attributes: Record<string, string> = {};
      if (filterPolicy !== undefined) attributes.FilterPolicy = JSON.stringify(filterPolicy);
      if (subscribeOptions.rawMessageDelivery === true) attributes.RawMessageDelivery = 'true';
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: await queueArnOf(queueUrl),
          Attributes: attributes,
          ReturnSubscriptionArn: true,
        }),
      );
      return queueUrl;
    },
    createQueue,
    async sendMessage(queueUrl, body) {
      const out = await sqs<{ MessageId: string }>('SendMessage', { QueueUrl: queueUrl, MessageBody: body });
      return out.MessageId;
    },
    async queueCounts(queueUrl) {
      const out = await sqs<{ Attributes?: Record<string, string> }>('GetQueueAttributes', {
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      });
      return {
        visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },
    pollQueue(pollOptions) {
      const poller = startQueuePoller(pollOptions, sqs, queueArnOf, region, log);
      pollers.add(poller);
      return {
        idle: () => poller.idle(),
        nudge: () => poller.nudge(),
        get workDone() {
          return poller.workDone;
        },
        stop: async () => {
          await poller.stop();
          pollers.delete(poller);
        },
      };
    },
    stop() {
      stopped ??= (async () => {
        await Promise.all([...pollers].map((p) => p.stop()));
        pollers.clear();
        sns.destroy();
        await app.close();
        log.info(`SNS/SQS (fauxqs) on ${endpoint} stopped`);
      })();
      return stopped;
    },
  };
}

type SqsCall = <T>(action: string, body: Record<string, unknown>) => Promise<T>;

/** Error answered by the SQS API (`name` is the SQS error code). */
export class SqsApiError extends Error {}

/**
 * A minimal client for SQS's JSON protocol. fauxqs needs no signature, and the package set has
 * no @aws-sdk/client-sqs of its own; this also avoids the SDK sending requests to the queue
 * URL's `sqs.<region>.localhost` host, which does not resolve everywhere.
 */
function sqsJsonClient(endpoint: string): SqsCall {
  return async <T>(action: string, body: Record<string, unknown>): Promise<T> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!response.ok) {
      const type = String(json.__type ?? 'SqsError');
      const error = new SqsApiError(`SQS ${action}: ${String(json.message ?? json.Message ?? text)}`);
      error.name = type.slice(type.lastIndexOf('#') + 1);
      throw error;
    }
    return json as T;
  };
}

interface WireMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  MD5OfMessageAttributes?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<
    string,
    {
      DataType: string;
      StringValue?: string;
      BinaryValue?: string;
      StringListValues?: string[];
      BinaryListValues?: string[];
    }
  >;
}

function startQueuePoller(
  options: PollQueueOptions,
  sqs: SqsCall,
  queueArnOf: (queueUrl: string) => Promise<string>,
  region: string,
  log: LocalLog,
): QueuePoller {
  const batchSize = Math.max(options.batchSize ?? 10, 1);
  const { pollIntervalMs, idlePollMaxMs } = pollPauses(options);
  const poll = new PollLoop('queue poller');
  let queueArn: string | undefined;

  async function receive(): Promise<WireMessage[]> {
    const messages: WireMessage[] = [];
    // Lambda fills a batch from several receives of at most 10 messages each.
    while (messages.length < batchSize) {
      const out = await sqs<{ Messages?: WireMessage[] }>('ReceiveMessage', {
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      });
      const got = out.Messages ?? [];
      messages.push(...got);
      if (got.length === 0) break;
    }
    return messages;
  }

  async function remove(records: readonly SQSRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      const out = await sqs<{ Failed?: { Id: string; Message?: string }[] }>('DeleteMessageBatch', {
        QueueUrl: options.queueUrl,
        Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      });
      for (const failure of out.Failed ?? []) {
        log.warn(
          `queue ${options.queueUrl}: delete failed (${failure.Message}); the message will come again`,
        );
      }
    }
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!poll.stopping) {
      const thisCycle = poll.nextCycle();
      try {
        queueArn ??= await queueArnOf(options.queueUrl);
        const messages = await receive();
        if (messages.length === 0) {
          poll.quiet(thisCycle);
          if (!poll.stopping) await poll.sleep(poll.quietPause(pollIntervalMs, idlePollMaxMs));
          continue;
        }
        const arn = queueArn;
        const records = messages.map((message) => toLambdaRecord(message, arn, region));
        let failed: ReadonlySet<string>;
        try {
          const response = await options.handler({
            Records: records.map((record) => structuredClone(record)),
          });
          failed = failedIds(response, records);
        } catch (error) {
          failed = new Set(records.map((record) => record.messageId));
          log.warn(
            `queue ${options.queueUrl}: handler failed on ${records.length} message(s); ` +
              `they return after the visibility timeout: ${(error as Error)?.message ?? String(error)}`,
          );
        }
        // Like Lambda: delete what succeeded, leave failures to reappear after the visibility timeout.
        await remove(records.filter((record) => !failed.has(record.messageId)));
        poll.worked();
        failures = 0;
      } catch (error) {
        failures += 1;
        log.warn(`queue ${options.queueUrl}: poll failed (${failures}): ${(error as Error)?.message}`);
        if (!poll.stopping) await poll.sleep(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }

  const running = loop();
  return {
    idle: () => poll.idle(),
    nudge: () => poll.nudge(),
    get workDone() {
      return poll.workDone;
    },
    stop: () => poll.stop(running),
  };
}

/** Message ids to leave in the queue per the partial batch response (Lambda's rules). */
function failedIds(response: unknown, records: readonly SQSRecord[]): ReadonlySet<string> {
  const failures = (response as SQSBatchResponse | undefined | null)?.batchItemFailures;
  if (failures === undefined || failures === null || failures.length === 0) return new Set();
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    // An empty or unknown itemIdentifier makes Lambda treat the whole batch as failed.
    if (!ids.has(failure?.itemIdentifier)) return ids;
    failed.add(failure.itemIdentifier);
  }
  return failed;
}

/** The record exactly as Lambda's SQS event source passes it. */
function toLambdaRecord(message: WireMessage, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: value.BinaryValue }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: value.BinaryListValues ?? [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...Object.fromEntries(
        ['SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'AWSTraceHeader']
          .filter((name) => attributes[name] !== undefined)
          .map((name) => [name, attributes[name]]),
      ),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
