import type { Actor } from '../../events/actor.ts';
import {
  type Aggregate,
  appendRequestOf,
  decideAndFold,
  type Loaded,
  loadDecisionState,
  recordTime,
  runCommand,
} from './command-runner.ts';
import type { AppendRequest, EventStore, MultiStreamAppender } from './event-store.ts';

/** One command of a group: the stream id, the command and its decision context. */
export interface GroupedCommand<C, Ctx> {
  readonly id: string;
  readonly command: C;
  readonly ctx: Ctx;
  /** The stream as the caller just read it; saves a read (a stale one only costs a conflict and a retry). */
  readonly loaded?: Loaded<unknown>;
}

/** What became of one command: its new events and the state after them, or the error its decision raised. */
export type GroupedOutcome<S, E> = { ok: true; events: E[]; state: S } | { ok: false; error: unknown };

/** Items per DynamoDB transaction, DynamoDB's own limit. */
const MAX_ITEMS = 100;

/**
 * Runs commands on many streams of one aggregate with as few transactions as possible
 * (group commit): each stream is loaded and decided as by runCommand, then the appends go
 * out together, up to 100 items per transaction. A stream that moved on meanwhile is run
 * again on its own with runCommand's retry; the others are simply re-sent. Returns the new
 * events per command, in order. Only for commands whose outcome does not depend on what a
 * caller saw (delivery records, acknowledgements), like runCommand's retryOnConflict. A
 * command whose decision throws fails alone.
 */
export async function runGrouped<
  S,
  E extends { type: string; data: unknown },
  C,
  Ctx extends { now: string; actor: Actor },
>(
  store: EventStore & MultiStreamAppender,
  aggregate: Aggregate<S, E, C, Ctx>,
  commands: readonly GroupedCommand<C, Ctx>[],
): Promise<GroupedOutcome<S, E>[]> {
  const out: GroupedOutcome<S, E>[] = commands.map(() => ({ ok: false, error: new Error('not run') }));
  const byStream = new Map<string, number[]>();
  commands.forEach((c, i) => {
    byStream.set(c.id, [...(byStream.get(c.id) ?? []), i]);
  });
  // Two commands on one stream in one group would need the first's outcome: the later ones run alone.
  const first = [...byStream.values()].map((indexes) => indexes[0] as number);
  const alone = [...byStream.values()].flatMap((indexes) => indexes.slice(1));
  const pending: { index: number; request: AppendRequest; events: E[]; state: S }[] = [];
  await Promise.all(
    first.map(async (index) => {
      const { id, command, ctx, loaded } = commands[index] as GroupedCommand<C, Ctx>;
      const { state, version, updatedAt, hash } = loaded
        ? { ...loaded, state: loaded.state as S }
        : await loadDecisionState(store, aggregate, id);
      const now = recordTime(ctx.now, updatedAt);
      let decided: ReturnType<typeof decideAndFold<S, E, C, Ctx>>;
      try {
        decided = decideAndFold(aggregate, state, version, command, { ...ctx, now });
      } catch (error) {
        out[index] = { ok: false, error };
        return;
      }
      const { events } = decided;
      if (events.length === 0) {
        out[index] = { ok: true, events, state };
        return;
      }
      pending.push({
        index,
        events,
        state: decided.state,
        // The loaded head's hash chains the new events without another read.
        request: appendRequestOf(
          aggregate,
          id,
          { version, events, state: decided.state },
          ctx.actor,
          now,
          hash,
        ),
      });
    }),
  );
  const conflicted: number[] = [...alone];
  let queue = pending;
  while (queue.length > 0) {
    const chunk: typeof queue = [];
    let size = 0;
    for (const p of queue) {
      const items = p.events.length + (p.request.head ? 1 : 0);
      if (size + items > MAX_ITEMS && chunk.length > 0) break;
      chunk.push(p);
      size += items;
    }
    queue = queue.slice(chunk.length);
    const results = await store.appendAll(chunk.map((p) => p.request));
    const retry: typeof queue = [];
    results.forEach((result, i) => {
      const p = chunk[i];
      if (!p) return;
      if (result === 'written') out[p.index] = { ok: true, events: p.events, state: p.state };
      else if (result === 'conflict') conflicted.push(p.index);
      else retry.push(p);
    });
    queue = [...retry, ...queue];
  }
  await Promise.all(
    conflicted.map(async (index) => {
      const { id, command, ctx } = commands[index] as GroupedCommand<C, Ctx>;
      try {
        const result = await runCommand(store, aggregate, id, command, ctx, { retryOnConflict: true });
        out[index] = { ok: true, events: result.events, state: result.state };
      } catch (error) {
        out[index] = { ok: false, error };
      }
    }),
  );
  return out;
}
