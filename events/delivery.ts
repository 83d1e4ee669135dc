import type { Channel } from './incident/incident.ts';

/** What a delivery attempt came to: the provider's message id, or why it failed. */
export type DeliveryOutcome = { ok: true; messageId: string } | { ok: false; reason: string };

/** The command data that records one message's delivery attempt on a stream. */
export interface DeliveryRecord<P extends string> {
  key: string;
  purpose: P;
  channel: Channel;
  to: string;
  outcome: DeliveryOutcome;
}

/**
 * The event that records a delivery attempt, or none when the stream already holds one for
 * this message's key (a redelivered queue message records nothing twice).
 */
export function decideDelivery<P extends string>(
  recorded: readonly { readonly key: string }[],
  record: DeliveryRecord<P>,
):
  | []
  | [
      {
        type: 'NotificationDelivered';
        data: { key: string; purpose: P; channel: Channel; to: string; messageId: string };
      },
    ]
  | [
      {
        type: 'NotificationFailed';
        data: { key: string; purpose: P; channel: Channel; to: string; reason: string };
      },
    ] {
  const { key, purpose, channel, to, outcome } = record;
  if (recorded.some((d) => d.key === key)) return [];
  return outcome.ok
    ? [{ type: 'NotificationDelivered', data: { key, purpose, channel, to, messageId: outcome.messageId } }]
    : [{ type: 'NotificationFailed', data: { key, purpose, channel, to, reason: outcome.reason } }];
}

/**
 * A failed attempt at one message of a stream that the queue retries (attempts 1 to 4 of 5; the
 * last one's failure is a `NotificationFailed`), as the advisory recipients' `AdvisoryDeliveryAttemptFailed`
 * records it: the class of the failure, never the answer's body, the address or anything secret.
 * `status` is the HTTP status a webhook answered with, `error` the failure's class (`HTTP 503`,
 * `TimeoutError`, `ECONNREFUSED`, an SDK exception's name), `nextAttemptAt` when the queue gives the
 * message back.
 */
export interface AttemptRecord<P extends string> {
  key: string;
  purpose: P;
  channel: Channel;
  attempt: number;
  status?: number;
  error: string;
  nextAttemptAt: string;
}

/** One failed attempt the queue retried, as a stream's state holds it. */
export type DeliveryAttempt<P extends string> = AttemptRecord<P> & { at: string };

/**
 * Whether a stream has still to record this attempt at a message: not once its outcome is recorded
 * (an attempt reported late changes nothing), nor twice (a redelivered queue message of the same receive).
 */
export const attemptIsNew = (
  state: {
    readonly deliveries: readonly { readonly key: string }[];
    readonly attempts?: readonly { readonly key: string; readonly attempt: number }[] | undefined;
  },
  record: { readonly key: string; readonly attempt: number },
): boolean =>
  !state.deliveries.some((d) => d.key === record.key) &&
  !state.attempts?.some((a) => a.key === record.key && a.attempt === record.attempt);

/**
 * The event that records a retried attempt, or none: once per attempt (a redelivered queue message
 * of the same receive records nothing) and none once the message's outcome is recorded (an attempt
 * reported late changes nothing).
 */
export function decideDeliveryAttempt<P extends string>(
  state: Parameters<typeof attemptIsNew>[0],
  record: AttemptRecord<P>,
): [] | [{ type: 'NotificationAttemptFailed'; data: AttemptRecord<P> }] {
  if (!attemptIsNew(state, record)) return [];
  const { key, purpose, channel, attempt, status, error, nextAttemptAt } = record;
  return [
    {
      type: 'NotificationAttemptFailed',
      data: {
        key,
        purpose,
        channel,
        attempt,
        ...(status === undefined ? {} : { status }),
        error,
        nextAttemptAt,
      },
    },
  ];
}
