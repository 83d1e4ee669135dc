import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { AUDIT_SHARDS, headPartition, timePartition, timeSortKey } from '../../events/audit/hash.ts';
import type { HeadLeaf } from '../../events/audit/merkle.ts';
import { DynamoDbEventReader, type Item, S, toEvent } from './dynamodb-event-reader.ts';
import type { StoredEvent } from './event-store.ts';

/**
 * The audit reads of the event table: every stream's head (sparse index `byHead`, sharded)
 * and every event of a period in recorded order (index `byTime`, sharded by day and stream,
 * merged on read). Neither scans the table, and no single partition takes every write.
 */

/** A stream's head as the byHead index holds it. */
export interface HeadEntry extends HeadLeaf {
  readonly streamType: string;
  readonly updatedAt: string;
}

/** Every stream's head, sorted by stream id: the leaves of a checkpoint. */
export async function listAllHeads(client: DynamoDBClient, table: string): Promise<HeadEntry[]> {
  const shards = await Promise.all(
    Array.from({ length: AUDIT_SHARDS }, async (_, shard) => {
      const heads: HeadEntry[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'byHead',
            KeyConditionExpression: 'hPk = :pk',
            ExpressionAttributeValues: { ':pk': S(headPartition(shard)) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          heads.push({
            streamId: item.hSk?.S ?? '',
            version: Number(item.version?.N ?? 0),
            hash: item.hash?.S ?? '',
            streamType: item.streamType?.S ?? '',
            updatedAt: item.updatedAt?.S ?? '',
          });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return heads;
    }),
  );
  return shards.flat().sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
}

/** The sort key of an event in the time index: the cursor of {@link readPeriodPage}. */
export const eventSortKey = (e: StoredEvent): string => timeSortKey(e.recordedAt, e.streamId, e.version);

async function queryShard(
  client: DynamoDBClient,
  table: string,
  shard: number,
  after: string,
  to: string,
  limit: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byTime',
        // `~` sorts after every character a stream id or version holds: the whole of `to`'s millisecond.
        KeyConditionExpression: 'tPk = :pk AND tSk BETWEEN :after AND :to',
        ExpressionAttributeValues: {
          ':pk': S(timePartition(shard)),
          ':after': S(after),
          ':to': S(`${to}~`),
        },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const e = toEvent(item);
      if (eventSortKey(e) > after) events.push(e);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && events.length < limit);
  return events.slice(0, limit);
}

/**
 * One page of the events recorded from `from` to `to` (inclusive), in recorded order across
 * all streams. The cursor is the last event's time-index sort key, so a page is a fresh
 * range query per shard from there: no state is kept between pages.
 */
export async function readPeriodPage(
  client: DynamoDBClient,
  table: string,
  query: { from: string; to: string; limit: number; cursor?: string | null },
): Promise<{ items: StoredEvent[]; cursor: string | null }> {
  const after = query.cursor && query.cursor > query.from ? query.cursor : query.from;
  const shards = await Promise.all(
    Array.from({ length: AUDIT_SHARDS }, (_, shard) =>
      queryShard(client, table, shard, after, query.to, query.limit),
    ),
  );
  // Each shard is sorted; the page is the `limit` smallest keys across them.
  const merged = shards.flat().map((e) => ({ e, key: eventSortKey(e) }));
  merged.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const items = merged.slice(0, query.limit).map((m) => m.e);
  const last = items[items.length - 1];
  return { items, cursor: items.length >= query.limit && last ? eventSortKey(last) : null };
}

/** Every event recorded from `from` to `to`, in recorded order across streams, page after page. */
export async function* periodEvents(
  client: DynamoDBClient,
  table: string,
  from: string,
  to: string,
): AsyncIterable<StoredEvent> {
  let cursor: string | null = null;
  do {
    const page = await readPeriodPage(client, table, { from, to, limit: 1000, cursor });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** A stream's events, page by page, straight from the table (the event reader's own Query). */
export function streamEvents(
  client: DynamoDBClient,
  table: string,
  streamId: string,
): AsyncIterable<StoredEvent> {
  return new DynamoDbEventReader(client, table).readEvents(streamId, { pageSize: 1000 });
}
