import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { logger } from '../runtime/logger.ts';
import type { Outcome, Sender } from './senders.ts';

/** Attempts at one message: the notification queues' maxReceiveCount (infra/stack.ts, local/stack.ts). */
export const MAX_ATTEMPTS = 5;

/** The attempt a queue record is: SQS counts every receive. */
export const attemptOf = (record: Partial<Pick<SQSRecord, 'attributes'>>): number =>
  Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);

/**
 * Seconds before the attempt after `attempt` failed: 30 s, 1, 2, then 4 minutes (7.5 minutes
 * from the first attempt to the fifth), divided by CEPTOAR_TIME_SCALE locally, never under 1 s.
 */
export const retryDelaySeconds = (attempt: number, timeScale = 1): number =>
  Math.max(1, Math.round((30 * 2 ** (Math.max(1, attempt) - 1)) / timeScale));

/** A failed attempt the queue retries, as the log records it: what failed, never a body, an address or a secret. */
export interface RetriedAttempt {
  readonly attempt: number;
  /** The HTTP status a webhook answered with (absent when no answer came). */
  readonly status?: number;
  /** The failure's class: `HTTP 503`, `TimeoutError`, `ECONNREFUSED`, an SDK exception's name. */
  readonly error: string;
  /** When the queue gives the message back: this attempt's backoff from now. */
  readonly nextAttemptAt: string;
}

/** Thrown for a transient failure before the last attempt: the queue retries the message. */
export class AttemptFailed extends Error {
  override readonly name = 'AttemptFailed';
  constructor(
    readonly retried: RetriedAttempt,
    options: { cause: unknown },
  ) {
    super(`attempt ${retried.attempt} failed (${retried.error}); next at ${retried.nextAttemptAt}`, options);
  }
}

const ERROR_CLASS = /^[A-Za-z][\w.-]{0,63}$/;

/**
 * The class of a transient failure, for the log: a webhook's HTTP status, a network error's code
 * (`ECONNREFUSED`, on fetch's cause) or the error's name. Never its message, which may quote an
 * address or an answer.
 */
export function failureClass(error: unknown): { status?: number; error: string } {
  const e = error as { name?: unknown; status?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.status === 'number' && Number.isInteger(e.status))
    return { status: e.status, error: `HTTP ${e.status}` };
  for (const candidate of [e?.cause?.code, e?.code, e?.name])
    if (typeof candidate === 'string' && ERROR_CLASS.test(candidate)) return { error: candidate };
  return { error: 'Error' };
}

/**
 * A sender whose transient failure on the last attempt becomes a permanent one, recorded on the
 * stream like a refusal: no message the events promise ends in the dead-letter queue unrecorded.
 * Earlier transient failures are thrown as {@link AttemptFailed}, for the deliverer to record the
 * attempt and the queue to retry it after its backoff.
 */
export function lastAttemptRecorded(
  send: Sender,
  attempt: number,
  timeScale = 1,
  now: () => Date = () => new Date(),
): Sender {
  return async (m): Promise<Outcome> => {
    try {
      return await send(m);
    } catch (error) {
      if (attempt < MAX_ATTEMPTS) {
        const next = now().getTime() + retryDelaySeconds(attempt, timeScale) * 1000;
        throw new AttemptFailed(
          { attempt, ...failureClass(error), nextAttemptAt: new Date(next).toISOString() },
          { cause: error },
        );
      }
      // The class, never the message: it may quote the address or the receiver's answer, and the reason
      // is recorded on the stream and shown to the chain.
      return { ok: false, reason: `gave up after ${attempt} attempts: ${failureClass(error).error}` };
    }
  };
}

/**
 * Backs off a failed message: hides it for {@link retryDelaySeconds} of its attempt, instead of
 * the queue's fixed visibility timeout. A failure to do so leaves that timeout in force.
 */
export function backoff(client: SQSClient, timeScale: number) {
  const urls = new Map<string, Promise<string>>();
  const urlOf = (arn: string) => {
    let url = urls.get(arn);
    if (!url) {
      const [, , , , account, name] = arn.split(':');
      url = client
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((out) => out.QueueUrl ?? Promise.reject(new Error(`no URL for ${arn}`)));
      url.catch(() => urls.delete(arn));
      urls.set(arn, url);
    }
    return url;
  };
  return async (records: readonly SQSRecord[]): Promise<void> => {
    await Promise.all(
      records.map(async (record) => {
        const attempt = attemptOf(record);
        if (attempt >= MAX_ATTEMPTS) return;
        try {
          await client.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: await urlOf(record.eventSourceARN),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: retryDelaySeconds(attempt, timeScale),
            }),
          );
        } catch (error) {
          logger.warn('could not back off a failed delivery; the queue retries it at its timeout', {
            messageId: record.messageId,
            error: error as Error,
          });
        }
      }),
    );
  };
}
