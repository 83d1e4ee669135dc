import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { TIME_ENTRY_PREFIX, timeSortKey } from '../../events/audit/hash.ts';
import { type AuditGroup, auditPartition } from '../../events/audit/partitions.ts';
import { type Item, N, S } from './dynamodb-event-reader.ts';
import { EVENT_KIND } from './event-item.ts';
import { untilProcessed } from './unprocessed.ts';

/**
 * The audit time index (GSI `byTime`, docs/ARCHITECTURE.md "Event table"): every event of a period
 * in recorded order. An event item of this release carries no time index keys, so the index does not
 * copy it on the command path (a second write per command, the whole item, decision state and all).
 * Its entry is a small item of its own, `time#<streamId>` / version with `tPk` and `tSk`, written by
 * the stream projection (head-projection.ts, stream-reactor) after the event is committed (25 to a
 * BatchWriteItem): one write unit for the entry and one for its copy in the index, off the command path. Event items written by
 * an earlier release carry `tPk`/`tSk` themselves and stay in the index as they are; a period read
 * takes both (audit-log.ts resolves an entry to its event by BatchGetItem).
 */

/** An event that needs a time entry: what its stream record says. */
export interface TimedEvent {
  readonly streamId: string;
  readonly version: number;
  readonly recordedAt: string;
}

/**
 * The event a committed stream record carries, when it needs a time entry: an event item without
 * time index keys (one that has them, written by an earlier release, is in the index already).
 */
export function timedEventOf(image: Record<string, AttributeValue> | undefined): TimedEvent | null {
  if (image?.kind?.S !== EVENT_KIND || image.tPk?.S !== undefined) return null;
  const streamId = image.pk?.S;
  const version = Number(image.sk?.N);
  const recordedAt = image.recordedAt?.S;
  if (!streamId || !Number.isInteger(version) || !recordedAt) return null;
  return { streamId, version, recordedAt };
}

/** An event's time entry to write: the event, and its stream's audit group (events/audit/partitions.ts). */
export interface TimeEntry extends TimedEvent {
  readonly group: AuditGroup;
}

/** The time entry item of an event, in its stream's group's byTime partition. */
export function timeEntryItem(entry: TimeEntry): Item {
  return {
    pk: S(`${TIME_ENTRY_PREFIX}${entry.streamId}`),
    sk: N(entry.version),
    kind: S('time'),
    tPk: S(auditPartition('t', entry.group, entry.streamId)),
    tSk: S(timeSortKey(entry.recordedAt, entry.streamId, entry.version)),
  };
}

/** BatchWriteItem's limit of items per call. */
export const BATCH_WRITE_ITEMS = 25;

/**
 * Writes the time entries of committed events, 25 to a BatchWriteItem (a stream batch's entries in one to
 * four calls, not one PutItem each), the calls side by side; items DynamoDB leaves unprocessed are sent
 * again after a growing pause. Unconditional and idempotent: an entry is a function of its event, so a
 * stream batch handed over twice writes the same items again.
 */
export async function writeTimeEntries(
  client: DynamoDBClient,
  tableName: string,
  events: readonly TimeEntry[],
): Promise<void> {
  // One request may not name an item twice (a record handed over twice in one batch).
  const unique = [...new Map(events.map((e) => [`${e.streamId}#${e.version}`, e])).values()];
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_WRITE_ITEMS)
    chunks.push(
      unique.slice(i, i + BATCH_WRITE_ITEMS).map((e) => ({ PutRequest: { Item: timeEntryItem(e) } })),
    );
  await Promise.all(
    chunks.map((chunk) =>
      untilProcessed(
        chunk,
        async (requests) => {
          const out: BatchWriteItemCommandOutput = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [tableName]: [...requests] } }),
          );
          return out.UnprocessedItems?.[tableName];
        },
        'BatchWriteItem of time entries',
      ),
    ),
  );
}
