import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AUDIT_SHARDS,
  headPartition,
  TIME_ENTRY_PREFIX,
  timePartition,
  timeSortKey,
} from '../../events/audit/hash.ts';
import type { HeadLeaf } from '../../events/audit/merkle.ts';
import { DynamoDbEventReader, type Item, S, toEvent } from './dynamodb-event-reader.ts';
import type { StoredEvent } from './event-store.ts';

/**
 * The audit reads of the event table: every stream's head (sparse index `byHead`, sharded)
 * and every event of a period in recorded order (index `byTime`, sharded by stream, merged on
 * read; its entries are written by the stream projection, see time-index.ts). Neither scans the table, and no single partition takes every write.
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

/** BatchGetItem's limit of keys per call. */
const BATCH_GET_KEYS = 100;

/**
 * The events of a page of the byTime index, in the index's order: an event item of an earlier
 * release as it is, a time entry as the event it points to (read by BatchGetItem, consistent). An
 * entry whose event is not there is left out: a stream's verification, not a period read, is where
 * a missing event is reported (its chain and its head no longer agree).
 */
async function eventsOfTimeItems(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Item[],
): Promise<StoredEvent[]> {
  const keyOf = (item: Item) => {
    const pk = item.pk?.S ?? '';
    return { pk: pk.slice(TIME_ENTRY_PREFIX.length), sk: item.sk?.N ?? '' };
  };
  const entries = items.filter((item) => item.kind?.S === 'time').map(keyOf);
  const found = new Map<string, Item>();
  for (let i = 0; i < entries.length; i += BATCH_GET_KEYS) {
    let keys: Item[] | undefined = entries
      .slice(i, i + BATCH_GET_KEYS)
      .map((k) => ({ pk: S(k.pk), sk: { N: k.sk } }));
    for (let round = 0; keys && keys.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
      const out: BatchGetItemCommandOutput = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ConsistentRead: true,
              // The event, not the decision state the newest one carries.
              ProjectionExpression: 'pk, sk, #type, #data, recordedAt, actor, schemaVersion, prevHash, #hash',
              ExpressionAttributeNames: { '#type': 'type', '#data': 'data', '#hash': 'hash' },
            },
          },
        }),
      );
      for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk?.S}#${item.sk?.N}`, item);
      keys = out.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  const events: StoredEvent[] = [];
  for (const item of items) {
    if (item.kind?.S !== 'time') {
      events.push(toEvent(item));
      continue;
    }
    const { pk, sk } = keyOf(item);
    const event = found.get(`${pk}#${sk}`);
    if (event) events.push(toEvent(event));
  }
  return events;
}

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
    for (const e of await eventsOfTimeItems(client, table, page.Items ?? [])) {
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
