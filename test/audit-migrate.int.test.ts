import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureIndexes } from '../local/ensure-indexes.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { testDynamoClient } from './support/dynamo.ts';

const client = testDynamoClient();
const quiet = { info: () => {}, warn: () => {} };

describe('a data folder made before the audit indexes', () => {
  it('gets byTime and byHead added at start, and nothing else changes', async () => {
    const name = `old-${Date.now().toString(36)}`;
    const spec = eventTableSpec(name);
    // The table as the relay release created it: byType and byOrg only.
    const old = {
      ...spec,
      AttributeDefinitions: spec.AttributeDefinitions?.filter(
        (a) => !['tPk', 'tSk', 'hPk', 'hSk'].includes(a.AttributeName ?? ''),
      ),
      GlobalSecondaryIndexes: spec.GlobalSecondaryIndexes?.filter(
        (i) => i.IndexName === 'byType' || i.IndexName === 'byOrg',
      ),
    };
    await client.send(new CreateTableCommand(old));
    expect(await ensureIndexes(client, spec, quiet)).toEqual(['byTime', 'byHead']);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      'byHead',
      'byOrg',
      'byTime',
      'byType',
    ]);
    expect(await ensureIndexes(client, spec, quiet)).toEqual([]);
  });
});
