import type { Actor } from '../../events/actor.ts';
import { ConcurrencyError } from '../../events/errors.ts';
import {
  type AppendRequest,
  type EventReader,
  type EventStore,
  type HeadProjection,
  holdsWholeState,
  type IdempotencyRecord,
  type StoredEvent,
} from './event-store.ts';

type DomainEvent = { type: string; data: unknown };
type Recorded<E> = E & { version: number; recordedAt: string; actor: Actor };

/** How a stream type is folded, decided and indexed: the domain bound to the store. */
export interface Aggregate<S, E extends DomainEvent, C, Ctx> {
  readonly streamType: string;
  /** Bumped when the state's shape changes: older snapshots are re-folded from the events. */
  readonly stateSchema: number;
  /** The schema version new events are written with. */
  readonly eventSchema: number;
  readonly streamId: (id: string) => string;
  readonly initialState: () => S;
  readonly evolve: (state: S, event: Recorded<E>) => S;
  readonly decide: (command: C, state: S, ctx: Ctx) => E[];
  readonly project: (state: S) => HeadProjection;
  /**
   * The notices still awaiting an outcome after an event (tags `<version>:<purpose>`), given those
   * before it and the state after it: planned ones are added, delivered or failed ones dropped.
   * Kept on the head; while any is left the stream is open work (HeadProjection.open).
   */
  readonly awaiting?: (pending: readonly string[], event: Recorded<E>, state: S) => string[];
  /**
   * The part of the state `decide` reads, kept beside the newest event (identity when absent).
   * Deciding and folding on it must give what they give on the whole state.
   */
  readonly decisionState?: (state: S) => S;
  /** Turns a stored event of any schema version into the current event shape. */
  readonly upcast: (stored: StoredEvent) => Recorded<E>;
}

/** The part of an aggregate needed to read it. */
export type Folding<S, E extends DomainEvent> = Pick<
  Aggregate<S, E, never, never>,
  'streamId' | 'stateSchema' | 'initialState' | 'evolve' | 'upcast'
>;

/** The outcome of a command: the decision state after it (see Aggregate.decisionState), its version, and the events it appended. */
export interface CommandResult<S, E> {
  readonly state: S;
  readonly version: number;
  readonly events: E[];
}

/** A stream as read: its folded state, version, when it last changed, and its last hash. */
export interface Loaded<S> {
  readonly state: S;
  readonly version: number;
  readonly updatedAt: string | null;
  readonly hash?: string;
}

/**
 * A stream nobody has written, as {@link loadAggregate} and {@link loadDecisionState} find it. A command on a
 * stream whose id was just minted for it (a random UUID) starts from this instead of reading: the append,
 * conditional on version 1 being free, is then the command's only call on the stream (and should the id be
 * taken after all, the conflict reloads).
 */
export const unwrittenStream = <S>(aggregate: { initialState: () => S }): Loaded<S> => ({
  state: aggregate.initialState(),
  version: 0,
  updatedAt: null,
});

/**
 * Loads an aggregate's whole current state (what views show): the head and, read beside it, the
 * stream's newest version; the events the head's projection has not caught up with yet (usually
 * none) are then read and folded on it.
 * A head of an older state schema, or an abridged one (its long strings cut so that it fits its item:
 * head-item.ts, headStateAttribute), is folded again from the first event.
 */
export async function loadAggregate<S, E extends DomainEvent>(
  store: EventReader,
  aggregate: Folding<S, E>,
  id: string,
): Promise<Loaded<S>> {
  const streamId = aggregate.streamId(id);
  // Both at once: the head, and how far the log goes (usually no further than the head).
  const [head, last] = await Promise.all([store.loadHead<S>(streamId), store.lastVersion(streamId)]);
  if (head === null) return unwrittenStream(aggregate);
  const current = holdsWholeState(head, aggregate.stateSchema);
  let state = current ? head.state : aggregate.initialState();
  let version = current ? head.version : 0;
  let updatedAt = head.updatedAt;
  let hash = head.hash;
  if (last <= version) return { state, version, updatedAt, ...(hash === undefined ? {} : { hash }) };
  for await (const stored of store.readEvents(streamId, { fromVersion: version + 1, toVersion: last })) {
    state = aggregate.evolve(state, aggregate.upcast(stored));
    version = stored.version;
    updatedAt = stored.recordedAt;
    hash = stored.hash;
  }
  return { state, version, updatedAt, ...(hash === undefined ? {} : { hash }) };
}

/** What a command decides on, and whether it came from this container's memory (see EventStore.loadDecision). */
export interface LoadedDecision<S> extends Loaded<S> {
  readonly cached: boolean;
}

/**
 * Loads the decision state of a stream: its newest event's snapshot, from the cache or one
 * Query. A stream whose newest event predates snapshots, or holds an older state schema, is
 * read whole (head and newer events) once and cut down; its next append writes a snapshot.
 */
export async function loadDecisionState<S, E extends DomainEvent>(
  store: EventStore,
  aggregate: Folding<S, E> & Pick<Aggregate<S, E, never, never>, 'decisionState'>,
  id: string,
): Promise<LoadedDecision<S>> {
  const snapshot = await store.loadDecision<S>(aggregate.streamId(id));
  if (snapshot === null) return { ...unwrittenStream(aggregate), cached: false };
  if (snapshot.state !== undefined && snapshot.stateSchema === aggregate.stateSchema) {
    const { state, version, updatedAt, hash, cached } = snapshot;
    return { state, version, updatedAt, ...(hash === undefined ? {} : { hash }), cached };
  }
  const whole = await loadAggregate(store, aggregate, id);
  return { ...whole, state: aggregate.decisionState?.(whole.state) ?? whole.state, cached: false };
}

export interface RunOptions<S> {
  /** Stored with the events in one transaction; see functions/store/idempotency.ts. */
  readonly idempotency?: {
    readonly key: string;
    readonly requestHash: string;
    readonly respond: (result: { state: S; version: number }) => IdempotencyRecord['response'];
  };
  /**
   * Reload and decide again on a concurrent change. Right for commands whose outcome does
   * not depend on what the caller saw (workflow steps, delivery records); wrong for a
   * person's decision, which must see the change and answer 409.
   */
  readonly retryOnConflict?: boolean;
  /**
   * The stream as the caller just read it, used for the first attempt instead of reading it
   * again (a stale one only costs a conflict and a reload).
   */
  readonly loaded?: Loaded<S>;
}

/** Enough for dozens of writers on one stream: each round, one of them wins. */
const MAX_ATTEMPTS = 64;

/**
 * Decides a command on a state and folds the events it yields, in memory: the state the
 * append would leave. `runCommand` is built on it; a dry run (a preview) uses it alone.
 */
export function decideAndFold<S, E extends DomainEvent, C, Ctx extends { now: string; actor: Actor }>(
  aggregate: Pick<Aggregate<S, E, C, Ctx>, 'decide' | 'evolve'>,
  state: S,
  version: number,
  command: C,
  ctx: Ctx,
): CommandResult<S, E> {
  const events = aggregate.decide(command, state, ctx);
  let next = state;
  events.forEach((event, i) => {
    next = aggregate.evolve(next, {
      ...event,
      version: version + i + 1,
      recordedAt: ctx.now,
      actor: ctx.actor,
    });
  });
  return { state: next, version: version + events.length, events };
}

/** The time to record: the caller's, or the stream's last if the caller's clock is behind (times never run backwards). */
export const recordTime = (decidedAt: string, updatedAt: string | null): string =>
  updatedAt !== null && updatedAt > decidedAt ? updatedAt : decidedAt;

/**
 * The append of a decided command: its events and the decision state after them, conditional
 * on the version it was decided on (and, for a new stream, its first head).
 */
export function appendRequestOf<S, E extends DomainEvent>(
  aggregate: Pick<
    Aggregate<S, E, never, never>,
    'streamId' | 'streamType' | 'eventSchema' | 'stateSchema' | 'project' | 'decisionState' | 'awaiting'
  >,
  id: string,
  decided: { version: number; events: readonly E[]; state: S },
  actor: Actor,
  now: string,
  hash: string | undefined,
): AppendRequest {
  return {
    streamId: aggregate.streamId(id),
    streamType: aggregate.streamType,
    expectedVersion: decided.version,
    events: decided.events,
    actor,
    recordedAt: now,
    schemaVersion: aggregate.eventSchema,
    // The loaded hash links the new events without reading the last one.
    ...(hash === undefined ? {} : { prevHash: hash }),
    decision: {
      state: aggregate.decisionState?.(decided.state) ?? decided.state,
      stateSchema: aggregate.stateSchema,
    },
    // A new stream's state is whole (folded from nothing): its head is listed from the start.
    ...(decided.version === 0
      ? {
          head: {
            state: decided.state,
            stateSchema: aggregate.stateSchema,
            projection: aggregate.project(decided.state),
            ...(aggregate.awaiting
              ? { awaiting: firstAwaiting(aggregate.awaiting, decided, actor, now) }
              : {}),
          },
        }
      : {}),
  };
}

/** The notices a new stream's first events leave awaiting, as the head projection would fold them. */
function firstAwaiting<S, E extends DomainEvent>(
  awaiting: NonNullable<Aggregate<S, E, never, never>['awaiting']>,
  decided: { version: number; events: readonly E[]; state: S },
  actor: Actor,
  recordedAt: string,
): string[] {
  let pending: string[] = [];
  for (const [i, event] of decided.events.entries())
    pending = awaiting(
      pending,
      { ...event, version: decided.version + i + 1, recordedAt, actor },
      decided.state,
    );
  return pending;
}

/** Load, decide, append: the one way a command changes a stream. */
export async function runCommand<S, E extends DomainEvent, C, Ctx extends { now: string; actor: Actor }>(
  store: EventStore,
  aggregate: Aggregate<S, E, C, Ctx>,
  id: string,
  command: C,
  ctx: Ctx,
  options: RunOptions<S> = {},
): Promise<CommandResult<S, E>> {
  let decidedAt = ctx.now;
  for (let attempt = 1; ; attempt++) {
    const loaded: LoadedDecision<S> =
      attempt === 1 && options.loaded
        ? { ...options.loaded, cached: false }
        : await loadDecisionState(store, aggregate, id);
    const { state, version, updatedAt, hash } = loaded;
    const now = recordTime(decidedAt, updatedAt);
    const {
      state: next,
      version: newVersion,
      events,
    } = decideAndFold(aggregate, state, version, command, {
      ...ctx,
      now,
    });
    if (events.length === 0) return { state, version, events };
    const idem = options.idempotency;
    try {
      await store.append({
        ...appendRequestOf(aggregate, id, { version, events, state: next }, ctx.actor, now, hash),
        ...(idem
          ? {
              idempotency: {
                key: idem.key,
                requestHash: idem.requestHash,
                response: idem.respond({ state: next, version: newVersion }),
              },
            }
          : {}),
      });
      return { state: next, version: newVersion, events };
    } catch (error) {
      // Decided on this container's memory of the stream, which another writer had moved on:
      // not a race this caller lost, so decide again on what the table holds (the store forgot it).
      if (error instanceof ConcurrencyError && loaded.cached) {
        attempt--;
        continue;
      }
      if (error instanceof ConcurrencyError && options.retryOnConflict && attempt < MAX_ATTEMPTS) {
        // Full jitter, growing with the attempt, so contenders spread out instead of colliding again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 5 * attempt)));
        // A retry is a new decision: it happens now, after the write that beat it.
        decidedAt = new Date().toISOString();
        continue;
      }
      throw error;
    }
  }
}
