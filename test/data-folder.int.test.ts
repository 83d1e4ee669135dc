import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiSource } from '../audit/source.ts';
import { verifyLive } from '../audit/verify-run.ts';
import { groupOfPartition, legacyPartitions } from '../events/audit/partitions.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import type { LocalStack } from '../local/stack.ts';
import { TEST_CREDENTIALS, TEST_REGION } from './support/dynamo.ts';
import { apiClient, startTestStack, tempDataDir } from './support/local-api.ts';

// A data folder written by an earlier main (test/fixtures/data-folder-v1.md says what it holds):
// whatever the store's layout becomes, such a folder must start, read, fold, verify and go on.
const FIXTURE = join(import.meta.dirname, 'fixtures', 'data-folder-v1.tar.gz');
const CLOSED = 'ae7d12fe-22be-4025-a54c-e93313c19c61';
const RESUBMITTED = 'be3182af-3892-46aa-8217-f73e87e52906';
const WAITING = '174366f2-056a-438d-9f2a-ba225a765784';
const ADVISORY = '50bd10b9-a230-4286-b1de-b8a2f166604f';
const DRILL = '62278226-d1e0-4233-92d5-63717865503a';
const FOLLOW_UP = {
  description: 'More detail: 40 mailboxes.',
  recoveryStatus: 'mitigating',
};

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

async function verify() {
  const source = await ApiSource.local({
    CEPTOAR_DATA_DIR: stack.dataDir,
    PORT: new URL(stack.url).port,
  });
  return verifyLive(source);
}

beforeAll(async () => {
  const parent = tempDataDir('ceptoar-fixture-');
  execFileSync('tar', ['xzf', FIXTURE, '-C', parent]);
  stack = await startTestStack({ dataDir: join(parent, 'data-v1'), checkpointSeconds: 0 });
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

describe('a data folder written by the previous main', () => {
  it('lists and reads every incident as it was left', async () => {
    const sec = await api.token('secretariat');
    const list = await api.call('GET', '/incidents', { token: sec });
    expect(list.status).toBe(200);
    const statuses = Object.fromEntries(
      list.body.items.map((i: { id: string; status: string }) => [i.id, i.status]),
    );
    expect(statuses).toEqual({
      [CLOSED]: 'closed',
      [RESUBMITTED]: 'awaiting_secretariat',
      [WAITING]: 'awaiting_secretariat',
    });
    const closed = await api.call('GET', `/incidents/${CLOSED}`, { token: sec });
    expect(closed.body.followUps.map((f: { description: string }) => f.description)).toEqual([
      'Restored from backup.',
    ]);
    expect(closed.body.hops.nisc.doneAt).not.toBeNull();
    const resubmitted = await api.call('GET', `/incidents/${RESUBMITTED}`, { token: sec });
    expect(resubmitted.body.followUps).toMatchObject([{ number: 1, ...FOLLOW_UP }]);
    expect(resubmitted.body.returns).toHaveLength(1);
  });

  it('reads the advisory and the drill with their acknowledgements', async () => {
    const sec = await api.token('secretariat');
    for (const id of [ADVISORY, DRILL]) {
      const advisory = await api.call('GET', `/advisories/${id}`, { token: sec });
      expect(advisory.status).toBe(200);
      expect(advisory.body.transmission).toMatchObject({ recipients: 11, acknowledged: 1 });
    }
  });

  it('verifies every stream against the old checkpoint', async () => {
    const report = await verify();
    expect(report.failures).toEqual([]);
    // The folder's 41 streams, all under the old checkpoint, and what the start seeded beside them:
    // 18 sectors and 72 organisations of the other sectors and ministries (local/seed-sectors.ts).
    expect(report).toMatchObject({ ok: true, streams: 41 + 18 + 72, checkpoints: 1, anchored: 41 });
  });

  it("lists the folder's incidents and advisories under chemical, and another sector sees none of them", async () => {
    // The secretariat's one sector by name, and the auditor's every sector (a page merged over 18 Queries).
    const chemical = await api.call('GET', '/incidents?sector=chemical', {
      token: await api.token('secretariat'),
    });
    const everySector = await api.call('GET', '/incidents', { token: await api.token('auditor') });
    for (const list of [chemical, everySector]) {
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
        [CLOSED, RESUBMITTED, WAITING].sort(),
      );
      for (const item of list.body.items) expect(item.sector).toBe('chemical');
    }
    const banking = await api.call('POST', '/local/token', {
      body: { role: 'secretariat', sector: 'banking' },
    });
    const token = banking.body.token as string;
    expect((await api.call('GET', '/incidents', { token })).body.items).toEqual([]);
    expect((await api.call('GET', '/advisories', { token })).body.items).toEqual([]);
    for (const id of [CLOSED, RESUBMITTED, WAITING]) {
      expect((await api.call('GET', `/incidents/${id}`, { token })).status).toBe(404);
      expect((await api.call('GET', `/incidents/${id}/events`, { token })).status).toBe(404);
    }
    for (const id of [ADVISORY, DRILL])
      expect((await api.call('GET', `/advisories/${id}`, { token })).status).toBe(404);
    const sec = await api.call('GET', `/advisories/${ADVISORY}`, { token: await api.token('secretariat') });
    expect(sec.body.sector).toBe('chemical');
  });

  it("moved the folder's audit index entries into chemical's partitions, and a chemical auditor reads them all", async () => {
    // The tests before this one appended to the folder's streams: their time entries come with the projection.
    await stack.settle();
    const client = new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
    const { Items = [] } = await client.send(new ScanCommand({ TableName: stack.tableName }));
    client.destroy();
    const fixtureStream = (id: string) =>
      [CLOSED, RESUBMITTED, WAITING, ADVISORY, DRILL].some((x) => id.includes(x));
    const heads = Items.filter((i) => i.kind?.S === 'head');
    const entries = Items.filter((i) => i.kind?.S === 'time');
    // No head and no time entry is left in a partition of the layout before sectors.
    for (const item of heads) expect(legacyPartitions('h')).not.toContain(item.hPk?.S);
    for (const item of entries) expect(legacyPartitions('t')).not.toContain(item.tPk?.S);
    // The incidents, the advisory, the drill and their recipients (whose events name no sector) are chemical's.
    const old = heads.filter((h) => fixtureStream(h.pk?.S ?? ''));
    expect(old.length).toBe(3 + 2 + 2 * 11);
    for (const h of old) expect(groupOfPartition(h.hPk?.S), h.pk?.S).toBe('chemical');
    // Every event of the folder's streams has its time entry.
    const events = Items.filter((i) => i.kind?.S === 'event' && fixtureStream(i.pk?.S ?? ''));
    const timed = new Set(entries.map((e) => `${e.pk?.S?.slice('time#'.length)}#${e.sk?.N}`));
    for (const e of events) expect(timed.has(`${e.pk?.S}#${e.sk?.N}`), `${e.pk?.S}#${e.sk?.N}`).toBe(true);
    // A chemical auditor's heads and the year's events: the whole folder, read from chemical's partitions.
    const token = (await api.call('POST', '/local/token', { body: { role: 'auditor', sector: 'chemical' } }))
      .body.token as string;
    const listed = await api.call('GET', '/audit/heads?limit=20000', { token });
    for (const h of old)
      expect(listed.body.items.map((x: { streamId: string }) => x.streamId)).toContain(h.pk?.S);
    const period = await api.call('GET', '/audit/events?from=2026-01-01T00:00:00Z&limit=1000', { token });
    const seen = new Set(
      period.body.items.map((e: { streamId: string; version: number }) => `${e.streamId}#${e.version}`),
    );
    for (const e of events) expect(seen.has(`${e.pk?.S}#${e.sk?.N}`), `${e.pk?.S}#${e.sk?.N}`).toBe(true);
  });

  it('reads an old idempotency record as it was written, and lets it go after its 24 hours', async () => {
    const client = new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
    const store = new DynamoDbEventStore(client, stack.tableName);
    const key = 'local-member-asahi-petrochem#k4';
    // The fixture was written days ago: its records are past their 24 hours now, and read as absent.
    expect(await store.getIdempotencyRecord(key)).toBeNull();
    // Within them, the record gives the first answer back (the item's own expiry less a minute).
    const { Item } = await client.send(
      new GetItemCommand({ TableName: stack.tableName, Key: { pk: { S: `idem#${key}` }, sk: { N: '0' } } }),
    );
    const expiresAt = Number(Item?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThan(0);
    const clock = vi.spyOn(Date, 'now').mockReturnValue(expiresAt * 1000 - 60_000);
    try {
      const record = await store.getIdempotencyRecord(key);
      expect(record?.requestHash).toMatch(/^[\w-]{43}$/);
      expect(record?.response).toMatchObject({
        statusCode: 201,
        body: { id: RESUBMITTED, status: 'awaiting_secretariat', version: 6 },
      });
    } finally {
      clock.mockRestore();
    }
  });

  it('runs a request with a key past its 24 hours anew, then replays it: never a 500', async () => {
    const member = await api.token('member', 'asahi-petrochem');
    const followUps = async () => {
      const events = await api.call('GET', `/incidents/${RESUBMITTED}/events`, { token: member });
      return events.body.items.filter((e: { type: string }) => e.type === 'FollowUpAdded');
    };
    expect(await followUps()).toHaveLength(1);
    const post = () =>
      api.call('POST', `/incidents/${RESUBMITTED}/follow-ups`, {
        token: member,
        headers: { 'idempotency-key': 'k4' },
        body: FOLLOW_UP,
      });
    // The record the fixture left still stands in the table (DynamoDB Local never applies TTL): the new
    // request takes the key over instead of failing on it.
    const again = await post();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await followUps()).toHaveLength(2);
    const replay = await post();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(again.body);
    expect(await followUps()).toHaveLength(2);
  });

  it('continues an old stream with new commands, and the whole log still verifies', async () => {
    const sec = await api.token('secretariat');
    const approved = await api.call('POST', `/incidents/${WAITING}/decision`, {
      token: sec,
      body: { decision: 'approve' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('awaiting_ministry');
    const meti = await api.token('ministry');
    const receipt = await api.call('POST', `/incidents/${WAITING}/receipt`, { token: meti, body: {} });
    expect(receipt.body.status).toBe('awaiting_nisc');
    await stack.settle();
    const incident = await api.call('GET', `/incidents/${WAITING}`, { token: sec });
    expect(incident.body).toMatchObject({
      status: 'awaiting_nisc',
      report: { title: 'Open incident left awaiting' },
    });
    const report = await verify();
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('lists the old incidents by list items, each once: its head keeps none of the list keys', async () => {
    // The previous main listed an incident by its head (with the byType and byOrg keys). This folder predates
    // the open-work index, so its first start projected every incident's head again (local/open-index.ts),
    // which wrote each one's list item; WAITING's new events (the test before) moved its list item on.
    // (A head written by the previous main that no projection has touched since: test/list-item.int.test.ts.)
    await stack.settle();
    const client = new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
    const item = async (id: string, sk: number) =>
      (
        await client.send(
          new GetItemCommand({
            TableName: stack.tableName,
            Key: { pk: { S: `incident#${id}` }, sk: { N: String(sk) } },
            ConsistentRead: true,
          }),
        )
      ).Item;
    for (const id of [CLOSED, RESUBMITTED, WAITING]) {
      const [list, head] = await Promise.all([item(id, -1), item(id, 0)]);
      expect(list?.kind?.S, id).toBe('list');
      expect(list?.version?.N, id).toBe(head?.version?.N);
      expect(head?.listPk, id).toBeUndefined();
    }
    client.destroy();
    const sec = await api.token('secretariat');
    const rows = (await api.call('GET', '/incidents', { token: sec })).body.items as {
      id: string;
      status: string;
    }[];
    expect(rows.map((r) => r.id).sort()).toEqual([CLOSED, RESUBMITTED, WAITING].sort());
    expect(rows.find((r) => r.id === WAITING)?.status).toBe('awaiting_nisc');
  });
});
