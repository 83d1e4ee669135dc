import { gzipSync } from 'node:zlib';
import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { chainHashes, GENESIS_HASH, headIndexKeys, timeIndexKeys } from '../../events/audit/hash.ts';
import { ConcurrencyError } from '../../events/errors.ts';
import { DynamoDbEventReader, type Item, N, S } from './dynamodb-event-reader.ts';
import {
  type AppendRequest,
  type EventStore,
  type IdempotencyRecord,
  IdempotencyRecordExistsError,
  type MultiStreamAppender,
} from './event-store.ts';

/** Head snapshots above this size are stored gzipped, to stay well inside DynamoDB's 400 KB item limit. */
const COMPRESS_ABOVE = 64 * 1024;
/** How long an idempotency record is kept: clients retry within minutes, not days. */
const IDEMPOTENCY_TTL_S = 24 * 3600;

/**
 * The event store on one DynamoDB table. An append is a single TransactWriteItems: the
 * events (each must be new), the head (conditional on the expected version) and the
 * idempotency record (must be new).
 */
export class DynamoDbEventStore extends DynamoDbEventReader implements EventStore, MultiStreamAppender {
  async append(request: AppendRequest): Promise<{ version: number }> {
    const { streamId, expectedVersion, events, recordedAt } = request;
    const { items, lastHash } = await this.eventPuts(request);
    const version = expectedVersion + events.length;
    items.push({ Put: this.headPut(request, version, lastHash) });
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

  /**
   * Appends to several streams in one transaction (group commit): all or nothing, each
   * stream still conditional on its expected version, each event chained like append's.
   */
  async appendAll(requests: readonly AppendRequest[]): Promise<('written' | 'conflict' | 'retry')[]> {
    const items: TransactWriteItem[] = [];
    const owner: number[] = [];
    for (const [r, request] of requests.entries()) {
      if (request.idempotency) throw new Error('appendAll does not take idempotency records');
      const puts = await this.eventPuts(request);
      for (const item of puts.items) {
        items.push(item);
        owner.push(r);
      }
      items.push({
        Put: this.headPut(request, request.expectedVersion + request.events.length, puts.lastHash),
      });
      owner.push(r);
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return requests.map(() => 'written');
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const results: ('written' | 'conflict' | 'retry')[] = requests.map(() => 'retry');
      (error.CancellationReasons ?? []).forEach((reason, i) => {
        const r = owner[i];
        if (
          r !== undefined &&
          (reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict')
        ) {
          results[r] = 'conflict';
        }
      });
      // Cancelled for a reason no item names (throttling, size): nothing is known to conflict.
      if (!results.includes('conflict')) throw error;
      return results;
    }
  }

  /** The new events' items, each must be new, chained to their predecessor by hash. */
  private async eventPuts(request: AppendRequest): Promise<{ items: TransactWriteItem[]; lastHash: string }> {
    const { streamId, expectedVersion, events, recordedAt } = request;
    const actor = JSON.stringify(request.actor);
    // Hash exactly what is stored: the JSON round trip drops what JSON cannot carry (undefined).
    const datas = events.map((event) => JSON.stringify(event.data));
    const prevHash = await this.predecessorHash(request);
    const links = chainHashes(
      prevHash,
      events.map((event, i) => ({
        streamId,
        version: expectedVersion + i + 1,
        type: event.type,
        data: JSON.parse(datas[i] ?? 'null') as unknown,
        recordedAt,
        actor: JSON.parse(actor) as unknown,
        schemaVersion: request.schemaVersion,
      })),
    );
    const items: TransactWriteItem[] = events.map((event, i) => {
      const version = expectedVersion + i + 1;
      const { tPk, tSk } = timeIndexKeys(streamId, version, recordedAt);
      return {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: S(streamId),
            sk: N(version),
            kind: S('event'),
            streamType: S(request.streamType),
            type: S(event.type),
            data: S(datas[i] ?? 'null'),
            recordedAt: S(recordedAt),
            actor: S(actor),
            schemaVersion: N(request.schemaVersion),
            prevHash: S(links[i]?.prevHash ?? prevHash),
            hash: S(links[i]?.hash ?? ''),
            tPk: S(tPk),
            tSk: S(tSk),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    });
    return { items, lastHash: links[links.length - 1]?.hash ?? prevHash };
  }

  /**
   * The hash the first new event links to. Commands pass it from the head they loaded, so the
   * hot path reads nothing more; if that head was stale, the version condition fails anyway.
   */
  private async predecessorHash(request: AppendRequest): Promise<string> {
    if (request.expectedVersion === 0) return GENESIS_HASH;
    if (request.prevHash !== undefined) return request.prevHash;
    const head = await this.loadHead(request.streamId);
    return head?.version === request.expectedVersion && head.hash ? head.hash : GENESIS_HASH;
  }

  private headPut(request: AppendRequest, version: number, hash: string) {
    const { projection } = request.head;
    const { hPk, hSk } = headIndexKeys(request.streamId);
    const json = JSON.stringify(request.head.state);
    const item: Item = {
      pk: S(request.streamId),
      sk: N(0),
      kind: S('head'),
      streamType: S(request.streamType),
      version: N(version),
      stateSchema: N(request.head.stateSchema),
      updatedAt: S(request.recordedAt),
      hash: S(hash),
      hPk: S(hPk),
      hSk: S(hSk),
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
}
