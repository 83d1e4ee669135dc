import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { TIME_ENTRY_PREFIX, timeSortKey } from '../../events/audit/hash.ts';
import type { HeadLeaf } from '../../events/audit/merkle.ts';
import { type AuditGroup, auditGroups } from '../../events/audit/partitions.ts';
import { DynamoDbEventReader, type Item, S, toEvent } from '../store/dynamodb-event-reader.ts';
import type { StoredEvent } from '../store/event-store.ts';
import { untilProcessed } from '../store/unprocessed.ts';
import { partitionsToRead } from './partition-layout.ts';

/**
 * The audit reads of the event table: every stream's head (sparse index `byHead`) and every event of
 * a period in recorded order (index `byTime`; its entries are written by the stream projection, see
 * time-index.ts). Both indexes keep a stream in the partitions of its audit group, its sector or
 * `shared` (events/audit/partitions.ts), each group over a few shards: a reader queries its groups'
 * partitions and merges them. Neither scans the table, and no single partition takes every write.
 */

/** A stream's head as the byHead index holds it. */
export interface HeadEntry extends HeadLeaf {
  readonly streamType: string;
  readonly updatedAt: string;
}

/** A byHead index item as the entry it lists. */
const headEntryOf = (item: Item): HeadEntry => ({
  streamId: item.hSk?.S ?? '',
  version: Number(item.version?.N ?? 0),
  hash: item.hash?.S ?? '',
  streamType: item.streamType?.S ?? '',
  updatedAt: item.updatedAt?.S ?? '',
});

/**
 * Stream ids in the byHead index's order: DynamoDB sorts a string key by its UTF-8 bytes, which is not
 * JavaScript's order (UTF-16 code units) beyond the Basic Multilingual Plane. A merge of the shards and
 * a cursor read as `hSk > :after` must agree with the index.
 */
export const compareStreamIds = (a: string, b: string): number =>
  a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Every stream's head, sorted by stream id: the leaves of a checkpoint. */
export async function listAllHeads(client: DynamoDBClient, table: string): Promise<HeadEntry[]> {
  const partitions = await partitionsToRead(client, table, 'h');
  const byStream = new Map<string, HeadEntry>();
  await Promise.all(
    partitions.map(async (partition) => {
      // No Limit: each Query answers up to DynamoDB's 1 MB, some 6,000 of these small index items.
      for await (const item of partitionHeads(client, table, partition, '', undefined)) {
        const head = headEntryOf(item);
        // A head met twice (moved out of an ungrouped partition while read): the newer of the two.
        const seen = byStream.get(head.streamId);
        if (!seen || seen.version < head.version) byStream.set(head.streamId, head);
      }
    }),
  );
  // JavaScript's order, as every checkpoint so far was built in (the same as the index's for the ASCII ids streams have).
  return [...byStream.values()].sort((a, b) =>
    a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
  );
}

/** Every item a Query answers, page after page. */
export async function* queryItems(client: DynamoDBClient, input: QueryCommandInput): AsyncGenerator<Item> {
  let startKey: Item | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * The items of some index partitions, each partition's in its index's order, merged into one order by
 * `key` (`compare`): each partition is read as the merge reaches it, so a caller that stops early has
 * read at most a Query page per partition beyond what it took. An item whose key equals the one just
 * taken is left out: the same stream's head or event met in two partitions, moved from the ungrouped
 * layout to its group's while read (partition-layout.ts).
 */
async function* mergePartitions(
  partitions: readonly string[],
  read: (partition: string) => AsyncGenerator<Item>,
  key: (item: Item) => string,
  compare: (a: string, b: string) => number,
): AsyncGenerator<Item> {
  const shards = partitions.map(read);
  const next = await Promise.all(shards.map((it) => it.next()));
  const keyOf = (r: IteratorResult<Item> | undefined) => (r && !r.done ? key(r.value) : null);
  let last: string | null = null;
  try {
    for (;;) {
      let best = -1;
      for (let i = 0; i < next.length; i++) {
        const k = keyOf(next[i]);
        if (k !== null && (best < 0 || compare(k, keyOf(next[best]) ?? '') < 0)) best = i;
      }
      const head = next[best];
      if (!head || head.done) return;
      const k = key(head.value);
      if (k !== last) yield head.value;
      last = k;
      next[best] = await (shards[best] as AsyncGenerator<Item>).next();
    }
  } finally {
    await Promise.all(shards.map((it) => it.return(undefined)));
  }
}

/**
 * A byHead partition's items after the stream id `after` ('' from the first), in index order; with
 * `type`, only that stream type's (its ids are `<type>#…`, and `$` sorts right after `#`).
 */
async function* partitionHeads(
  client: DynamoDBClient,
  table: string,
  partition: string,
  after: string,
  pageSize: number | undefined,
  type?: string,
): AsyncGenerator<Item> {
  const pk = S(partition);
  const from = type && after < `${type}#` ? `${type}#` : after;
  // A cursor past the type's range (BETWEEN would refuse a lower bound above its upper one): nothing more.
  if (type && from > `${type}$`) return;
  const items = queryItems(client, {
    TableName: table,
    IndexName: 'byHead',
    ...(pageSize ? { Limit: pageSize } : {}),
    ...(type
      ? {
          KeyConditionExpression: 'hPk = :pk AND hSk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': S(from), ':to': S(`${type}$`) },
        }
      : after
        ? {
            KeyConditionExpression: 'hPk = :pk AND hSk > :after',
            ExpressionAttributeValues: { ':pk': pk, ':after': S(after) },
          }
        : { KeyConditionExpression: 'hPk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
  });
  // BETWEEN includes `after` itself.
  for await (const item of items) if (!after || (item.hSk?.S ?? '') > after) yield item;
}

/**
 * The heads of some byHead partitions after the stream id `after`, merged into stream-id order; each
 * partition is read `pageSize` items a Query as the merge reaches it, so a caller that stops early has
 * read at most a page per partition beyond what it took.
 */
export async function* headsAfter(
  client: DynamoDBClient,
  table: string,
  partitions: readonly string[],
  after: string,
  pageSize = 1000,
  type?: string,
): AsyncGenerator<HeadEntry> {
  const merged = mergePartitions(
    partitions,
    (partition) => partitionHeads(client, table, partition, after, pageSize, type),
    (item) => item.hSk?.S ?? '',
    compareStreamIds,
  );
  for await (const item of merged) yield headEntryOf(item);
}

/** Which of some stream ids a reader may see (the audit scope, functions/audit/audit-scope.ts). */
export interface HeadVisibility {
  /** True when every stream is visible: nothing to decide. */
  readonly everything: boolean;
  /** The audit groups whose partitions hold every stream it may see (events/audit/partitions.ts). */
  readonly groups: readonly AuditGroup[];
  visible(streamIds: Iterable<string>): Promise<Set<string>>;
}

/** How many heads one page of a reader granted fewer sectors than all looks at, at most. */
export const HEADS_EXAMINED_PER_PAGE = 5000;

/**
 * One page of `GET /audit/heads`: up to `limit` heads after the stream id `after`, in stream-id order,
 * that `scope` shows (of one stream `type`'s streams only, when given). The cursor is the last stream id
 * the page covered, null at the end. A reader who sees every sector gets full pages. One granted fewer
 * reads its sectors' partitions and `shared`'s only, and has those heads decided 500 at a time (a stream
 * in `shared` may still be another sector's: a multi-sector survey, a ministry) and stops after `examine`
 * ({@link HEADS_EXAMINED_PER_PAGE}; `limit` if more) looked at: its page may then hold fewer than `limit`
 * heads and still have a cursor.
 */
export async function readHeadsPage(
  client: DynamoDBClient,
  table: string,
  scope: HeadVisibility,
  query: { after: string; limit: number; examine?: number; type?: string },
): Promise<{ items: HeadEntry[]; cursor: string | null }> {
  const { after, limit } = query;
  const examine = scope.everything ? limit : Math.max(limit, query.examine ?? HEADS_EXAMINED_PER_PAGE);
  const batchSize = scope.everything ? limit : 500;
  const partitions = await partitionsToRead(client, table, 'h', scope.groups);
  const pageSize = Math.min(1000, Math.max(50, Math.ceil((examine / partitions.length) * 1.25)));
  const items: HeadEntry[] = [];
  let examined = 0;
  let last = after;
  let batch: HeadEntry[] = [];
  const decide = async () => {
    const visible = await scope.visible(batch.map((h) => h.streamId));
    items.push(...batch.filter((h) => visible.has(h.streamId)));
    last = batch.at(-1)?.streamId ?? last;
    batch = [];
  };
  const full = () => ({ items: items.slice(0, limit), cursor: items[limit - 1]?.streamId ?? null });
  const heads = headsAfter(client, table, partitions, after, pageSize, query.type);
  try {
    for await (const head of heads) {
      batch.push(head);
      examined++;
      if (batch.length === batchSize || examined >= examine) await decide();
      if (items.length >= limit) return full();
      if (examined >= examine) return { items, cursor: last };
    }
  } finally {
    await heads.return(undefined);
  }
  if (batch.length) await decide();
  return items.length > limit ? full() : { items, cursor: null };
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
 * A byTime partition's entries from just after `after` to the end of `to`'s millisecond, in index
 * order, page by page (`pageSize` a Query): index items only (a time entry, or an event item of an
 * earlier release), resolved to events by the caller for the ones it keeps.
 */
async function* partitionEntries(
  client: DynamoDBClient,
  table: string,
  partition: string,
  after: string,
  to: string,
  pageSize: number,
): AsyncGenerator<Item> {
  const items = queryItems(client, {
    TableName: table,
    IndexName: 'byTime',
    // `~` sorts after every character a stream id or version holds: the whole of `to`'s millisecond.
    KeyConditionExpression: 'tPk = :pk AND tSk BETWEEN :after AND :to',
    ExpressionAttributeValues: { ':pk': S(partition), ':after': S(after), ':to': S(`${to}~`) },
    Limit: pageSize,
  });
  for await (const item of items) if ((item.tSk?.S ?? '') > after) yield item;
}

/**
 * The byTime entries of some groups' partitions from just after `after` to `to`, merged into the global
 * recorded order (by `tSk`, which is the event's {@link eventSortKey}), each partition read page by page
 * as the merge reaches it: every entry is read once, and at most `limit` of them are taken.
 */
async function* mergedEntries(
  client: DynamoDBClient,
  table: string,
  groups: readonly AuditGroup[],
  after: string,
  to: string,
  limit: number,
  pageSize = Math.min(limit, 1000),
): AsyncGenerator<Item> {
  if (limit <= 0) return;
  let taken = 0;
  const merged = mergePartitions(
    await partitionsToRead(client, table, 't', groups),
    (partition) => partitionEntries(client, table, partition, after, to, pageSize),
    (item) => item.tSk?.S ?? '',
    (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  for await (const item of merged) {
    yield item;
    if (++taken >= limit) return;
  }
}

/**
 * One page of the events recorded from `from` to `to` (inclusive), in recorded order across the
 * streams of `groups` (every group by default). The cursor is the last index entry's sort key (the
 * last event's, unless its event is missing), so a page is a fresh range query per partition from
 * there: no state is kept between pages. Each partition reads at most `limit` entries, and only the
 * page's events are fetched.
 */
export async function readPeriodPage(
  client: DynamoDBClient,
  table: string,
  query: {
    from: string;
    to: string;
    limit: number;
    cursor?: string | null;
    groups?: readonly AuditGroup[];
  },
): Promise<{ items: StoredEvent[]; cursor: string | null }> {
  const after = query.cursor && query.cursor > query.from ? query.cursor : query.from;
  const entries: Item[] = [];
  const merged = mergedEntries(client, table, query.groups ?? auditGroups, after, query.to, query.limit);
  for await (const item of merged) entries.push(item);
  const items: StoredEvent[] = [];
  for (let i = 0; i < entries.length; i += BATCH_GET_KEYS)
    items.push(...(await eventsOfTimeItems(client, table, entries.slice(i, i + BATCH_GET_KEYS))));
  const last = entries[entries.length - 1]?.tSk?.S;
  return { items, cursor: entries.length >= query.limit && last ? last : null };
}

/**
 * Every event recorded from `from` to `to`, in recorded order across the streams of `groups` (every
 * group by default): one merge over their partitions from start to end (each index entry read once; a
 * period of n events costs n index entries and n/100 BatchGetItem calls, not a fresh query of every
 * partition per page). `pageSize`: index entries a Query (1,000; less only to test the paging).
 */
export async function* periodEvents(
  client: DynamoDBClient,
  table: string,
  from: string,
  to: string,
  options: { pageSize?: number; groups?: readonly AuditGroup[] } = {},
): AsyncIterable<StoredEvent> {
  let batch: Item[] = [];
  const entries = mergedEntries(
    client,
    table,
    options.groups ?? auditGroups,
    from,
    to,
    Number.POSITIVE_INFINITY,
    options.pageSize,
  );
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
