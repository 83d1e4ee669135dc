import { BatchGetItemCommand, type BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { forEachLimit } from '../runtime/parallel.ts';
import { DynamoDbEventReader, type Item, N, S, toHead } from './dynamodb-event-reader.ts';
import type { StreamHead } from './event-store.ts';
import { untilProcessed } from './unprocessed.ts';

/** BatchGetItem's limit on keys per request. */
const BATCH = 100;

/** BatchGetItem requests in flight at once. */
const IN_FLIGHT = 4;

/**
 * The reader plus one more read: many heads by stream id in BatchGetItem requests (100 keys
 * each), so a list that needs one head per row costs one request per 100 rows, not one per row.
 * A module of its own: only the handlers that import it need dynamodb:BatchGetItem.
 */
export class DynamoDbBatchHeadReader extends DynamoDbEventReader {
  /**
   * The heads that exist among `streamIds`, by stream id. Strongly consistent, like loadHead. Up to
   * {@link IN_FLIGHT} requests at once: one sector's 1,741 members are 18 requests.
   */
  async loadHeads<T>(streamIds: readonly string[]): Promise<Map<string, StreamHead<T>>> {
    const found = new Map<string, StreamHead<T>>();
    const unique = [...new Set(streamIds)];
    const batches = Array.from({ length: Math.ceil(unique.length / BATCH) }, (_, i) =>
      unique.slice(i * BATCH, (i + 1) * BATCH).map((id): Item => ({ pk: S(id), sk: N(0) })),
    );
    await forEachLimit(batches, IN_FLIGHT, (keys) =>
      untilProcessed(
        keys,
        async (left) => {
          const out: BatchGetItemCommandOutput = await this.client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.tableName]: { Keys: [...left], ConsistentRead: true } },
            }),
          );
          for (const item of (out.Responses?.[this.tableName] ?? []) as Item[]) {
            const head = toHead<T>(item);
            found.set(head.streamId, head);
          }
          return out.UnprocessedKeys?.[this.tableName]?.Keys;
        },
        'BatchGetItem of heads',
      ),
    );
    return found;
  }
}
