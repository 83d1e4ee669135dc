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
import { DynamoDbEventReader, type Item, S, toEvent } from '../store/dynamodb-event-reader.ts';
import type { StoredEvent } from '../store/event-store.ts';
import { untilProcessed } from '../store/unprocessed.ts';

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
    const keys: Item[] = entries.slice(i, i + BATCH_GET_KEYS).map((k) => ({ pk: S(k.pk), sk: { N: k.sk } }));
    await untilProcessed(
      keys,
      async (left) => {
        const out: BatchGetItemCommandOutput = await client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [tableName]: {
                Keys: [...left],
                ConsistentRead: true,
                // The event, not the decision state the newest one carries.
                ProjectionExpression:
                  'pk, sk, #type, #data, recordedAt, actor, schemaVersion, prevHash, #hash',
                ExpressionAttributeNames: { '#type': 'type', '#data': 'data', '#hash': 'hash' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk?.S}#${item.sk?.N}`, item);
        return out.UnprocessedKeys?.[tableName]?.Keys;
      },
      'BatchGetItem of period events',
    );
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

/**
 * A shard's entries of the byTime index from just after `after` to the end of `to`'s millisecond, in
 * index order, page by page (`pageSize` a Query): index items only (a time entry, or an event item of an
 * earlier release), resolved to events by the caller for the ones it keeps.
 */
async function* shardEntries(
  client: DynamoDBClient,
  table: string,
  shard: number,
  after: string,
  to: string,
  pageSize: number,
): AsyncGenerator<Item> {
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
        Limit: pageSize,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if ((item.tSk?.S ?? '') > after) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * The byTime entries of every shard from just after `after` to `to`, merged into the global recorded
 * order (by `tSk`, which is the event's {@link eventSortKey}), each shard read page by page as the merge
 * reaches it: every entry is read once, and at most `limit` of them are taken.
 */
async function* mergedEntries(
  client: DynamoDBClient,
  table: string,
  after: string,
  to: string,
  limit: number,
  pageSize = Math.min(limit, 1000),
): AsyncGenerator<Item> {
  const shards = Array.from({ length: AUDIT_SHARDS }, (_, shard) =>
    shardEntries(client, table, shard, after, to, pageSize),
  );
  const heads = await Promise.all(shards.map((it) => it.next()));
  const key = (r: IteratorResult<Item> | undefined) => (r && !r.done ? (r.value.tSk?.S ?? '') : null);
  try {
    for (let taken = 0; taken < limit; taken++) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const k = key(heads[i]);
        if (k !== null && (best < 0 || k < (key(heads[best]) ?? ''))) best = i;
      }
      const head = heads[best];
      if (!head || head.done) return;
      yield head.value;
      heads[best] = await (shards[best] as AsyncGenerator<Item>).next();
    }
  } finally {
    await Promise.all(shards.map((it) => it.return(undefined)));
  }
}

/**
 * One page of the events recorded from `from` to `to` (inclusive), in recorded order across
 * all streams. The cursor is the last index entry's sort key (the last event's, unless its event
 * is missing), so a page is a fresh range query per shard from there: no state is kept between
 * pages. Each shard reads at most `limit` entries, and only the page's events are fetched.
 */
export async function readPeriodPage(
  client: DynamoDBClient,
  table: string,
  query: { from: string; to: string; limit: number; cursor?: string | null },
): Promise<{ items: StoredEvent[]; cursor: string | null }> {
  const after = query.cursor && query.cursor > query.from ? query.cursor : query.from;
  const entries: Item[] = [];
  for await (const item of mergedEntries(client, table, after, query.to, query.limit)) entries.push(item);
  const items: StoredEvent[] = [];
  for (let i = 0; i < entries.length; i += BATCH_GET_KEYS)
    items.push(...(await eventsOfTimeItems(client, table, entries.slice(i, i + BATCH_GET_KEYS))));
  const last = entries[entries.length - 1]?.tSk?.S;
  return { items, cursor: entries.length >= query.limit && last ? last : null };
}

/**
 * Every event recorded from `from` to `to`, in recorded order across streams: one merge over the
 * shards from start to end (each index entry read once; a period of n events costs n index entries
 * and n/100 BatchGetItem calls, not a fresh query of every shard per page). `pageSize`: index entries
 * a Query (1,000; less only to test the paging).
 */
export async function* periodEvents(
  client: DynamoDBClient,
  table: string,
  from: string,
  to: string,
  options: { pageSize?: number } = {},
): AsyncIterable<StoredEvent> {
  let batch: Item[] = [];
  const entries = mergedEntries(client, table, from, to, Number.POSITIVE_INFINITY, options.pageSize);
  for await (const item of entries) {
    batch.push(item);
    if (batch.length === BATCH_GET_KEYS) {
      yield* await eventsOfTimeItems(client, table, batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield* await eventsOfTimeItems(client, table, batch);
}

/** A stream's events, page by page, straight from the table (the event reader's own Query). */
export function streamEvents(
  client: DynamoDBClient,
  table: string,
  streamId: string,
): AsyncIterable<StoredEvent> {
  return new DynamoDbEventReader(client, table).readEvents(streamId, { pageSize: 1000 });
}
