import { gunzipSync } from 'node:zlib';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Actor } from '../../events/actor.ts';
import type { EventReader, IdempotencyRecord, Page, StoredEvent, StreamHead } from './event-store.ts';

export type Item = Record<string, AttributeValue>;

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });

/** The sort key of a stream's list item (docs/ARCHITECTURE.md, "Event table"): before its head (0) and events (1..n). */
export const LIST_ITEM_SK = -1;

function str(item: Item, name: string): string {
  const v = item[name];
  if (v?.S === undefined) throw new Error(`item attribute ${name} is not a string`);
  return v.S;
}

function num(item: Item, name: string): number {
  const v = item[name];
  if (v?.N === undefined) throw new Error(`item attribute ${name} is not a number`);
  return Number(v.N);
}

/** An event item as a StoredEvent. */
export function toEvent(item: Item): StoredEvent {
  return {
    streamId: str(item, 'pk'),
    version: num(item, 'sk'),
    type: str(item, 'type'),
    data: JSON.parse(str(item, 'data')),
    recordedAt: str(item, 'recordedAt'),
    actor: JSON.parse(str(item, 'actor')) as Actor,
    schemaVersion: num(item, 'schemaVersion'),
    ...(item.hash?.S ? { prevHash: item.prevHash?.S ?? '', hash: item.hash.S } : {}),
  };
}

/** A head item as a StreamHead (its state unzipped when stored compressed). */
export function toHead<S>(item: Item): StreamHead<S> {
  const zipped = item.stateZ?.B;
  const json = zipped ? gunzipSync(zipped).toString('utf8') : str(item, 'state');
  return {
    streamId: str(item, 'pk'),
    version: num(item, 'version'),
    state: JSON.parse(json) as S,
    stateSchema: num(item, 'stateSchema'),
    updatedAt: str(item, 'updatedAt'),
    ...(item.hash?.S ? { hash: item.hash.S } : {}),
    ...(item.awaiting?.SS?.length ? { awaiting: item.awaiting.SS } : {}),
    ...(item.listSk?.S ? { listSk: item.listSk.S } : {}),
    ...(item.hPk?.S ? { auditPartition: item.hPk.S } : {}),
    ...(item.abridged?.BOOL ? { abridged: true } : {}),
    ...(item.kind?.S === 'list' ? { listItem: true } : {}),
  };
}

/**
 * A page of a list index with each stream once: while a stream listed by an older head of its own gets its
 * first list item, both are in the index for a moment (the list item is written first), and the newer wins.
 */
function oncePerStream<S>(heads: StreamHead<S>[]): StreamHead<S>[] {
  const newest = new Map<string, StreamHead<S>>();
  for (const head of heads) {
    const seen = newest.get(head.streamId);
    if (!seen || head.version > seen.version || (head.version === seen.version && head.listItem))
      newest.set(head.streamId, head);
  }
  return newest.size === heads.length ? heads : heads.filter((head) => newest.get(head.streamId) === head);
}

const encodeCursor = (key: Item | undefined): string | null =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;

function decodeCursor(cursor: string | null | undefined): Item | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object') return parsed as Item;
  } catch {
    // fall through: a cursor the caller mangled is treated as a bad request upstream
  }
  throw new InvalidCursorError();
}

/** A paging cursor that this store did not issue. */
export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

/**
 * The read side of the event store on one DynamoDB table (layout in docs/ARCHITECTURE.md):
 * a stream's head in one GetItem, its events page by page, the list indexes.
 */
export class DynamoDbEventReader implements EventReader {
  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly tableName: string,
  ) {}

  async loadHead<S>(streamId: string): Promise<StreamHead<S> | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: S(streamId), sk: N(0) },
        ConsistentRead: true,
      }),
    );
    return Item ? toHead<S>(Item) : null;
  }

  async lastVersion(streamId: string): Promise<number> {
    return Number((await this.newestEvent(streamId))?.sk?.N ?? 0);
  }

  /**
   * The stream's newest event item, or undefined: one consistent Query, Limit 1, of its version,
   * time and hash and of the `extra` attributes.
   */
  protected async newestEvent(streamId: string, extra: readonly string[] = []): Promise<Item | undefined> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk > :zero',
        ExpressionAttributeValues: { ':pk': S(streamId), ':zero': N(0) },
        ExpressionAttributeNames: { '#hash': 'hash' },
        ProjectionExpression: ['sk', 'recordedAt', '#hash', ...extra].join(', '),
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Items?.[0];
  }

  async *readEvents(
    streamId: string,
    options: { fromVersion?: number; toVersion?: number; pageSize?: number } = {},
  ): AsyncIterable<StoredEvent> {
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': S(streamId),
            ':from': N(Math.max(1, options.fromVersion ?? 1)),
            ':to': N(options.toVersion ?? Number.MAX_SAFE_INTEGER),
          },
          ConsistentRead: true,
          Limit: options.pageSize ?? 500,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield toEvent(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async readEventsPage(
    streamId: string,
    options: { limit: number; cursor?: string | null },
  ): Promise<Page<StoredEvent>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :one',
        ExpressionAttributeValues: { ':pk': S(streamId), ':one': N(1) },
        ConsistentRead: true,
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor),
      }),
    );
    return { items: (page.Items ?? []).map(toEvent), cursor: encodeCursor(page.LastEvaluatedKey) };
  }

  async getIdempotencyRecord(key: string): Promise<IdempotencyRecord | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: S(`idem#${key}`), sk: N(0) },
        ConsistentRead: true,
      }),
    );
    if (!Item) return null;
    // DynamoDB's TTL deletes lazily; an expired record no longer binds the key.
    if (Item.expiresAt?.N && Number(Item.expiresAt.N) * 1000 < Date.now()) return null;
    return {
      key,
      requestHash: str(Item, 'requestHash'),
      response: JSON.parse(str(Item, 'response')) as IdempotencyRecord['response'],
    };
  }

  cursorAfter(query: { index: 'byType' | 'byOrg'; key: string }, head: StreamHead<unknown>): string | null {
    if (head.listSk === undefined) return null;
    // The index's LastEvaluatedKey: the table's key and the index's (byType listPk/listSk, byOrg orgPk/listSk).
    return encodeCursor({
      pk: S(head.streamId),
      sk: N(head.listItem ? LIST_ITEM_SK : 0),
      [query.index === 'byType' ? 'listPk' : 'orgPk']: S(query.key),
      listSk: S(head.listSk),
    });
  }

  async listHeads<S>(
    query: { index: 'byType' | 'byOrg'; key: string; visibleTo?: string },
    options: { limit: number; cursor?: string | null },
  ): Promise<Page<StreamHead<S>>> {
    const keyName = query.index === 'byType' ? 'listPk' : 'orgPk';
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: query.index,
      KeyConditionExpression: `${keyName} = :key`,
      ExpressionAttributeValues: { ':key': S(query.key) },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor),
    };
    if (query.visibleTo) {
      input.FilterExpression = 'contains(visibleTo, :role)';
      input.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ':role': S(query.visibleTo) };
    }
    const page = await this.client.send(new QueryCommand(input));
    return {
      items: oncePerStream((page.Items ?? []).map((item) => toHead<S>(item))),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }

  async listOpen(
    streamType: string,
    options: { limit: number; cursor?: string | null },
  ): Promise<Page<string>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byOpen',
        KeyConditionExpression: 'openPk = :type',
        ExpressionAttributeValues: { ':type': S(streamType) },
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor),
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => str(item, 'pk')),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }
}
