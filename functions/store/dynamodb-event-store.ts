import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { chainHashes, GENESIS_HASH } from '../../events/audit/hash.ts';
import { auditGroupOf } from '../../events/audit/partitions.ts';
import { ConcurrencyError } from '../../events/errors.ts';
import { DECISION_ATTRIBUTES, decisionAttribute, decisionJsonOf } from './decision-attribute.ts';
import { DynamoDbEventReader, N, S } from './dynamodb-event-reader.ts';
import { EVENT_KIND } from './event-item.ts';
import {
  type AppendRequest,
  type DecisionSnapshot,
  type EventStore,
  type IdempotencyRecord,
  IdempotencyRecordExistsError,
  type MultiStreamAppender,
} from './event-store.ts';
import { type HeadWrite, headPutInput, listPutInput } from './head-item.ts';

/** How long an idempotency record is kept: clients retry within minutes, not days. */
const IDEMPOTENCY_TTL_S = 24 * 3600;
/** Streams whose decision snapshot a container keeps in memory (least recently used dropped first). */
const DECISION_CACHE_SIZE = 4096;

interface CachedDecision {
  readonly version: number;
  readonly json: string;
  readonly stateSchema: number;
  readonly updatedAt: string;
  readonly hash: string;
}

/**
 * The event store on one DynamoDB table (layout in docs/ARCHITECTURE.md). A command's append
 * is one conditional PutItem of its event, which carries the decision snapshot: the only item
 * a command writes. Two items change together only where they must: a new stream's first
 * events with its head (so it is listed from birth), and a request's idempotency record;
 * those go in one TransactWriteItems. Later heads are projected from the table's stream.
 */
export class DynamoDbEventStore extends DynamoDbEventReader implements EventStore, MultiStreamAppender {
  private readonly decisions = new Map<string, CachedDecision>();
  private readonly cacheSize: number;
  /** Decision snapshots served from memory and read from the table, since the container started. */
  readonly decisionReads = { cached: 0, read: 0 };

  constructor(
    client: DynamoDBClient,
    tableName: string,
    /** `decisionCacheSize`: streams whose decision state is kept in memory (0: none, every command reads). */
    options: { readonly decisionCacheSize?: number } = {},
  ) {
    super(client, tableName);
    this.cacheSize = options.decisionCacheSize ?? DECISION_CACHE_SIZE;
  }

  async loadDecision<T>(streamId: string): Promise<DecisionSnapshot<T> | null> {
    const cached = this.decisions.get(streamId);
    if (cached) {
      // Re-inserted: the Map's order is the recency order.
      this.decisions.delete(streamId);
      this.decisions.set(streamId, cached);
      this.decisionReads.cached++;
      return {
        streamId,
        version: cached.version,
        state: JSON.parse(cached.json) as T,
        stateSchema: cached.stateSchema,
        updatedAt: cached.updatedAt,
        hash: cached.hash,
        cached: true,
      };
    }
    this.decisionReads.read++;
    const item = await this.newestEvent(streamId, [...DECISION_ATTRIBUTES, 'decisionSchema']);
    if (!item) return null;
    const version = Number(item.sk?.N);
    const updatedAt = item.recordedAt?.S ?? '';
    const hash = item.hash?.S;
    const json = decisionJsonOf(item);
    // An event written before decision snapshots: the caller folds or reads the head instead.
    if (json === undefined)
      return { streamId, version, stateSchema: 0, updatedAt, ...(hash ? { hash } : {}), cached: false };
    const stateSchema = Number(item.decisionSchema?.N ?? 0);
    this.remember(streamId, { version, json, stateSchema, updatedAt, hash: hash ?? '' });
    return {
      streamId,
      version,
      state: JSON.parse(json) as T,
      stateSchema,
      updatedAt,
      ...(hash ? { hash } : {}),
      cached: false,
    };
  }

  forget(streamId: string): void {
    this.decisions.delete(streamId);
  }

  /**
   * Drops every cached decision state. For a table that may have lost writes it acknowledged: DynamoDB
   * never does, DynamoDB Local may when its JVM is SIGKILLed (the soak's fault; local/stack.ts). A state
   * cached from such a write would let the next append skip the lost versions (its condition is only that
   * its own version is new), leaving a gap and a broken hash chain.
   */
  forgetAll(): void {
    this.decisions.clear();
  }

  private remember(streamId: string, decision: CachedDecision): void {
    if (this.cacheSize === 0) return;
    this.decisions.delete(streamId);
    this.decisions.set(streamId, decision);
    if (this.decisions.size > this.cacheSize) {
      const oldest = this.decisions.keys().next().value;
      if (oldest !== undefined) this.decisions.delete(oldest);
    }
  }

  async append(request: AppendRequest): Promise<{ version: number }> {
    const { streamId, expectedVersion, events, recordedAt } = request;
    const { items, lastHash, decisionJson } = await this.eventPuts(request);
    const version = expectedVersion + events.length;
    if (request.head) items.push(...this.headPuts(request, request.head, version, lastHash));
    if (request.idempotency) items.push({ Put: this.idempotencyPut(request.idempotency, recordedAt) });
    const only = items.length === 1 ? items[0]?.Put : undefined;
    try {
      if (only) await this.client.send(new PutItemCommand(only));
      else await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (error) {
      this.forget(streamId);
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrencyError(streamId, expectedVersion, { cause: error });
      }
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
    this.remember(streamId, {
      version,
      json: decisionJson,
      stateSchema: request.decision.stateSchema,
      updatedAt: recordedAt,
      hash: lastHash,
    });
    return { version };
  }

  /**
   * Appends to several streams in one transaction (group commit): all or nothing, each
   * stream still conditional on its expected version, each event chained like append's.
   */
  async appendAll(requests: readonly AppendRequest[]): Promise<('written' | 'conflict' | 'retry')[]> {
    if (requests.some((request) => request.idempotency))
      throw new Error('appendAll does not take idempotency records');
    const [single] = requests;
    if (requests.length === 1 && single) {
      // One stream: append's own write (a conditional PutItem where it is one item, not a transaction).
      try {
        await this.append(single);
        return ['written'];
      } catch (error) {
        if (error instanceof ConcurrencyError) return ['conflict'];
        throw error;
      }
    }
    const items: TransactWriteItem[] = [];
    const owner: number[] = [];
    for (const [r, request] of requests.entries()) {
      const puts = await this.eventPuts(request);
      for (const item of puts.items) {
        items.push(item);
        owner.push(r);
      }
      if (request.head) {
        for (const put of this.headPuts(
          request,
          request.head,
          request.expectedVersion + request.events.length,
          puts.lastHash,
        )) {
          items.push(put);
          owner.push(r);
        }
      }
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return requests.map(() => 'written');
    } catch (error) {
      for (const request of requests) this.forget(request.streamId);
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
  private async eventPuts(
    request: AppendRequest,
  ): Promise<{ items: TransactWriteItem[]; lastHash: string; decisionJson: string }> {
    return eventItems(this.tableName, request, await this.predecessorHash(request));
  }

  /**
   * The hash the first new event links to. Commands pass it from the head they loaded, so the
   * hot path reads nothing more; if that head was stale, the version condition fails anyway.
   */
  private async predecessorHash(request: AppendRequest): Promise<string> {
    if (request.expectedVersion === 0) return GENESIS_HASH;
    if (request.prevHash !== undefined) return request.prevHash;
    const newest = await this.loadDecision(request.streamId);
    return newest?.version === request.expectedVersion && newest.hash ? newest.hash : GENESIS_HASH;
  }

  /** A new stream's head, and its list item when it has one (head-item.ts): written with its first events. */
  private headPuts(
    request: AppendRequest,
    head: NonNullable<AppendRequest['head']>,
    version: number,
    hash: string,
  ): TransactWriteItem[] {
    const write: HeadWrite = {
      streamId: request.streamId,
      streamType: request.streamType,
      version,
      hash,
      updatedAt: request.recordedAt,
      ...head,
      // A new stream's group from its first state (an advisory recipient's without a sector: `shared`).
      group: auditGroupOf(request.streamType, request.streamId, head.state) ?? 'shared',
    };
    const list = listPutInput(this.tableName, write);
    return [
      { Put: headPutInput(this.tableName, write, request.expectedVersion) },
      ...(list ? [{ Put: list }] : []),
    ];
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
      // A record past its 24 hours binds the key no more (getIdempotencyRecord reads it as absent), though
      // DynamoDB's TTL deletes it only within days, and DynamoDB Local never: a new request takes the key over.
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': N(Math.floor(Date.parse(recordedAt) / 1000)) },
    };
  }
}

/**
 * The items of an append's events (each conditional on being new), chained to `prevHash`, the
 * newest carrying the decision state: what `append` writes, for tools that load a table in bulk.
 */
export function eventItems(
  tableName: string,
  request: AppendRequest,
  prevHash: string,
): { items: TransactWriteItem[]; lastHash: string; decisionJson: string } {
  const { streamId, expectedVersion, events, recordedAt } = request;
  const actor = JSON.stringify(request.actor);
  // Hash exactly what is stored: the JSON round trip drops what JSON cannot carry (undefined).
  const datas = events.map((event) => JSON.stringify(event.data));
  const decisionJson = JSON.stringify(request.decision.state);
  const last = events.length - 1;
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
    return {
      Put: {
        TableName: tableName,
        Item: {
          pk: S(streamId),
          sk: N(version),
          kind: S(EVENT_KIND),
          streamType: S(request.streamType),
          type: S(event.type),
          data: S(datas[i] ?? 'null'),
          recordedAt: S(recordedAt),
          actor: S(actor),
          schemaVersion: N(request.schemaVersion),
          prevHash: S(links[i]?.prevHash ?? prevHash),
          hash: S(links[i]?.hash ?? ''),
          // No time index keys (tPk, tSk): the byTime index would copy the item, a second write on
          // the command path. The stream projection writes the event's time entry instead (time-index.ts).
          // The newest event carries what the next command decides on, compressed (decision-attribute.ts).
          ...(i === last
            ? {
                ...decisionAttribute(decisionJson),
                decisionSchema: N(request.decision.stateSchema),
              }
            : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  });
  return { items, lastHash: links[links.length - 1]?.hash ?? prevHash, decisionJson };
}
