import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../local/dynamodb.ts';
import { ensureIndexes } from '../local/ensure-indexes.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { dynamoEndpoint, TEST_REGION } from './support/dynamo.ts';

const quiet = { info: () => {}, warn: () => {} };
// A database of its own in the run's DynamoDB Local (an access key of its own: the JVM keeps a database per
// key), as the local stack has at start: among hundreds of tables, DynamoDB Local can leave a new index
// CREATING for minutes.
let client: DynamoDBClient;
beforeAll(() => {
  client = new DynamoDBClient({
    endpoint: dynamoEndpoint(),
    region: TEST_REGION,
    credentials: { accessKeyId: `migrate${randomBytes(6).toString('hex')}`, secretAccessKey: 'x' },
  });
});
afterAll(() => client?.destroy());

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
    // Once every index is there, a start neither describes the table (DynamoDB Local counts its items each
    // time: seconds on a large data folder) nor changes it.
    const calls: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    await ensureTable(client, spec, { ttlAttribute: null });
    expect(await ensureIndexes(client, spec, quiet)).toEqual([]);
    client.middlewareStack.remove('countCommands');
    expect(calls).not.toContain('DescribeTableCommand');
    expect(calls).not.toContain('UpdateTableCommand');
    expect(calls).toContain('ListTablesCommand');
    expect(calls.filter((c) => c === 'QueryCommand')).toHaveLength(5);
  });
});
