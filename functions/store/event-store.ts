import type { Actor } from '../../events/actor.ts';

/**
 * The event store port. Streams are append-only; every append names the version it
 * expects the stream to be at, and exactly one of two concurrent appends wins.
 */

/** An event as stored in a stream. */
export interface StoredEvent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: unknown;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly schemaVersion: number;
  /** The hash of the event before it in the stream (docs/ARCHITECTURE.md, "Tamper evidence"). */
  readonly prevHash?: string;
  /** SHA-256 over the canonical JSON of this event's content and prevHash. */
  readonly hash?: string;
}

/** The head of a stream: its version and the folded state at that version. */
export interface StreamHead<S = unknown> {
  readonly streamId: string;
  readonly version: number;
  readonly state: S;
  readonly stateSchema: number;
  /** When the last event was recorded. */
  readonly updatedAt: string;
  /** The last event's hash: the next append's prevHash, without reading that event. */
  readonly hash?: string;
  /** Notices its events planned that no event records as delivered or failed yet (`<version>:<purpose>`). */
  readonly awaiting?: readonly string[];
  /** The head's sort key in the list indexes (when read from one): where a merged page resumes. */
  readonly listSk?: string;
  /** The head's byHead partition as written (events/audit/partitions.ts): its audit group, once grouped. */
  readonly auditPartition?: string;
  /**
   * The state is abridged: its long strings cut so that the head fits in its item (head-item.ts,
   * headStateAttribute). Good for lists (titles, states, organisations are whole); the whole state is folded
   * from the events (loadAggregate does).
   */
  readonly abridged?: boolean;
  /** Read from a list item (head-item.ts, listPutInput): `state` is the stream's listing, not its state. */
  readonly listItem?: boolean;
}

/**
 * Whether a head's state is a whole state of this schema, to fold newer events on: not when it is of an older
 * state schema, nor when abridged. Otherwise its reader folds the stream from the first event.
 */
export const holdsWholeState = (head: StreamHead, stateSchema: number): boolean =>
  head.stateSchema === stateSchema && !head.abridged;

/** Keys that place a head in the list indexes (see docs/ARCHITECTURE.md). */
export interface HeadProjection {
  readonly listPk: string;
  readonly listSk: string;
  readonly orgPk?: string;
  /** Roles, beyond the always-allowed ones, that may list this stream. */
  readonly visibleTo?: readonly string[];
  /**
   * Work in flight that lives outside the log (a relay or advisory workflow waiting): the head is
   * then listed in the sparse byOpen index, which is all the local stack's recovery reads.
   */
  readonly open?: boolean;
  /**
   * What a list shows of the stream, when much less than its state (an incident's listing leaves out its
   * report's text and follow-ups): the stream is then listed by a list item of its own holding this
   * (head-item.ts, listPutInput), and the byType and byOrg indexes copy that instead of the whole head.
   * Readers of those indexes get a listing from such streams and a whole state from older heads.
   */
  readonly listing?: unknown;
}

/** What to remember for an Idempotency-Key, written in the same transaction as the events. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly response: { readonly statusCode: number; readonly body: unknown; readonly location?: string };
}

export interface AppendRequest {
  readonly streamId: string;
  readonly streamType: string;
  /** 0 for a stream that must not exist yet. */
  readonly expectedVersion: number;
  readonly events: readonly { readonly type: string; readonly data: unknown }[];
  readonly actor: Actor;
  readonly recordedAt: string;
  readonly schemaVersion: number;
  /** The stream's last hash, from what the command loaded; when absent the store reads it. */
  readonly prevHash?: string;
  /** What `decide` needs of the state after these events, kept on the newest event's item. */
  readonly decision: { readonly state: unknown; readonly stateSchema: number };
  /**
   * The head (the whole state, indexed for lists), written with the first events of a new
   * stream so that it is listed from its birth; later heads are projected from the stream
   * (functions/store/head-projection.ts, run by stream-reactor), off the command path.
   */
  readonly head?: {
    readonly state: unknown;
    readonly stateSchema: number;
    readonly projection: HeadProjection;
    /** Notices its events planned, none recorded yet (Aggregate.awaiting). */
    readonly awaiting?: readonly string[];
  };
  readonly idempotency?: IdempotencyRecord;
}

/** What a command decides on: the decision state at the stream's newest version. */
export interface DecisionSnapshot<S = unknown> {
  readonly streamId: string;
  readonly version: number;
  /** The decision state; absent when the newest event predates decision snapshots (read the head). */
  readonly state?: S;
  readonly stateSchema: number;
  /** When the newest event was recorded. */
  readonly updatedAt: string;
  /** The newest event's hash: the next append's prevHash. */
  readonly hash?: string;
  /** Served from this container's memory rather than read: a conflict means reload, not a real race. */
  readonly cached: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly cursor: string | null;
}

/** The read side of the store: what query handlers and reactions need. */
export interface EventReader {
  /** The head of a stream, or null when the stream does not exist. One read, whatever the stream's length. */
  loadHead<S>(streamId: string): Promise<StreamHead<S> | null>;
  /** The version of the stream's newest event (0 when it has none): one Query of one key, consistent. */
  lastVersion(streamId: string): Promise<number>;
  /** The stream's events in order, fetched page by page. */
  readEvents(
    streamId: string,
    options?: { fromVersion?: number; toVersion?: number; pageSize?: number },
  ): AsyncIterable<StoredEvent>;
  /** One page of the stream's events, for APIs that page with a cursor. */
  readEventsPage(
    streamId: string,
    options: { limit: number; cursor?: string | null },
  ): Promise<Page<StoredEvent>>;
  getIdempotencyRecord(key: string): Promise<IdempotencyRecord | null>;
  /**
   * A cursor that resumes a listHeads query just after `head` (read from that query), for a
   * caller that took only part of a page; null when the head carries no list key.
   */
  cursorAfter?(query: { index: 'byType' | 'byOrg'; key: string }, head: StreamHead<unknown>): string | null;
  /** Heads in a list index, newest first, paged. */
  listHeads<S>(
    query: { index: 'byType' | 'byOrg'; key: string; visibleTo?: string },
    options: { limit: number; cursor?: string | null },
  ): Promise<Page<StreamHead<S>>>;
  /** Ids of the streams of a type with open work (the sparse byOpen index), paged. */
  listOpen(streamType: string, options: { limit: number; cursor?: string | null }): Promise<Page<string>>;
}

/** The whole store: reads, and appends conditional on the expected version. */
export interface EventStore extends EventReader {
  /**
   * The decision snapshot at the stream's newest version, or null for a stream that does not
   * exist: from this container's cache when it holds the stream (no read at all), else one
   * Query of the newest event item. A cached one may be stale; appending on it then fails
   * with ConcurrencyError and `forget` drops it.
   */
  loadDecision<S>(streamId: string): Promise<DecisionSnapshot<S> | null>;
  /** Drops a stream's cached decision snapshot (after a conflict). */
  forget(streamId: string): void;
  /**
   * Appends events atomically with the new head (and the idempotency record, if any).
   * Throws ConcurrencyError when the stream is no longer at `expectedVersion`, and
   * IdempotencyRecordExistsError when the idempotency key was taken meanwhile.
   */
  append(request: AppendRequest): Promise<{ version: number }>;
}

/**
 * A store that can append to several streams in one transaction (group commit): all or
 * nothing, each stream still conditional on its expected version. Answers, per request,
 * whether it was written; when one stream had moved on, nothing was written and the others
 * come back as `retry` (their expected versions still hold).
 */
export interface MultiStreamAppender {
  appendAll(requests: readonly AppendRequest[]): Promise<('written' | 'conflict' | 'retry')[]>;
}

/** Raised when another request stored its response under the same idempotency key first. */
export class IdempotencyRecordExistsError extends Error {
  constructor(readonly key: string) {
    super(`idempotency key ${key} was recorded concurrently`);
    this.name = 'IdempotencyRecordExistsError';
  }
}

/** Every head in one list index partition, newest first, read page by page to the end. */
export async function* allHeads<S>(
  reader: Pick<EventReader, 'listHeads'>,
  query: { index: 'byType' | 'byOrg'; key: string },
  pageSize = 1000,
): AsyncIterable<StreamHead<S>> {
  let cursor: string | null = null;
  do {
    const page: Page<StreamHead<S>> = await reader.listHeads<S>(query, { limit: pageSize, cursor });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** Every stream of a type with open work (byOpen index), read page by page to the end. */
export async function* allOpen(
  reader: Pick<EventReader, 'listOpen'>,
  streamType: string,
  pageSize = 1000,
): AsyncIterable<string> {
  let cursor: string | null = null;
  do {
    const page: Page<string> = await reader.listOpen(streamType, { limit: pageSize, cursor });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}
