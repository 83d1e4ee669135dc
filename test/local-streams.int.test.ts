import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamPoller, type StreamsApi, startStreamPoller } from '../local/streams.ts';
import { dynamoEndpoint, freshTable, testDynamoClient } from './support/dynamo.ts';
import { eventually } from './support/eventually.ts';

const client = testDynamoClient();
let dir: string;
const pollers: StreamPoller[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ceptoar-streams-'));
});
afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  client.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** Writes items n = from..to-1 in order (25 per BatchWriteItem, one request at a time). */
async function writeItems(table: string, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 25) {
    const requests = [];
    for (let n = start; n < Math.min(start + 25, to); n++) {
      requests.push({
        PutRequest: {
          Item: { pk: { S: `item#${n}` }, sk: { N: '1' }, n: { N: String(n) }, kind: { S: 'event' } },
        },
      });
    }
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
  }
}

const nOf = (record: DynamoDBRecord) => Number(record.dynamodb?.NewImage?.n?.N);
const seqOf = (record: DynamoDBRecord) => BigInt(record.dynamodb?.SequenceNumber ?? '-1');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function start(options: Parameters<typeof startStreamPoller>[0]): Promise<StreamPoller> {
  const poller = await startStreamPoller(options);
  pollers.push(poller);
  return poller;
}

describe('stream poller on DynamoDB Local', () => {
  it('delivers 1000 writes in order, exactly once, in Lambda-shaped records', async () => {
    const table = await freshTable('s1000');
    const checkpointFile = join(dir, 's1000.json');
    const delivered: DynamoDBRecord[] = [];
    const batchSizes: number[] = [];
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      batchSize: 100,
      handler: async (event) => {
        batchSizes.push(event.Records.length);
        delivered.push(...event.Records);
      },
    });
    const started = Date.now();
    await writeItems(table, 0, 1000);
    await poller.idle();
    const elapsed = Date.now() - started;

    expect(delivered.map(nOf)).toEqual(range(0, 1000));
    for (let i = 1; i < delivered.length; i++) {
      expect(seqOf(delivered[i] as DynamoDBRecord) > seqOf(delivered[i - 1] as DynamoDBRecord)).toBe(true);
    }
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(100);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const first = delivered[0];
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      eventSourceARN: Table?.LatestStreamArn,
      dynamodb: {
        Keys: { pk: { S: 'item#0' }, sk: { N: '1' } },
        NewImage: { pk: { S: 'item#0' }, sk: { N: '1' }, n: { N: '0' }, kind: { S: 'event' } },
        StreamViewType: 'NEW_IMAGE',
      },
    });
    expect(first?.eventID).toEqual(expect.any(String));
    expect(first?.dynamodb?.ApproximateCreationDateTime).toEqual(expect.any(Number));
    // Epoch seconds, as Lambda sends them.
    expect(Math.abs((first?.dynamodb?.ApproximateCreationDateTime ?? 0) - Date.now() / 1000)).toBeLessThan(
      120,
    );

    const checkpoint = JSON.parse(await readFile(checkpointFile, 'utf8'));
    expect(checkpoint.streamArn).toBe(Table?.LatestStreamArn);
    expect(
      Object.values(checkpoint.shards).map((s) => (s as { sequenceNumber: string }).sequenceNumber),
    ).toEqual([delivered.at(-1)?.dynamodb?.SequenceNumber]);
    await poller.stop();
    console.info(`1000 records written and delivered in ${elapsed} ms`);
  });

  it('reacts to a single write within a poll interval or two', async () => {
    const table = await freshTable('slat');
    let seen: (() => void) | undefined;
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      handler: async () => seen?.(),
    });
    await poller.idle();
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const arrived = new Promise<void>((resolve) => {
        seen = resolve;
      });
      const t0 = performance.now();
      await client.send(
        new PutItemCommand({ TableName: table, Item: { pk: { S: `l#${i}` }, sk: { N: '1' } } }),
      );
      await arrived;
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    console.info(
      `put→handler latency ms: median ${latencies[5]?.toFixed(1)}, max ${latencies[9]?.toFixed(1)}`,
    );
    expect(latencies[9]).toBeLessThan(500);
    await poller.stop();
  });

  it('is at-least-once with a failing handler and honours partial batch responses', async () => {
    const table = await freshTable('sfail');
    const checkpointFile = join(dir, 'sfail.json');
    const attempts = new Map<number, number>();
    const acknowledged: number[] = [];
    let calls = 0;
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      batchSize: 50,
      retryBackoffMs: 5,
      handler: async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined> => {
        calls += 1;
        for (const record of event.Records) attempts.set(nOf(record), (attempts.get(nOf(record)) ?? 0) + 1);
        if (calls % 3 === 0) throw new Error('boom');
        if (calls % 3 === 1 && event.Records.length > 1) {
          // Fail the middle record: everything before it is done, it and the rest come again.
          const middle = Math.floor(event.Records.length / 2);
          acknowledged.push(...event.Records.slice(0, middle).map(nOf));
          const failed = event.Records[middle]?.dynamodb?.SequenceNumber ?? '';
          return { batchItemFailures: [{ itemIdentifier: failed }] };
        }
        acknowledged.push(...event.Records.map(nOf));
        return undefined;
      },
    });
    await writeItems(table, 0, 1000);
    await poller.idle();

    expect(acknowledged).toEqual(range(0, 1000));
    expect([...attempts.keys()].sort((a, b) => a - b)).toEqual(range(0, 1000));
    expect([...attempts.values()].some((count) => count > 1)).toBe(true);
    await poller.stop();
  });

  it('hands over only what the filter keeps, 100 of those a batch, and acknowledges what it drops', async () => {
    const table = await freshTable('sfilter');
    const checkpointFile = join(dir, 'sfilter.json');
    // 600 items, one in three an event; the last two are not.
    for (let start = 0; start < 600; start += 25) {
      const requests = range(start, start + 25).map((n) => ({
        PutRequest: {
          Item: {
            pk: { S: `item#${n}` },
            sk: { N: '1' },
            n: { N: String(n) },
            kind: { S: n % 3 === 0 ? 'event' : 'head' },
          },
        },
      }));
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
    }
    const batches: number[][] = [];
    let calls = 0;
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      retryBackoffMs: 5,
      filter: (record) => record.dynamodb?.NewImage?.kind?.S === 'event',
      handler: async (event): Promise<DynamoDBBatchResponse | undefined> => {
        calls += 1;
        batches.push(event.Records.map(nOf));
        // The first call fails from its eleventh record: that record and the rest come again.
        if (calls === 1)
          return {
            batchItemFailures: [{ itemIdentifier: event.Records[10]?.dynamodb?.SequenceNumber ?? '' }],
          };
        return undefined;
      },
    });
    await poller.idle();
    await poller.stop();
    const events = range(0, 600).filter((n) => n % 3 === 0);
    expect(batches.every((b) => b.length <= 100 && b.every((n) => n % 3 === 0))).toBe(true);
    // A GetRecords reads up to 1000 records: the first batch is a full 100 events.
    expect(batches[0]).toEqual(events.slice(0, 100));
    expect(batches[1]?.[0]).toBe(30);
    expect([...(batches[0]?.slice(0, 10) ?? []), ...batches.slice(1).flat()]).toEqual(events);
    // The checkpoint is the page's last record, a dropped one: a restart reads nothing again.
    const again: number[] = [];
    const resumed = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      filter: () => true,
      handler: async (event) => {
        again.push(...event.Records.map(nOf));
      },
    });
    await resumed.idle();
    await resumed.stop();
    expect(again).toEqual([]);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async () => {
    const table = await freshTable('sbad');
    await writeItems(table, 0, 5);
    const batches: number[][] = [];
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      retryBackoffMs: 5,
      handler: async (event) => {
        batches.push(event.Records.map(nOf));
        return batches.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'nope' }] } : undefined;
      },
    });
    await poller.idle();
    expect(batches).toEqual([range(0, 5), range(0, 5)]);
    await poller.stop();
  });

  it('resumes from the checkpoint after stop/start without redelivering acknowledged records', async () => {
    const table = await freshTable('sresume');
    const checkpointFile = join(dir, 'sresume.json');
    const first: number[] = [];
    const a = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      batchSize: 40,
      retryBackoffMs: 5,
      handler: async (event) => {
        first.push(...event.Records.map(nOf));
      },
    });
    await writeItems(table, 0, 300);
    await a.idle();
    await a.stop();
    await expect(a.idle()).rejects.toThrow(/stopped/);
    expect(first).toEqual(range(0, 300));

    await writeItems(table, 300, 500);
    // A second run whose handler rejects item 450 and is stopped while that batch is in backoff.
    const second: number[] = [];
    const b = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      batchSize: 40,
      retryBackoffMs: 60_000,
      handler: async (event) => {
        const ok = event.Records.filter((r) => nOf(r) < 450);
        second.push(...ok.map(nOf));
        const bad = event.Records.find((r) => nOf(r) >= 450);
        return bad === undefined
          ? undefined
          : { batchItemFailures: [{ itemIdentifier: bad.dynamodb?.SequenceNumber ?? '' }] };
      },
    });
    const deadline = Date.now() + 10_000;
    while (second.at(-1) !== 449 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.stop();
    expect(second).toEqual(range(300, 450));

    const third: number[] = [];
    const c = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      checkpointFile,
      handler: async (event) => {
        third.push(...event.Records.map(nOf));
      },
    });
    await c.idle();
    expect(third).toEqual(range(450, 500));
    await c.stop();
  });

  it('re-reads from the checkpoint when a shard iterator expires', async () => {
    const table = await freshTable('sexp');
    const { DynamoDBStreams } = await import('@aws-sdk/client-dynamodb-streams');
    const real = new DynamoDBStreams({
      endpoint: dynamoEndpoint(),
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    let getRecordsCalls = 0;
    let expired = 0;
    const api: StreamsApi = {
      describeStream: (input) => real.describeStream(input),
      getShardIterator: (input) => real.getShardIterator(input),
      getRecords: async (input) => {
        getRecordsCalls += 1;
        if (getRecordsCalls % 4 === 0) {
          expired += 1;
          throw Object.assign(new Error('Iterator expired'), { name: 'ExpiredIteratorException' });
        }
        return real.getRecords(input);
      },
    };
    const delivered: number[] = [];
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      streamsApi: api,
      batchSize: 30,
      handler: async (event) => {
        delivered.push(...event.Records.map(nOf));
      },
    });
    await writeItems(table, 0, 200);
    await poller.idle();
    await poller.stop();
    real.destroy();
    expect(expired).toBeGreaterThan(2);
    expect(delivered).toEqual(range(0, 200));
  });
});

/** An in-memory stream whose shards close and roll over, which DynamoDB Local never does by itself. */
function fakeStream() {
  interface Shard {
    id: string;
    parent?: string;
    records: _Record[];
    closed: boolean;
  }
  const shards: Shard[] = [];
  let seq = 0;
  const api: StreamsApi = {
    describeStream: async () => ({
      StreamDescription: {
        Shards: shards.map((s) => ({ ShardId: s.id, ParentShardId: s.parent })),
      },
    }),
    getShardIterator: async (input) => {
      const shard = shards.find((s) => s.id === input.ShardId);
      if (shard === undefined)
        throw Object.assign(new Error('no shard'), { name: 'ResourceNotFoundException' });
      const position =
        input.ShardIteratorType === 'TRIM_HORIZON'
          ? 0
          : shard.records.findIndex((r) => r.dynamodb?.SequenceNumber === input.SequenceNumber) + 1;
      return { ShardIterator: `${shard.id}|${position}` };
    },
    getRecords: async (input) => {
      const [id, pos] = (input.ShardIterator ?? '').split('|');
      const shard = shards.find((s) => s.id === id);
      if (shard === undefined) throw new Error('bad iterator');
      const from = Number(pos);
      const records = shard.records.slice(from, from + (input.Limit ?? 1000));
      const next = from + records.length;
      const atEnd = shard.closed && next >= shard.records.length;
      return { Records: records, NextShardIterator: atEnd ? undefined : `${shard.id}|${next}` };
    },
  };
  return {
    api,
    addShard(id: string, parent?: string) {
      shards.push({ id, parent, records: [], closed: false });
    },
    write(shardId: string, n: number) {
      seq += 1;
      shards
        .find((s) => s.id === shardId)
        ?.records.push({
          eventID: `e${seq}`,
          eventName: 'INSERT',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: 'ddblocal',
          dynamodb: {
            ApproximateCreationDateTime: new Date(),
            Keys: { pk: { S: `k${n}` }, sk: { N: '1' } },
            NewImage: {
              pk: { S: `k${n}` },
              sk: { N: '1' },
              n: { N: String(n) },
              bin: { B: new Uint8Array([1, 2, 3]) },
            },
            SequenceNumber: String(seq).padStart(21, '0'),
            SizeBytes: 10,
            StreamViewType: 'NEW_IMAGE',
          },
        });
    },
    close(shardId: string) {
      const shard = shards.find((s) => s.id === shardId);
      if (shard) shard.closed = true;
    },
  };
}

describe('stream poller shard lifecycle (simulated stream)', () => {
  it('pauses while the stream is quiet, and a nudge ends the pause at once', async () => {
    const table = await freshTable('snudge');
    const delivered: DynamoDBRecord[] = [];
    // A pause of 30 s after every empty poll, so a write waits unless the poller is nudged.
    const poller = await start({
      dynamoEndpoint: dynamoEndpoint(),
      tableName: table,
      pollIntervalMs: 30_000,
      idlePollMaxMs: 30_000,
      handler: async (event) => {
        delivered.push(...event.Records);
      },
    });
    // Let the first poll find the stream empty and start its pause.
    await new Promise((r) => setTimeout(r, 500));
    await writeItems(table, 0, 1);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(delivered).toEqual([]);
    const nudgedAt = Date.now();
    poller.nudge();
    await eventually(async () => delivered.length === 1, 10_000, 'the record after the nudge');
    expect(Date.now() - nudgedAt).toBeLessThan(10_000);
    expect(delivered.map(nOf)).toEqual([0]);
  });

  it('finishes a parent shard before its children and follows rollovers', async () => {
    const stream = fakeStream();
    stream.addShard('parent');
    // The child exists (and has records) before the parent is fully read: it must wait.
    stream.addShard('child', 'parent');
    stream.write('parent', 1);
    stream.write('child', 3);
    stream.write('parent', 2);
    const delivered: DynamoDBRecord[] = [];
    const checkpointFile = join(dir, 'fake.json');
    const poller = await start({
      dynamoEndpoint: 'http://127.0.0.1:1',
      tableName: 'fake',
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/fake/stream/x',
      streamsApi: stream.api,
      checkpointFile,
      shardRefreshMs: 20,
      handler: async (event) => {
        delivered.push(...event.Records);
      },
    });
    await poller.idle();
    expect(delivered.map(nOf)).toEqual([1, 2]);

    stream.close('parent');
    await poller.idle();
    expect(delivered.map(nOf)).toEqual([1, 2, 3]);

    // Rollover: the child closes and a grandchild appears later.
    stream.write('child', 4);
    stream.close('child');
    stream.addShard('grandchild', 'child');
    stream.write('grandchild', 5);
    await poller.idle();
    expect(delivered.map(nOf)).toEqual([1, 2, 3, 4, 5]);
    // Binary attributes arrive base64-encoded, as in Lambda events.
    expect(delivered[0]?.dynamodb?.NewImage?.bin).toEqual({ B: 'AQID' });
    expect(delivered[0]?.eventSourceARN).toBe('arn:aws:dynamodb:ddblocal:000000000000:table/fake/stream/x');
    await poller.stop();

    const checkpoint = JSON.parse(await readFile(checkpointFile, 'utf8'));
    expect(checkpoint.shards.parent).toMatchObject({ closed: true });
    expect(checkpoint.shards.child).toMatchObject({ closed: true });
    expect(checkpoint.shards.grandchild).toEqual({ sequenceNumber: delivered[4]?.dynamodb?.SequenceNumber });

    // Restarted: nothing is redelivered, new records on the open shard are.
    stream.write('grandchild', 6);
    const again: number[] = [];
    const restarted = await start({
      dynamoEndpoint: 'http://127.0.0.1:1',
      tableName: 'fake',
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/fake/stream/x',
      streamsApi: stream.api,
      checkpointFile,
      handler: async (event) => {
        again.push(...event.Records.map(nOf));
      },
    });
    await restarted.idle();
    expect(again).toEqual([6]);
    await restarted.stop();
  });
});
