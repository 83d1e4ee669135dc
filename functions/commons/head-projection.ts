import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type HeadProjector, headProjectors, streamTypeOf } from './audit-aggregates.ts';
import type { EventReader } from './event-store.ts';
import { headPutInput } from './head-item.ts';
import { logger } from './logger.ts';
import { forEachLimit } from './parallel.ts';
import { type TimedEvent, timedEventOf, writeTimeEntries } from './time-index.ts';

/** Rounds of read-fold-write per stream before giving up on a contended head (the batch is retried). */
const MAX_ROUNDS = 8;

/** Streams of one batch projected at the same time. */
const PROJECTION_PARALLEL = 16;

/**
 * Brings a stream's head up to (at least) `version`: reads the head, folds the events after it
 * with the aggregate's own `evolve`, and writes the new head conditional on the one it read,
 * so a head never moves back and a repeated or reordered delivery changes nothing. A head of
 * an older state schema is folded again from the first event, and so is every head when
 * `rebuild` is set (the open-work backfill of an older data folder, local/open-index.ts): it is
 * then written again at its own version. Returns the head's version and, when it is of the
 * current state schema, its state (what a reader of the head would get now).
 */
export async function projectHead(
  client: DynamoDBClient,
  tableName: string,
  reader: EventReader,
  projector: HeadProjector,
  streamId: string,
  version: number,
  options: { readonly rebuild?: boolean } = {},
): Promise<{ version: number; state?: unknown }> {
  for (let round = 1; ; round++) {
    const head = await reader.loadHead(streamId);
    const current = head !== null && head.stateSchema === projector.stateSchema;
    if (head && head.version >= version && !options.rebuild)
      return current ? { version: head.version, state: head.state } : head;
    const resume = current && !options.rebuild;
    let state: unknown = resume ? head.state : projector.initialState();
    let at = resume ? head.version : 0;
    let awaiting: readonly string[] = resume ? (head.awaiting ?? []) : [];
    let updatedAt = head?.updatedAt ?? '';
    let hash = head?.hash ?? '';
    for await (const stored of reader.readEvents(streamId, { fromVersion: at + 1 })) {
      const event = projector.upcast(stored);
      state = projector.evolve(state, event);
      if (projector.awaiting) awaiting = projector.awaiting(awaiting, event, state);
      at = stored.version;
      updatedAt = stored.recordedAt;
      hash = stored.hash ?? '';
    }
    if (head && (at < head.version || (at === head.version && !options.rebuild)))
      return { version: head.version, state };
    try {
      await client.send(
        new PutItemCommand(
          headPutInput(
            tableName,
            {
              streamId,
              streamType: projector.streamType,
              version: at,
              hash,
              updatedAt,
              state,
              stateSchema: projector.stateSchema,
              projection: projector.project(state),
              awaiting,
            },
            head?.version ?? 0,
          ),
        ),
      );
      return { version: at, state };
    } catch (error) {
      // Another projection of this stream won the race: read it and go on from there.
      if (!(error instanceof ConditionalCheckFailedException) || round >= MAX_ROUNDS) throw error;
    }
  }
}

/**
 * The heads of a batch of the table's stream: each stream's events get their entries in the audit
 * time index (time-index.ts: one PutItem each), and its head is brought up to its newest event in
 * the batch (one head read, one Query of the events after it, one conditional PutItem), up to
 * PROJECTION_PARALLEL streams at once. The first stream (in the batch's order) that fails is reported at
 * its first record, so the event source retries from there: every stream before it is done, and doing
 * one again is harmless.
 */
export async function projectHeads(
  client: DynamoDBClient,
  tableName: string,
  reader: EventReader,
  event: DynamoDBStreamEvent,
): Promise<DynamoDBBatchResponse & { states: Map<string, unknown> }> {
  const newest = new Map<string, { version: number; sequenceNumber: string; timed: TimedEvent[] }>();
  // Each projected stream's whole state, as loadAggregate would read it now: the reactions take it from here.
  const states = new Map<string, unknown>();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    if (record.eventName === 'REMOVE' || image?.kind?.S !== 'event' || !image.pk?.S || !image.sk?.N) continue;
    const seen = newest.get(image.pk.S);
    const timed = timedEventOf(image);
    newest.set(image.pk.S, {
      version: Math.max(Number(image.sk.N), seen?.version ?? 0),
      sequenceNumber: seen?.sequenceNumber ?? record.dynamodb?.SequenceNumber ?? '',
      timed: timed ? [...(seen?.timed ?? []), timed] : (seen?.timed ?? []),
    });
  }
  // Streams are independent: up to PROJECTION_PARALLEL of them at once (one after the other, a batch of a
  // hundred streams waited on four round trips each in turn). The first failing stream in the batch's order
  // is the one reported; every stream after it is projected again on the retry, which changes nothing.
  const streams = [...newest];
  const failures: unknown[] = [];
  await forEachLimit(streams, PROJECTION_PARALLEL, async ([streamId, { version, timed }], i) => {
    const projector = headProjectors[streamTypeOf(streamId)];
    try {
      await writeTimeEntries(client, tableName, timed);
      if (!projector) return;
      const projected = await projectHead(client, tableName, reader, projector, streamId, version);
      if ('state' in projected) states.set(streamId, projected.state);
    } catch (error) {
      failures[i] = error;
    }
  });
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
