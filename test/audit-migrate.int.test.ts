import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoLocal, ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { ensureIndexes } from '../local/ensure-indexes.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { TEST_CREDENTIALS, TEST_REGION } from './support/dynamo.ts';

const quiet = { info: () => {}, warn: () => {} };
// A DynamoDB Local of its own, as the local stack has at start: on the run's shared instance,
// after hundreds of tables, DynamoDB Local can leave a new index CREATING for minutes.
let dynamo: DynamoLocal;
let client: DynamoDBClient;
beforeAll(async () => {
  dynamo = await startDynamoLocal({ inMemory: true });
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
});
afterAll(async () => {
  await dynamo?.stop();
});

describe('a data folder made before the audit indexes', () => {
  it('gets byTime, byHead and byOpen added at start, and nothing else changes', async () => {
    const spec = eventTableSpec('ceptoar-events');
    // The table as the relay release created it: byType and byOrg only.
    const old = {
      ...spec,
      AttributeDefinitions: spec.AttributeDefinitions?.filter(
        (a) => !['tPk', 'tSk', 'hPk', 'hSk', 'openPk'].includes(a.AttributeName ?? ''),
      ),
      GlobalSecondaryIndexes: spec.GlobalSecondaryIndexes?.filter(
        (i) => i.IndexName === 'byType' || i.IndexName === 'byOrg',
      ),
    };
    await ensureTable(client, old, { ttlAttribute: null });
    expect(await ensureIndexes(client, spec, quiet)).toEqual(['byTime', 'byHead', 'byOpen']);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'ceptoar-events' }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      'byHead',
      'byOpen',
      'byOrg',
      'byTime',
      'byType',
    ]);
    expect(await ensureIndexes(client, spec, quiet)).toEqual([]);
  });
});
