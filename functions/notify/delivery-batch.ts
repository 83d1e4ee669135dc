import { type Actor, systemActor } from '../../events/actor.ts';
import { logger } from '../runtime/logger.ts';
import { policy } from '../runtime/policy-config.ts';
import { type Aggregate, type Loaded, loadDecisionState } from '../store/command-runner.ts';
import { type GroupedCommand, runGrouped } from '../store/group-commit.ts';
import { store } from '../store/store.ts';
import { AttemptFailed, type RetriedAttempt } from './delivery-retry.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';

/** Who records every delivery. */
export const NOTIFIER: Actor = systemActor('notifier');

/** The decision context of a stream whose records need the relay policy alone (an incident's, an advisory's). */
export const policyContexts = () => async (_message: OutboundNotification, now: string) => ({
  now,
  actor: NOTIFIER,
  policy,
});

/**
 * Where a kind of message is recorded: an incident's or an advisory's own stream, or one stream per
 * recipient organisation (an advisory's recipient streams, a survey's response streams). `context`
 * may read (a survey's state); it is asked once per message and may share its reads across a batch.
 */
export interface BatchTarget<
  S,
  E extends { type: string; data: unknown },
  C,
  X extends { now: string; actor: Actor },
> {
  readonly aggregate: Aggregate<S, E, C, X>;
  /** The id, within the aggregate, of the stream the message is recorded on. */
  readonly streamOf: (message: OutboundNotification) => string;
  /** Whether the stream records the message's outcome already (a redelivered queue message). */
  readonly delivered: (state: S, key: string) => boolean;
  readonly outcome: (message: OutboundNotification, outcome: Outcome) => C;
  readonly attempt: (message: OutboundNotification, retried: RetriedAttempt) => C;
  /** Makes the batch's decision context for a message; one call per batch (it may cache reads). */
  readonly contexts: () => (message: OutboundNotification, now: string) => Promise<X>;
}

/**
 * Whether a stream that must exist already records the message `key` (a redelivered queue message). A
 * message about an incident or an advisory the log does not hold is not sent: this throws, and the message
 * goes back to the queue.
 */
export function recordedOn(
  state: { readonly deliveries: readonly { readonly key: string }[] } | null,
  streamType: string,
  key: string,
): boolean {
  if (state === null) throw new Error(`no ${streamType} stream for notification ${key}`);
  return state.deliveries.some((d) => d.key === key);
}

/**
 * A message of a batch that failed and goes back to the queue. `sendFailed`: its send failed (a transient
 * failure, recorded as an attempt), so the delivery policy's backoff applies; otherwise the table failed it
 * (unreachable, or the record did not go through) and the queue's own visibility timeout brings it back.
 */
export interface BatchFailure {
  readonly index: number;
  readonly sendFailed: boolean;
}

/**
 * Delivers a queue batch of messages to recipient organisations: skips keys already recorded, sends
 * the rest at once, and records every outcome, and every failed attempt the queue retries, in as few
 * transactions as the store allows (group commit across the organisations' streams). Returns the
 * messages that failed, for the queue to retry; a failed send is retried alone, a failed record
 * retries the batch's unrecorded ones.
 */
export async function deliverBatch<
  S,
  E extends { type: string; data: unknown },
  C,
  X extends { now: string; actor: Actor },
>(
  target: BatchTarget<S, E, C, X>,
  messages: readonly OutboundNotification[],
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<BatchFailure[]> {
  const now = new Date().toISOString();
  const contextOf = target.contexts();
  // One read per stream: a stream's messages of the batch (an organisation's contacts) share it, and are
  // decided one after another on it when recorded (runGrouped).
  const reads = new Map<string, Promise<Loaded<S>>>();
  const loadOnce = (id: string) => {
    let read = reads.get(id);
    if (!read) {
      read = loadDecisionState(store, target.aggregate, id);
      reads.set(id, read);
    }
    return read;
  };
  const failed: BatchFailure[] = [];
  /** Commands to record; `retried`: a failed attempt's, whose message the queue retries whatever comes of it. */
  const toRecord: { index: number; retried: boolean; command: GroupedCommand<C, X> }[] = [];
  await Promise.all(
    messages.map(async (message, index) => {
      const id = target.streamOf(message);
      let loaded: Loaded<S> | undefined;
      let ctx: X | undefined;
      const record = (command: C, retried: boolean) => {
        if (ctx)
          toRecord.push({ index, retried, command: { id, command, ctx, ...(loaded ? { loaded } : {}) } });
      };
      try {
        ctx = await contextOf(message, now);
        // What a command decides on (one Query of the newest event's snapshot): it holds every recorded key.
        loaded = await loadOnce(id);
        if (target.delivered(loaded.state, message.key)) return;
        const outcome = await send(message);
        record(target.outcome(message, outcome), false);
      } catch (error) {
        logger.warn('delivery failed; the queue will retry it', { key: message.key, error: error as Error });
        failed.push({ index, sendFailed: error instanceof AttemptFailed });
        if (error instanceof AttemptFailed) record(target.attempt(message, error.retried), true);
      }
    }),
  );
  if (toRecord.length === 0) return failed;
  const delivered = toRecord.filter((r) => !r.retried).map((r) => r.index);
  try {
    const outcomes = await runGrouped(
      store,
      target.aggregate,
      toRecord.map((r) => r.command),
    );
    outcomes.forEach((outcome, i) => {
      const r = toRecord[i];
      if (!outcome.ok && r && !r.retried) failed.push({ index: r.index, sendFailed: false });
    });
  } catch (error) {
    logger.warn('recording deliveries failed; the queue will retry them', { error: error as Error });
    failed.push(...delivered.map((index) => ({ index, sendFailed: false })));
  }
  return failed;
}
