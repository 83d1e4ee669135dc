import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type AuditGroup, auditGroupOf, groupOfPartition } from '../../events/audit/partitions.ts';
import { groupBy } from '../../events/group-by.ts';
import { advisoryOfRecipient } from '../aggregates/advisories.ts';
import { type HeadProjector, headProjectors, streamTypeOf } from '../audit/audit-aggregates.ts';
import { logger } from '../runtime/logger.ts';
import { forEachLimit } from '../runtime/parallel.ts';
import { type Item, toEvent } from './dynamodb-event-reader.ts';
import { eventImageOf } from './event-item.ts';
import { type EventReader, holdsWholeState, type StoredEvent, type StreamHead } from './event-store.ts';
import { type HeadWrite, headPutInput, headStateAttribute, listPutInput } from './head-item.ts';
import {
  BATCH_WRITE_ITEMS,
  type TimedEvent,
  type TimeEntry,
  timedEventOf,
  writeTimeEntries,
} from './time-index.ts';

/** Rounds of read-fold-write per stream before giving up on a contended head (the batch is retried). */
const MAX_ROUNDS = 8;

/** Streams of one batch projected at the same time. */
const PROJECTION_PARALLEL = 16;

/**
 * What a stream batch already says about a stream: its head as read for the whole batch at once (null:
 * none yet) and the events the batch carries, by version. A head whose next events are all in the batch
 * is brought up to date without reading them again.
 */
export interface KnownStream {
  readonly head: StreamHead | null;
  readonly events: ReadonlyMap<number, StoredEvent>;
}

/** The batch's events from `from` to `to`, or undefined when one of them is not in it. */
function batchRun(known: KnownStream, from: number, to: number): StoredEvent[] | undefined {
  const run: StoredEvent[] = [];
  for (let v = from; v <= to; v++) {
    const event = known.events.get(v);
    if (event === undefined) return undefined;
    run.push(event);
  }
  return run;
}

/**
 * Brings a stream's head up to (at least) `version`: reads the head, folds the events after it
 * with the aggregate's own `evolve`, and writes the new head conditional on the one it read,
 * so a head never moves back and a repeated or reordered delivery changes nothing. A head of
 * an older state schema, or an abridged one (head-item.ts), is folded again from the first event, and so is every head when
 * `rebuild` is set (the open-work backfill of an older data folder, local/open-index.ts): it is
 * then written again at its own version. With `known` (projectHeads), the first round takes the head
 * read for the whole batch and folds the batch's own events when they follow it without a gap; a
 * contended write reads both again. Returns the head's version, its audit group (where the byHead and
 * byTime partitions keep it: from its state; for an advisory recipient `inherited`, its advisory's, else the
 * group its head was written in, else `shared`) and, when it is of the current state schema, its state
 * (what a reader of the head would get now).
 */
export async function projectHead(
  client: DynamoDBClient,
  tableName: string,
  reader: EventReader,
  projector: HeadProjector,
  streamId: string,
  version: number,
  options: { readonly rebuild?: boolean; readonly known?: KnownStream; readonly inherited?: AuditGroup } = {},
): Promise<{ version: number; group: AuditGroup; state?: unknown }> {
  const groupOf = (state: unknown, head: StreamHead | null): AuditGroup =>
    auditGroupOf(projector.streamType, streamId, state) ??
    options.inherited ??
    groupOfPartition(head?.auditPartition) ??
    'shared';
  for (let round = 1; ; round++) {
    const known = round === 1 && !options.rebuild ? options.known : undefined;
    const head = known ? known.head : await reader.loadHead(streamId);
    const current = head !== null && holdsWholeState(head, projector.stateSchema);
    if (head && head.version >= version && !options.rebuild) {
      const group = groupOf(head.state, head);
      return current ? { version: head.version, group, state: head.state } : { version: head.version, group };
    }
    const resume = current && !options.rebuild;
    let state: unknown = resume ? head.state : projector.initialState();
    let at = resume ? head.version : 0;
    let awaiting: readonly string[] = resume ? (head.awaiting ?? []) : [];
    let updatedAt = head?.updatedAt ?? '';
    let hash = head?.hash ?? '';
    const fromBatch = known ? batchRun(known, at + 1, version) : undefined;
    for await (const stored of fromBatch ?? reader.readEvents(streamId, { fromVersion: at + 1 })) {
      const event = projector.upcast(stored);
      state = projector.evolve(state, event);
      if (projector.awaiting) awaiting = projector.awaiting(awaiting, event, state);
      at = stored.version;
      updatedAt = stored.recordedAt;
      hash = stored.hash ?? '';
    }
    const group = groupOf(state, head);
    if (head && (at < head.version || (at === head.version && !options.rebuild)))
      return { version: head.version, group, state };
    const write: HeadWrite = {
      streamId,
      streamType: projector.streamType,
      version: at,
      hash,
      updatedAt,
      state,
      stateSchema: projector.stateSchema,
      projection: projector.project(state),
      awaiting,
      group,
    };
    try {
      // The list item first: a projection that fails before the head is written is done again whole.
      await putListItem(client, listPutInput(tableName, write));
      await client.send(
        new PutItemCommand(
          // A head too large for its item is stored abridged (its next projection folds from the first event).
          headPutInput(tableName, write, head?.version ?? 0, headStateAttribute),
        ),
      );
      return { version: at, group, state };
    } catch (error) {
      // Another projection of this stream won the race: read it and go on from there.
      if (!(error instanceof ConditionalCheckFailedException) || round >= MAX_ROUNDS) throw error;
    }
  }
}

/** Writes a list item; one already at a newer version (another projection's) is left as it is. */
async function putListItem(client: DynamoDBClient, input: PutItemCommandInput | null): Promise<void> {
  if (input === null) return;
  try {
    await client.send(new PutItemCommand(input));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** A reader that can read many heads at once (DynamoDbBatchHeadReader: BatchGetItem, 100 keys a call). */
type HeadsReader = EventReader & {
  loadHeads?<T>(streamIds: readonly string[]): Promise<Map<string, StreamHead<T>>>;
};

/**
 * The heads of a batch of the table's stream: the batch's events get their entries in the audit time
 * index (time-index.ts: 25 to a BatchWriteItem), and each stream's head is brought up to its newest event
 * in the batch, up to PROJECTION_PARALLEL streams at once. With a reader of many heads, the batch's heads
 * are read together (one BatchGetItem per 100 streams) and a stream whose events after its head are all in
 * the batch is folded from the batch's own images: one conditional PutItem per stream and nothing else on
 * the common path (a stream that was behind, or lost a race, reads its head and its events as before).
 * A failed batch read or write of the time entries or the heads is retried per stream, so a stream is what
 * fails. The first stream (in the batch's order) that fails is reported at its first record, so the event
 * source retries from there: every stream before it is done, and doing one again is harmless.
 */
export async function projectHeads(
  client: DynamoDBClient,
  tableName: string,
  reader: HeadsReader,
  event: DynamoDBStreamEvent,
): Promise<DynamoDBBatchResponse & { states: Map<string, unknown> }> {
  const newest = new Map<
    string,
    { version: number; sequenceNumber: string; timed: TimedEvent[]; events: Map<number, StoredEvent> }
  >();
  // Each projected stream's whole state, as loadAggregate would read it now: the reactions take it from here.
  const states = new Map<string, unknown>();
  for (const record of event.Records) {
    const image = eventImageOf(record);
    if (image === null || !image.pk?.S || !image.sk?.N) continue;
    const seen = newest.get(image.pk.S) ?? {
      version: 0,
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      timed: [],
      events: new Map<number, StoredEvent>(),
    };
    const timed = timedEventOf(image);
    if (timed) seen.timed.push(timed);
    const stored = storedEventOf(image);
    if (stored) seen.events.set(stored.version, stored);
    seen.version = Math.max(Number(image.sk.N), seen.version);
    newest.set(image.pk.S, seen);
  }
  const streams = [...newest];
  // The streams that have a head (every stream gets its time entries).
  const headed = streams.filter(([streamId]) => headProjectors[streamTypeOf(streamId)] !== undefined);
  // A recipient is kept in its advisory's audit group: the advisories' heads are read with the batch's.
  const parents = [
    ...new Set(headed.map(([streamId]) => advisoryOfRecipient(streamId)).filter((p) => p !== null)),
  ];
  const heads =
    reader.loadHeads && headed.length > 0
      ? await reader
          .loadHeads([...headed.map(([streamId]) => streamId), ...parents])
          .catch((error: unknown) => {
            logger.warn('heads of the batch not read at once; each stream reads its own', {
              error: error as Error,
            });
            return undefined;
          })
      : undefined;
  const inheritedGroup = async (streamId: string): Promise<AuditGroup | undefined> => {
    const parent = advisoryOfRecipient(streamId);
    if (parent === null) return undefined;
    const head = heads ? heads.get(parent) : await reader.loadHead(parent);
    return head ? (auditGroupOf('advisory', parent, head.state) ?? undefined) : undefined;
  };
  // A stream's time entries go in its group's partitions, so they are written once its head is
  // projected, 25 to a BatchWriteItem as the streams finish (entries of several streams in one call).
  const entries = new TimeEntryWriter(client, tableName);
  // Streams are independent: up to PROJECTION_PARALLEL of them at once (one after the other, a batch of a
  // hundred streams waited on its round trips in turn). The first failing stream in the batch's order is
  // the one reported; every stream after it is projected again on the retry, which changes nothing.
  const failures: unknown[] = [];
  await forEachLimit(streams, PROJECTION_PARALLEL, async ([streamId, { version, timed, events }], i) => {
    const projector = headProjectors[streamTypeOf(streamId)];
    try {
      let group: AuditGroup = 'shared';
      if (projector) {
        const known = heads ? { head: heads.get(streamId) ?? null, events } : undefined;
        const inherited = await inheritedGroup(streamId);
        const projected = await projectHead(client, tableName, reader, projector, streamId, version, {
          ...(known ? { known } : {}),
          ...(inherited ? { inherited } : {}),
        });
        group = projected.group;
        if ('state' in projected) states.set(streamId, projected.state);
      }
      entries.add(
        i,
        timed.map((t) => ({ ...t, group })),
      );
    } catch (error) {
      failures[i] = error;
    }
  });
  for (const [i, error] of await entries.done()) failures[i] ??= error;
  const first = failures.findIndex((f) => f !== undefined);
  const failed = streams[first];
  if (failed) {
    const [streamId, { version, sequenceNumber }] = failed;
    logger.error('head projection failed; the batch resumes from this stream', {
      streamId,
      version,
      error: failures[first] as Error,
    });
    return { batchItemFailures: [{ itemIdentifier: sequenceNumber }], states };
  }
  return { batchItemFailures: [], states };
}

/**
 * The time entries of a stream batch, written as the streams are projected: a BatchWriteItem as soon as
 * 25 are waiting, the rest at the end. `done` says which streams (by their index in the batch) had an
 * entry whose write failed.
 */
class TimeEntryWriter {
  private pending: { stream: number; entry: TimeEntry }[] = [];
  private readonly writes: Promise<[number, unknown][]>[] = [];

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  add(stream: number, entries: readonly TimeEntry[]): void {
    for (const entry of entries) this.pending.push({ stream, entry });
    while (this.pending.length >= BATCH_WRITE_ITEMS) this.write(this.pending.splice(0, BATCH_WRITE_ITEMS));
  }

  async done(): Promise<[number, unknown][]> {
    if (this.pending.length > 0) this.write(this.pending.splice(0));
    return (await Promise.all(this.writes)).flat();
  }

  /** A call for the chunk; when it fails, one per stream of the chunk, so a stream is what fails. */
  private write(chunk: { stream: number; entry: TimeEntry }[]): void {
    const write = (entries: readonly TimeEntry[]) => writeTimeEntries(this.client, this.tableName, entries);
    this.writes.push(
      write(chunk.map((c) => c.entry)).then(
        () => [],
        async (error: unknown) => {
          logger.warn('time entries of several streams not written at once; each stream writes its own', {
            error: error as Error,
          });
          const failed: [number, unknown][] = [];
          for (const [stream, own] of groupBy(chunk, (c) => c.stream))
            await write(own.map((c) => c.entry)).catch((e: unknown) => failed.push([stream, e]));
          return failed;
        },
      ),
    );
  }
}

/** The event a stream record's image holds, or null when it cannot be read as one (then it is queried). */
function storedEventOf(image: Record<string, AttributeValue>): StoredEvent | null {
  try {
    return toEvent(image as unknown as Item);
  } catch {
    return null;
  }
}
