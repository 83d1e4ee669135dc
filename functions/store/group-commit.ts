import type { Actor } from '../../events/actor.ts';
import { groupBy } from '../../events/group-by.ts';
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
import { headItemCount } from './head-item.ts';

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
/** Commands on one stream joined in one append: their events and a head stay within one transaction. */
const MAX_CHAIN = 50;

/**
 * Runs commands on many streams of one aggregate with as few transactions as possible
 * (group commit): each stream is loaded once and its commands decided one after the other as by
 * runCommand, each on the state the one before it left; a stream's events then go out as one append,
 * and the appends together, up to 100 items per transaction. A stream that moved on meanwhile is run
 * again command by command with runCommand's retry; the others are simply re-sent. Returns the new
 * events per command, in order. Only for commands whose outcome does not depend on what a caller saw
 * (delivery records, acknowledgements), like runCommand's retryOnConflict. A command whose decision
 * throws fails alone (the stream's next command is decided on the state before it). Commands on one
 * stream by different actors are not joined (an append records one actor): the later ones run alone.
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
  const byStream = groupBy(
    commands.map((_, i) => i),
    (i) => (commands[i] as GroupedCommand<C, Ctx>).id,
  );
  const actorOf = (index: number) => JSON.stringify((commands[index] as GroupedCommand<C, Ctx>).ctx.actor);
  // A stream's commands by its first command's actor are decided together (up to MAX_CHAIN, so that an
  // append stays within a transaction); the others run alone.
  const joins = (indexes: number[]) => {
    const first = actorOf(indexes[0] as number);
    return indexes.filter((i) => actorOf(i) === first).slice(0, MAX_CHAIN);
  };
  const chains = [...byStream.values()].map(joins);
  const joined = new Set(chains.flat());
  const alone = commands.map((_, i) => i).filter((i) => !joined.has(i));
  /** A stream's append: the commands it carries (index, its own events, the state after them). */
  const pending: {
    request: AppendRequest;
    decided: { index: number; events: E[]; state: S }[];
  }[] = [];
  await Promise.all(
    chains.map(async (indexes) => {
      const { id, ctx: firstCtx, loaded } = commands[indexes[0] as number] as GroupedCommand<C, Ctx>;
      const start = loaded
        ? { ...loaded, state: loaded.state as S }
        : await loadDecisionState(store, aggregate, id);
      // One append records one time: the first command's (never before the stream's last).
      const now = recordTime(firstCtx.now, start.updatedAt);
      let { state, version } = start;
      const decided: { index: number; events: E[]; state: S }[] = [];
      const events: E[] = [];
      for (const index of indexes) {
        const { command, ctx } = commands[index] as GroupedCommand<C, Ctx>;
        let step: ReturnType<typeof decideAndFold<S, E, C, Ctx>>;
        try {
          step = decideAndFold(aggregate, state, version, command, { ...ctx, now });
        } catch (error) {
          out[index] = { ok: false, error };
          continue;
        }
        if (step.events.length === 0) {
          out[index] = { ok: true, events: [], state };
          continue;
        }
        decided.push({ index, events: step.events, state: step.state });
        events.push(...step.events);
        ({ state, version } = step);
      }
      if (events.length === 0) return;
      pending.push({
        decided,
        // The loaded head's hash chains the new events without another read.
        request: appendRequestOf(
          aggregate,
          id,
          { version: start.version, events, state },
          firstCtx.actor,
          now,
          start.hash,
        ),
      });
    }),
  );
  let queue = pending;
  const conflicted: number[] = [...alone];
  while (queue.length > 0) {
    const chunk: typeof queue = [];
    let size = 0;
    for (const p of queue) {
      const items = p.request.events.length + headItemCount(p.request.head);
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
      if (result === 'written')
        for (const d of p.decided) out[d.index] = { ok: true, events: d.events, state: d.state };
      else if (result === 'conflict') conflicted.push(...p.decided.map((d) => d.index));
      else retry.push(p);
    });
    queue = [...retry, ...queue];
  }
  // A moved-on stream's commands one at a time, in their order (runCommand reloads and retries each).
  const rerun = groupBy(
    conflicted.sort((a, b) => a - b),
    (index) => (commands[index] as GroupedCommand<C, Ctx>).id,
  );
  await Promise.all(
    [...rerun.values()].map(async (indexes) => {
      for (const index of indexes) {
        const { id, command, ctx } = commands[index] as GroupedCommand<C, Ctx>;
        try {
          const result = await runCommand(store, aggregate, id, command, ctx, { retryOnConflict: true });
          out[index] = { ok: true, events: result.events, state: result.state };
        } catch (error) {
          out[index] = { ok: false, error };
        }
      }
    }),
  );
  return out;
}
