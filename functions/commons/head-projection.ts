import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { HeadProjector } from './audit-aggregates.ts';
import type { EventReader } from './event-store.ts';
import { headPutInput } from './head-item.ts';

/** Rounds of read-fold-write per stream before giving up on a contended head (the batch is retried). */
const MAX_ROUNDS = 8;

/**
 * Brings a stream's head up to (at least) `version`: reads the head, folds the events after it
 * with the aggregate's own `evolve`, and writes the new head conditional on the one it read,
 * so a head never moves back and a repeated or reordered delivery changes nothing. A head of
 * an older state schema is folded again from the first event. Returns the head's version.
 */
export async function projectHead(
  client: DynamoDBClient,
  tableName: string,
  reader: EventReader,
  projector: HeadProjector,
  streamId: string,
  version: number,
): Promise<number> {
  for (let round = 1; ; round++) {
    const head = await reader.loadHead(streamId);
    if (head && head.version >= version) return head.version;
    const current = head !== null && head.stateSchema === projector.stateSchema;
    let state: unknown = current ? head.state : projector.initialState();
    let at = current ? head.version : 0;
    let updatedAt = head?.updatedAt ?? '';
    let hash = head?.hash ?? '';
    for await (const stored of reader.readEvents(streamId, { fromVersion: at + 1 })) {
      state = projector.evolve(state, projector.upcast(stored));
      at = stored.version;
      updatedAt = stored.recordedAt;
      hash = stored.hash ?? '';
    }
    if (head && at <= head.version) return head.version;
    try {
      await client.send(
        new PutItemCommand(
          headPutInput(
            tableName,
            {
              streamId,
              streamType: projector.streamType,
              version: at,
              hash,
              updatedAt,
              state,
              stateSchema: projector.stateSchema,
              projection: projector.project(state),
            },
            head?.version ?? 0,
          ),
        ),
      );
      return at;
    } catch (error) {
      // Another projection of this stream won the race: read it and go on from there.
      if (!(error instanceof ConditionalCheckFailedException) || round >= MAX_ROUNDS) throw error;
    }
  }
}
