import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJava, ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { startStreamPoller } from '../local/streams.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { dynamoEndpoint, freshTable, TEST_REGION, testDynamoClient } from './support/dynamo.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('event table on the shared DynamoDB Local', () => {
  const client = testDynamoClient();
  afterAll(() => client.destroy());

  it('freshTable creates the table exactly as the architecture describes', async () => {
    const name = await freshTable('spec');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table?.LatestStreamArn).toMatch(/stream/);
    const indexes = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
    expect(indexes.byType?.KeySchema).toEqual([
      { AttributeName: 'listPk', KeyType: 'HASH' },
      { AttributeName: 'listSk', KeyType: 'RANGE' },
    ]);
    expect(indexes.byOrg?.KeySchema).toEqual([
      { AttributeName: 'orgPk', KeyType: 'HASH' },
      { AttributeName: 'listSk', KeyType: 'RANGE' },
    ]);
    expect(indexes.byType?.Projection?.ProjectionType).toBe('ALL');
    expect(indexes.byOrg?.Projection?.ProjectionType).toBe('ALL');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('ensureTable is idempotent and the GSIs answer queries', async () => {
    const name = await freshTable('idem');
    await ensureTable(client, eventTableSpec(name));
    await Promise.all([ensureTable(client, eventTableSpec(name)), ensureTable(client, eventTableSpec(name))]);
    await client.send(
      new PutItemCommand({
        TableName: name,
        Item: {
          pk: { S: 'incident#1' },
          sk: { N: '0' },
          kind: { S: 'head' },
          listPk: { S: 'incident' },
          listSk: { S: '2025-01-01T00:00:00Z#1' },
          orgPk: { S: 'org#acme' },
        },
      }),
    );
    const byOrg = await client.send(
      new QueryCommand({
        TableName: name,
        IndexName: 'byOrg',
        KeyConditionExpression: 'orgPk = :o',
        ExpressionAttributeValues: { ':o': { S: 'org#acme' } },
      }),
    );
    expect(byOrg.Items?.map((i) => i.pk?.S)).toEqual(['incident#1']);
    const byType = await client.send(
      new QueryCommand({
        TableName: name,
        IndexName: 'byType',
        KeyConditionExpression: 'listPk = :t',
        ExpressionAttributeValues: { ':t': { S: 'incident' } },
      }),
    );
    expect(byType.Count).toBe(1);
  });

  it('keeps a database per access key when started without -sharedDb (the run’s JVM: one key per test stack)', async () => {
    const name = await freshTable('shared');
    const other = new DynamoDBClient({
      endpoint: dynamoEndpoint(),
      region: TEST_REGION,
      credentials: { accessKeyId: 'someoneElse', secretAccessKey: 'x' },
    });
    try {
      expect((await other.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      // The same name under the other key is another table.
      await ensureTable(other, eventTableSpec(name));
      await other.send(
        new PutItemCommand({ TableName: name, Item: { pk: { S: 'only-here' }, sk: { N: '1' } } }),
      );
      const mine = await testDynamoClient().send(
        new GetItemCommand({ TableName: name, Key: { pk: { S: 'only-here' }, sk: { N: '1' } } }),
      );
      expect(mine.Item).toBeUndefined();
    } finally {
      other.destroy();
    }
  });
});

describe('startDynamoLocal', () => {
  it('requires Java 17+', async () => {
    expect(await checkJava()).toBeGreaterThanOrEqual(17);
  });

  it('persists data and the stream position under dbPath across restarts, leaving no JVM behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ceptoar-ddb-'));
    const checkpointFile = join(dir, 'stream-checkpoint.json');
    const seen: string[] = [];
    const handler = async (event: DynamoDBStreamEvent) => {
      seen.push(...event.Records.map((r) => r.dynamodb?.NewImage?.v?.S ?? '?'));
    };
    const put = (client: DynamoDBClient, sk: number, v: string) =>
      client.send(
        new PutItemCommand({
          TableName: 'persisted',
          Item: { pk: { S: 'p' }, sk: { N: String(sk) }, v: { S: v } },
        }),
      );
    try {
      const first = await startDynamoLocal({ dbPath: join(dir, 'db') });
      expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const c1 = new DynamoDBClient({
        endpoint: first.endpoint,
        region: 'ap-northeast-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'a' },
      });
      await ensureTable(c1, eventTableSpec('persisted'));
      const p1 = await startStreamPoller({
        dynamoEndpoint: first.endpoint,
        tableName: 'persisted',
        checkpointFile,
        handler,
      });
      await put(c1, 1, 'kept');
      await put(c1, 2, 'second');
      await p1.idle();
      await p1.stop();
      c1.destroy();
      await first.stop();
      await first.stop(); // idempotent
      expect(first.pid).toBeDefined();
      expect(isAlive(first.pid ?? 0)).toBe(false);
      expect(seen).toEqual(['kept', 'second']);

      // Same directory, different port, region and credentials (-sharedDb, the default, as `npm start` runs it):
      // data, stream and checkpoint still line up.
      const second = await startDynamoLocal({ dbPath: join(dir, 'db') });
      try {
        const c2 = new DynamoDBClient({
          endpoint: second.endpoint,
          region: 'eu-west-1',
          credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
        });
        const got = await c2.send(
          new GetItemCommand({ TableName: 'persisted', Key: { pk: { S: 'p' }, sk: { N: '1' } } }),
        );
        expect(got.Item?.v?.S).toBe('kept');
        await ensureTable(c2, eventTableSpec('persisted')); // existing table: no error
        const p2 = await startStreamPoller({
          dynamoEndpoint: second.endpoint,
          tableName: 'persisted',
          checkpointFile,
          handler,
        });
        expect(p2.streamArn).toBe(p1.streamArn);
        await put(c2, 3, 'after restart');
        await p2.idle();
        await p2.stop();
        expect(seen).toEqual(['kept', 'second', 'after restart']);
        c2.destroy();
      } finally {
        await second.stop();
      }
      expect(isAlive(second.pid ?? 0)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('kills the JVM even when the Node process that started it is SIGKILLed', async () => {
    const module = fileURLToPath(new URL('../local/dynamodb.ts', import.meta.url));
    const code =
      `import { startDynamoLocal } from ${JSON.stringify(module)};` +
      'const d = await startDynamoLocal(); console.log(JSON.stringify({ pid: d.pid })); setInterval(() => {}, 1000);';
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
        });
        child.once('exit', (code) =>
          reject(new Error(`child exited (${code}) before starting DynamoDB Local`)),
        );
      });
      const jvm = (JSON.parse(line) as { pid: number }).pid;
      expect(isAlive(jvm)).toBe(true);
      child.kill('SIGKILL');
      const deadline = Date.now() + 8000;
      while (isAlive(jvm) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(isAlive(jvm)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fails clearly when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      await expect(startDynamoLocal({ port })).rejects.toThrow(/already in use/);
    } finally {
      holder.close();
    }
  });
});
