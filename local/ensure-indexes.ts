import {
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalLog } from './dynamodb.ts';

/**
 * Adds the global secondary indexes of the spec that an existing table lacks (a data folder
 * made by an older release had no byTime or byHead), one at a time as DynamoDB requires,
 * and waits until each is ACTIVE. Events written before the hash chain existed stay as they
 * are: the log is never rewritten, and verification reports them as unhashed.
 */
export async function ensureIndexes(
  client: DynamoDBClient,
  spec: CreateTableCommandInput,
  log: LocalLog,
  timeoutMs = 120_000,
): Promise<string[]> {
  const tableName = spec.TableName ?? '';
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const added: string[] = [];
  for (const index of spec.GlobalSecondaryIndexes ?? []) {
    if (!index.IndexName || present.has(index.IndexName)) continue;
    const names = new Set(index.KeySchema?.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: spec.AttributeDefinitions?.filter((a) => names.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { Table: t } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const status = t?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.IndexName)?.IndexStatus;
      if (status === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`index ${index.IndexName} not ACTIVE in time (${status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    log.info(`added index ${index.IndexName} to ${tableName}`);
    added.push(index.IndexName);
  }
  return added;
}
