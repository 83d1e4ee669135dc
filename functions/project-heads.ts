import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { headProjectors, streamTypeOf } from './commons/audit-aggregates.ts';
import { eventsTable } from './commons/config.ts';
import { projectHead } from './commons/head-projection.ts';
import { logger } from './commons/logger.ts';
import { dynamoClient, reader } from './commons/reader.ts';

/**
 * DynamoDB Streams → heads: the read model that lists and views read, kept off the command
 * path. Per batch, each stream's head is brought up to its newest event in the batch (one
 * head read, one Query of the events after it, one conditional PutItem). The first stream
 * that fails is reported, so the event source retries the batch from its first record there.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const newest = new Map<string, { version: number; sequenceNumber: string }>();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    if (record.eventName === 'REMOVE' || image?.kind?.S !== 'event' || !image.pk?.S || !image.sk?.N) continue;
    const seen = newest.get(image.pk.S);
    const version = Number(image.sk.N);
    newest.set(image.pk.S, {
      version: Math.max(version, seen?.version ?? 0),
      sequenceNumber: seen?.sequenceNumber ?? record.dynamodb?.SequenceNumber ?? '',
    });
  }
  for (const [streamId, { version, sequenceNumber }] of newest) {
    const projector = headProjectors[streamTypeOf(streamId)];
    if (!projector) continue;
    try {
      await projectHead(dynamoClient, eventsTable, reader, projector, streamId, version);
    } catch (error) {
      logger.error('head projection failed; the batch resumes from this stream', {
        streamId,
        version,
        error: error as Error,
      });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
};
