import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Actor } from '../../events/actor.ts';
import { ConcurrencyError } from '../../events/errors.ts';
import {
  type AppendRequest,
  type EventStore,
  type IdempotencyRecord,
  IdempotencyRecordExistsError,
  type Page,
  type StoredEvent,
  type StreamHead,
} from './event-store.ts';

/** Head snapshots above this size are stored gzipped, to stay well inside DynamoDB's 400 KB item limit. */
const COMPRESS_ABOVE = 64 * 1024;
/** How long an idempotency record is kept: clients retry within minutes, not days. */
const IDEMPOTENCY_TTL_S = 24 * 3600;

type Item = Record<string, AttributeValue>;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

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

function toEvent(item: Item): StoredEvent {
  return {
    streamId: str(item, 'pk'),
    version: num(item, 'sk'),
    type: str(item, 'type'),
    data: JSON.parse(str(item, 'data')),
    recordedAt: str(item, 'recordedAt'),
    actor: JSON.parse(str(item, 'actor')) as Actor,
    schemaVersion: num(item, 'schemaVersion'),
  };
}

function toHead<S>(item: Item): StreamHead<S> {
  const zipped = item.stateZ?.B;
  const json = zipped ? gunzipSync(zipped).toString('utf8') : str(item, 'state');
  return {
    streamId: str(item, 'pk'),
    version: num(item, 'version'),
    state: JSON.parse(json) as S,
    stateSchema: num(item, 'stateSchema'),
    updatedAt: str(item, 'updatedAt'),
  };
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
 * The event store on one DynamoDB table (layout in docs/ARCHITECTURE.md). An append is a
 * single TransactWriteItems: the events (each must be new), the head (conditional on the
 * expected version) and the idempotency record (must be new). Reads of a stream page.
 */
export class DynamoDbEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
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

  async append(request: AppendRequest): Promise<{ version: number }> {
    const { streamId, expectedVersion, events, recordedAt } = request;
    const actor = JSON.stringify(request.actor);
    const items: TransactWriteItem[] = events.map((event, i) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          pk: S(streamId),
          sk: N(expectedVersion + i + 1),
          kind: S('event'),
          streamType: S(request.streamType),
          type: S(event.type),
          data: S(JSON.stringify(event.data)),
          recordedAt: S(recordedAt),
          actor: S(actor),
          schemaVersion: N(request.schemaVersion),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    const version = expectedVersion + events.length;
    items.push({ Put: this.headPut(request, version) });
    if (request.idempotency) items.push({ Put: this.idempotencyPut(request.idempotency, recordedAt) });
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        const idemIndex = request.idempotency ? items.length - 1 : -1;
        const idemCode = idemIndex >= 0 ? reasons[idemIndex]?.Code : undefined;
        // Taken (committed) or being taken (a twin request's transaction is in flight).
        if (idemCode === 'ConditionalCheckFailed' || idemCode === 'TransactionConflict') {
          throw new IdempotencyRecordExistsError(request.idempotency?.key ?? '');
        }
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          throw new ConcurrencyError(streamId, expectedVersion, { cause: error });
        }
      }
      throw error;
    }
    return { version };
  }

  private headPut(request: AppendRequest, version: number) {
    const { projection } = request.head;
    const json = JSON.stringify(request.head.state);
    const item: Item = {
      pk: S(request.streamId),
      sk: N(0),
      kind: S('head'),
      streamType: S(request.streamType),
      version: N(version),
      stateSchema: N(request.head.stateSchema),
      updatedAt: S(request.recordedAt),
      listPk: S(projection.listPk),
      listSk: S(projection.listSk),
      ...(json.length > COMPRESS_ABOVE ? { stateZ: { B: gzipSync(json) } } : { state: S(json) }),
      ...(projection.orgPk ? { orgPk: S(projection.orgPk) } : {}),
      ...(projection.visibleTo?.length ? { visibleTo: { SS: [...projection.visibleTo] } } : {}),
    };
    return request.expectedVersion === 0
      ? { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': N(request.expectedVersion) },
        };
  }

  private idempotencyPut(record: IdempotencyRecord, recordedAt: string) {
    return {
      TableName: this.tableName,
      Item: {
        pk: S(`idem#${record.key}`),
        sk: N(0),
        kind: S('idem'),
        requestHash: S(record.requestHash),
        response: S(JSON.stringify(record.response)),
        expiresAt: N(Math.floor(Date.parse(recordedAt) / 1000) + IDEMPOTENCY_TTL_S),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
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
      items: (page.Items ?? []).map((item) => toHead<S>(item)),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }
}
