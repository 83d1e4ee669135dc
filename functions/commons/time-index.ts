import { type AttributeValue, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { TIME_ENTRY_PREFIX, timeIndexKeys } from '../../events/audit/hash.ts';
import { type Item, N, S } from './dynamodb-event-reader.ts';

/**
 * The audit time index (GSI `byTime`, docs/ARCHITECTURE.md "Event table"): every event of a period
 * in recorded order. An event item of this release carries no time index keys, so the index does not
 * copy it on the command path (a second write per command, the whole item, decision state and all).
 * Its entry is a small item of its own, `time#<streamId>` / version with `tPk` and `tSk`, written by
 * the stream projection (head-projection.ts, stream-reactor) after the event is committed: one write
 * unit for the entry and one for its copy in the index, off the command path. Event items written by
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
  if (image?.kind?.S !== 'event' || image.tPk?.S !== undefined) return null;
  const streamId = image.pk?.S;
  const version = Number(image.sk?.N);
  const recordedAt = image.recordedAt?.S;
  if (!streamId || !Number.isInteger(version) || !recordedAt) return null;
  return { streamId, version, recordedAt };
}

/** The time entry item of an event. */
export function timeEntryItem(event: TimedEvent): Item {
  const { tPk, tSk } = timeIndexKeys(event.streamId, event.version, event.recordedAt);
  return {
    pk: S(`${TIME_ENTRY_PREFIX}${event.streamId}`),
    sk: N(event.version),
    kind: S('time'),
    tPk: S(tPk),
    tSk: S(tSk),
  };
}

/**
 * Writes the time entries of committed events. Unconditional and idempotent: an entry is a function
 * of its event, so a stream batch handed over twice writes the same items again.
 */
export async function writeTimeEntries(
  client: DynamoDBClient,
  tableName: string,
  events: readonly TimedEvent[],
): Promise<void> {
  await Promise.all(
    events.map((event) =>
      client.send(new PutItemCommand({ TableName: tableName, Item: timeEntryItem(event) })),
    ),
  );
}
