import {
  type AttributeValue,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  QueryCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalLog } from './dynamodb.ts';

/**
 * Whether a Query of the index (Limit 1, on a key value no item has) is answered: an index the table
 * lacks is a ValidationException. Any failure counts as "not known to be there", for DescribeTable to settle.
 */
async function indexAnswers(
  client: DynamoDBClient,
  spec: CreateTableCommandInput,
  index: GlobalSecondaryIndex,
): Promise<boolean> {
  const hash = index.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const type = spec.AttributeDefinitions?.find((a) => a.AttributeName === hash)?.AttributeType;
  if (!hash || !type) return false;
  const value: AttributeValue =
    type === 'N' ? { N: '-1' } : type === 'B' ? { B: new Uint8Array([0]) } : { S: '\u0000probe' };
  try {
    await client.send(
      new QueryCommand({
        TableName: spec.TableName,
        IndexName: index.IndexName,
        KeyConditionExpression: '#h = :v',
        ExpressionAttributeNames: { '#h': hash },
        ExpressionAttributeValues: { ':v': value },
        Limit: 1,
      }),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Adds the global secondary indexes of the spec that an existing table lacks (a data folder
 * made by an older release had no byTime or byHead), one at a time as DynamoDB requires,
 * and waits until each is ACTIVE. An index that answers a Query is there: when every one does, the
 * table is not described at all. Events written before the hash chain existed stay as they are:
 * the log is never rewritten, and verification reports them as unhashed.
 */
export async function ensureIndexes(
  client: DynamoDBClient,
  spec: CreateTableCommandInput,
  log: LocalLog,
  timeoutMs = 120_000,
): Promise<string[]> {
  const tableName = spec.TableName ?? '';
  // The common case, every index there, without DescribeTable: DynamoDB Local counts the table's items
  // on each one (1.2–1.8 s at 62,000 items, measured), a cost every start of a large data folder paid.
  const probes = await Promise.all(
    (spec.GlobalSecondaryIndexes ?? []).map((i) => indexAnswers(client, spec, i)),
  );
  if (probes.every(Boolean)) return [];
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
