import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { inject } from 'vitest';
import { headProjectors, streamTypeOf } from '../../functions/audit/audit-aggregates.ts';
import { queryItems } from '../../functions/audit/audit-log.ts';
import { DynamoDbBatchHeadReader } from '../../functions/store/batch-heads.ts';
import { projectHeads as projectStreamBatch } from '../../functions/store/head-projection.ts';
import { ensureTable } from '../../local/dynamodb.ts';
import { eventTableSpec } from '../../local/table-spec.ts';

/**
 * Region and credentials of the tests that make their own tables (freshTable). The run's DynamoDB Local
 * keeps a database per access key (no -sharedDb): each test stack has a key of its own (startTestStack).
 */
export const TEST_REGION = 'ap-northeast-1';
export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Endpoint of the run's DynamoDB Local (started by test/support/global-setup.ts). */
export function dynamoEndpoint(): string {
  return inject('dynamoEndpoint');
}

/** A DynamoDBClient on the run's DynamoDB Local. */
export function testDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamoEndpoint(),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
}

let shared: DynamoDBClient | undefined;

/** Creates a uniquely named event table (eventTableSpec) and returns its name. */
export async function freshTable(prefix = 'events'): Promise<string> {
  // Never delete tables: in DynamoDB Local, deleting stream-enabled tables slows every later
  // table operation down, so each test simply gets a new name.
  const name = `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  shared ??= testDynamoClient();
  await ensureTable(shared, eventTableSpec(name));
  return name;
}

/**
 * Runs stream-reactor's projection (projectHeads: the audit time index entries and the heads) on
 * these streams as if the table's stream had handed over every event of them in one batch (tests
 * that run the store alone run no stream).
 */
export async function projectHeads(client: DynamoDBClient, table: string, streamIds: readonly string[]) {
  const reader = new DynamoDbBatchHeadReader(client, table);
  const batch = await streamBatch(client, table, streamIds);
  const { batchItemFailures } = await projectStreamBatch(client, table, reader, batch);
  if (batchItemFailures.length > 0)
    throw new Error(`projection failed at record ${batchItemFailures[0]?.itemIdentifier}`);
}

/** Every event of these streams as one batch of the table's stream, sequence numbers 1, 2, … in order. */
export async function streamBatch(
  client: DynamoDBClient,
  table: string,
  streamIds: readonly string[],
): Promise<DynamoDBStreamEvent> {
  const records: DynamoDBStreamEvent['Records'] = [];
  for (const streamId of streamIds) {
    if (!headProjectors[streamTypeOf(streamId)]) throw new Error(`no head projector for ${streamId}`);
    // Every page: a stream of large events spans several (a Query returns at most 1 MB).
    for await (const item of queryItems(client, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk > :zero',
      ExpressionAttributeValues: { ':pk': { S: streamId }, ':zero': { N: '0' } },
      ConsistentRead: true,
    })) {
      records.push({
        eventName: 'INSERT',
        dynamodb: { NewImage: item as never, SequenceNumber: String(records.length + 1) },
      });
    }
  }
  return { Records: records };
}
