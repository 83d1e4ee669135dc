import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_JVM_OPTIONS, startDynamoLocal } from '../local/dynamodb.ts';
import { fmt, loadNow, median, pool, progress, table } from './util.ts';

// Which JVM flags DynamoDB Local runs with (local/dynamodb.ts, DEFAULT_JVM_OPTIONS): the start and the
// write throughput of each candidate, on the disk as `npm start` keeps its data folder, interleaved round
// by round so that the machine's drift falls on every candidate alike. Not part of a full run.

const CANDIDATES: readonly { readonly label: string; readonly flags: readonly string[] }[] = [
  {
    label: 'C1 only, serial GC',
    flags: ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
  },
  { label: 'tiered C1 + C2, serial GC', flags: ['-XX:+UseSerialGC'] },
  { label: "the JVM's own defaults (tiered, G1)", flags: [] },
];

const ROUNDS = 2;
/** Items written per measure and round. */
const N = 3000;
const TABLE = 'jvm-bench';
const BODY = 'x'.repeat(600);

interface Measures {
  start: number[];
  firstPuts: number[];
  tx100: number[];
  query: number[];
  warmPuts: number[];
  lastPuts: number[];
}

async function oneRound(flags: readonly string[], round: number): Promise<Omit<Measures, never>> {
  const dir = mkdtempSync(join(tmpdir(), 'ceptoar-jvm-'));
  const t0 = performance.now();
  const db = await startDynamoLocal({ jvmOptions: flags, dbPath: dir });
  const start = performance.now() - t0;
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    await client.send(new ListTablesCommand({}));
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const item = (p: string, i: number) => ({ pk: { S: `${p}#${i}` }, sk: { N: '1' }, data: { S: BODY } });
    const put = (p: string, i: number) =>
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: item(p, i),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    const rate = async (task: () => Promise<unknown>, count: number) => {
      const t = performance.now();
      await task();
      return count / ((performance.now() - t) / 1000);
    };
    const puts = (p: string, concurrency: number) =>
      rate(() => pool([...Array(N).keys()], concurrency, (i) => put(p, i)), N);
    const transactions = (p: string) =>
      rate(
        () =>
          pool([...Array(N / 100).keys()], 2, (c) =>
            client.send(
              new TransactWriteItemsCommand({
                TransactItems: [...Array(100).keys()].map((j) => ({
                  Put: {
                    TableName: TABLE,
                    Item: item(p, c * 100 + j),
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                })),
              }),
            ),
          ),
        N,
      );
    const queries = () =>
      rate(
        () =>
          pool([...Array(N).keys()], 4, (i) =>
            client.send(
              new QueryCommand({
                TableName: TABLE,
                KeyConditionExpression: 'pk = :p',
                ExpressionAttributeValues: { ':p': { S: `p4#${i}` } },
                ConsistentRead: true,
                Limit: 1,
              }),
            ),
          ),
        N,
      );
    // A fresh JVM each round, as `npm start` has, measured in the order the work came: the JIT's
    // compiling while the first calls run is part of what is measured, and so is what it gains later.
    const firstPuts = await puts('p4', 8);
    const tx100 = await transactions('tx');
    const query = await queries();
    const warmPuts = await puts('w1', 8);
    const lastPuts = await puts('w2', 8);
    progress(`jvm round ${round + 1}: ${flags.join(' ') || '(none)'}: start ${fmt(start, 0)} ms`);
    return {
      start: [start],
      firstPuts: [firstPuts],
      tx100: [tx100],
      query: [query],
      warmPuts: [warmPuts],
      lastPuts: [lastPuts],
    };
  } finally {
    client.destroy();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function dynamodbLocalJvmSection(): Promise<string> {
  const loadStart = loadNow();
  const results = CANDIDATES.map(
    (): Measures => ({ start: [], firstPuts: [], tx100: [], query: [], warmPuts: [], lastPuts: [] }),
  );
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? CANDIDATES.keys() : [...CANDIDATES.keys()].reverse();
    for (const c of order) {
      const r = await oneRound((CANDIDATES[c] as (typeof CANDIDATES)[number]).flags, round);
      const into = results[c] as Measures;
      for (const key of Object.keys(r) as (keyof Measures)[]) into[key].push(...r[key]);
    }
  }
  const loadEnd = loadNow();
  const current = DEFAULT_JVM_OPTIONS.join(' ');
  const rows = CANDIDATES.map((c, i) => {
    const m = results[i] as Measures;
    return [
      `${c.label}${c.flags.join(' ') === current ? ' **(in use)**' : ''}`,
      c.flags.map((f) => `\`${f}\``).join(' ') || '—',
      fmt(median(m.start), 0),
      fmt(median(m.firstPuts), 0),
      fmt(median(m.tx100), 0),
      fmt(median(m.query), 0),
      fmt(median(m.warmPuts), 0),
      fmt(median(m.lastPuts), 0),
    ];
  });
  return [
    `DynamoDB Local (the JVM of \`npm start\`, its data on the disk in a fresh folder) started ${ROUNDS} times with`,
    'each set of JVM flags, the sets interleaved, forwards and backwards in turn. Each start is timed from spawn',
    'to the first ListTables answered; then, on that JVM and in this order: the first',
    `${N} conditional PutItems (600-byte items, a table with a NEW_IMAGE stream, 8 in flight), ${N} items in`,
    `TransactWriteItems of 100 (2 in flight), ${N} consistent Queries (Limit 1, 4 in flight), and twice more`,
    `${N} PutItems as the first: the first calls pay for the JIT compiling, the later ones show what it gained.`,
    'Medians over the rounds; rates are items or calls per second as this Node process sees them (its SDK',
    'client shares the two cores with the JVM).',
    '',
    table(
      [
        'JVM flags',
        'JAVA_TOOL_OPTIONS',
        'start ms',
        'first PutItems /s',
        'items/s in transactions of 100',
        'Query/s',
        `PutItems /s after ${fmt(3 * N, 0)} calls`,
        `PutItems /s after ${fmt(4 * N, 0)} calls`,
      ],
      rows,
    ),
    '',
    `Load average (1 min): ${fmt(loadStart[0] ?? 0)} at the start, ${fmt(loadEnd[0] ?? 0)} at the end.`,
  ].join('\n');
}
