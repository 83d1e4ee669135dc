import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportLog } from '../audit/export-file.ts';
import { DirectSource } from '../audit/source.ts';
import { verifyExport, verifyLive } from '../audit/verify-run.ts';
import { chainHashes, GENESIS_HASH, timeSortKey } from '../events/audit/hash.ts';
import { auditPartition, legacyPartition } from '../events/audit/partitions.ts';
import type { FailureKind } from '../events/audit/verify.ts';
import type { MaybeIncident } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { localArchive, localSigner } from '../functions/audit/audit-checkpoints.ts';
import { listAllHeads, periodEvents, readPeriodPage, streamEvents } from '../functions/audit/audit-log.ts';
import { moveToGroups } from '../functions/audit/audit-partitions.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import { DynamoDbBatchHeadReader } from '../functions/store/batch-heads.ts';
import { runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import { projectHeads as projectStreamBatch } from '../functions/store/head-projection.ts';
import { timeEntryItem } from '../functions/store/time-index.ts';
import { freshTable, projectHeads, streamBatch, testDynamoClient } from './support/dynamo.ts';
import {
  ASAHI_MEMBER,
  at,
  HOURS,
  MINISTRY,
  NISC,
  POLICY,
  RANSOMWARE_REPORT,
  SECRETARIAT,
} from './support/fixtures.ts';
import { tempDataDir } from './support/local-api.ts';

const client = testDynamoClient();
const DAY1 = '2026-11-26T23:30:00.000Z';

/** A table with a few incidents, relayed at known times across a day boundary, and a source on it. */
async function world() {
  const table = await freshTable('audit');
  const store = new DynamoDbEventStore(client, table);
  const dataDir = tempDataDir('ceptoar-audit-');
  const signer = localSigner(dataDir);
  const source = new DirectSource(client, table, localArchive(dataDir), signer, () => signer.publicKeyPem());
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const id = randomUUID();
    ids.push(id);
    const t = at(DAY1, i * 20 * 60_000);
    await runCommand(
      store,
      incidents,
      id,
      { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
      { now: t, actor: ASAHI_MEMBER, policy: POLICY },
    );
    await runCommand(
      store,
      incidents,
      id,
      { type: 'DecideRelay', data: { decision: 'approve' } },
      { now: at(t, HOURS), actor: SECRETARIAT, policy: POLICY },
    );
    await runCommand(
      store,
      incidents,
      id,
      { type: 'AcknowledgeReceipt', data: {} },
      { now: at(t, 2 * HOURS), actor: MINISTRY, policy: POLICY },
    );
  }
  const streamIds = ids.map((id) => incidents.streamId(id));
  await projectHeads(client, table, streamIds);
  return { table, store, dataDir, source, ids, streamIds };
}

async function itemsOf(table: string, streamId: string) {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: streamId } },
    }),
  );
  return Items;
}

const named = (failures: readonly { kind: FailureKind; streamId?: string; version?: number }[]) =>
  failures.map((f) => [f.kind, f.streamId, f.version]);

describe('the hash chain on DynamoDB Local', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });

  it('links every event to the one before it and keeps the last hash on the head', async () => {
    const events: StoredEvent[] = [];
    for await (const e of streamEvents(client, w.table, w.streamIds[0] ?? '')) events.push(e);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
    const expected = chainHashes(GENESIS_HASH, events);
    expect(events.map((e) => [e.prevHash, e.hash])).toEqual(expected.map((l) => [l.prevHash, l.hash]));
    const head = await w.store.loadHead(w.streamIds[0] ?? '');
    expect(head?.hash).toBe(events[2]?.hash);
  });

  it('chains appends made without the head’s hash by reading it (a caller that did not load the head)', async () => {
    const streamId = w.streamIds[3] ?? '';
    const head = await w.store.loadHead<MaybeIncident>(streamId);
    await w.store.append({
      streamId,
      streamType: 'incident',
      expectedVersion: 3,
      events: [{ type: 'IncidentClosed', data: {} }],
      actor: SECRETARIAT,
      recordedAt: at(DAY1, 5 * HOURS),
      schemaVersion: 1,
      decision: { state: head?.state, stateSchema: 1 },
      head: { state: head?.state, stateSchema: 1, projection: incidents.project(head?.state ?? null) },
    });
    // Its entry in the time index is the stream projection's, as stream-reactor would write it.
    await projectHeads(client, w.table, [streamId]);
    const outcome = await verifyLive(w.source);
    expect(outcome.failures).toEqual([]);
    expect(outcome).toMatchObject({ ok: true, streams: 4, events: 13 });
  });

  it('lists the period in recorded order across streams and shards, page by page, across a day boundary', async () => {
    const all: StoredEvent[] = [];
    for await (const e of w.source.periodEvents('2026-11-26T00:00:00Z', '2026-11-27T23:59:59Z')) all.push(e);
    expect(all).toHaveLength(13);
    const keys = all.map((e) => `${e.recordedAt}#${e.streamId}#${e.version}`);
    expect(keys).toEqual([...keys].sort());
    const paged: StoredEvent[] = [];
    let cursor: string | null = null;
    do {
      const page = await readPeriodPage(client, w.table, {
        from: '2026-11-26T00:00:00.000Z',
        to: '2026-11-27T23:59:59.000Z',
        limit: 4,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(4);
      paged.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(paged.map((e) => `${e.streamId}#${e.version}`)).toEqual(
      all.map((e) => `${e.streamId}#${e.version}`),
    );
    const window: StoredEvent[] = [];
    for await (const e of w.source.periodEvents(at(DAY1, HOURS), at(DAY1, HOURS + 20 * 60_000)))
      window.push(e);
    // At +1h the first incident is approved and the fourth reported; at +1h20 the second is approved.
    expect(window.map((e) => e.type).sort()).toEqual(['IncidentReported', 'RelayApproved', 'RelayApproved']);
    expect(window.map((e) => e.recordedAt)).toEqual([
      at(DAY1, HOURS),
      at(DAY1, HOURS),
      at(DAY1, HOURS + 20 * 60_000),
    ]);
  });

  it('reads each shard page by page, and pages on past an index entry whose event is missing', async () => {
    const from = '2026-11-26T00:00:00.000Z';
    const to = '2026-11-27T23:59:59.000Z';
    const all: StoredEvent[] = [];
    for await (const e of periodEvents(client, w.table, from, to)) all.push(e);
    // Two entries a Query: every shard holding more than two is read over several pages.
    const small: StoredEvent[] = [];
    for await (const e of periodEvents(client, w.table, from, to, { pageSize: 2 })) small.push(e);
    expect(small).toEqual(all);
    // A time entry pointing at no event (one deleted by hand) in the middle of the period.
    const dangling = timeEntryItem({
      streamId: `incident#${randomUUID()}`,
      version: 1,
      recordedAt: at(DAY1, HOURS + 10 * 60_000),
      group: 'chemical',
    });
    await client.send(new PutItemCommand({ TableName: w.table, Item: dangling }));
    try {
      const paged: StoredEvent[] = [];
      let pages = 0;
      let cursor: string | null = null;
      do {
        const page = await readPeriodPage(client, w.table, { from, to, limit: 1, cursor });
        paged.push(...page.items);
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 100);
      // One page per event, one for the entry without its event (empty, yet with a cursor), the last empty.
      expect(paged).toEqual(all);
      expect(pages).toBe(all.length + 2);
    } finally {
      await client.send(
        new DeleteItemCommand({
          TableName: w.table,
          Key: { pk: { S: dangling.pk?.S ?? '' }, sk: { N: dangling.sk?.N ?? '' } },
        }),
      );
    }
  });

  it('projects the streams of a batch side by side and reports the first that failed in the batch order', async () => {
    const table = await freshTable('proj');
    const store = new DynamoDbEventStore(client, table);
    const ids = Array.from({ length: 6 }, () => randomUUID());
    for (const id of ids)
      await runCommand(
        store,
        incidents,
        id,
        { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
        { now: DAY1, actor: ASAHI_MEMBER, policy: POLICY },
      );
    await runCommand(
      store,
      incidents,
      ids[0] ?? '',
      { type: 'DecideRelay', data: { decision: 'approve' } },
      { now: at(DAY1, HOURS), actor: SECRETARIAT, policy: POLICY },
    );
    const streamIds = ids.map((id) => incidents.streamId(id));
    const batch = await streamBatch(client, table, streamIds);
    // The time entries of the third and the fifth stream cannot be written: the batch's BatchWriteItem
    // fails, and so does each of those two streams' own.
    const refused = new Set([streamIds[2], streamIds[4]].map((s) => `time#${s}`));
    const failing = {
      send: (command: unknown) =>
        command instanceof BatchWriteItemCommand &&
        Object.values(command.input.RequestItems ?? {})
          .flat()
          .some((r) => refused.has(r.PutRequest?.Item?.pk?.S ?? ''))
          ? Promise.reject(new Error('injected'))
          : client.send(command as never),
    } as unknown as typeof client;
    const reader = new DynamoDbBatchHeadReader(client, table);
    const result = await projectStreamBatch(failing, table, reader, batch);
    // The third stream's record: the first stream has two events (records 1 and 2), so it is record 4.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '4' }]);
    // Time entries written, per stream: every other stream is projected, those after the failed one too
    // (the retry does them again, which changes nothing).
    const entries = () =>
      Promise.all(
        streamIds.map(async (s) => {
          const { Items = [] } = await client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': { S: `time#${s}` } },
            }),
          );
          return Items.length;
        }),
      );
    expect(await entries()).toEqual([2, 1, 0, 1, 0, 1]);
    const again = await projectStreamBatch(client, table, reader, batch);
    expect(again.batchItemFailures).toEqual([]);
    expect(await entries()).toEqual([2, 1, 1, 1, 1, 1]);
    expect((await reader.loadHead(streamIds[0] ?? ''))?.version).toBe(2);
  });

  it('projects a batch from its own records: its heads in one read, its time entries in one write, a PutItem per head and list item', async () => {
    const table = await freshTable('projcalls');
    const store = new DynamoDbEventStore(client, table);
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const command = (id: string, cmd: Parameters<typeof runCommand>[3], now: string, actor = SECRETARIAT) =>
      runCommand(store, incidents, id, cmd as never, { now, actor, policy: POLICY });
    for (const id of ids) {
      // The first event writes the head with it (listed from birth); the second is the projection's.
      await command(
        id,
        { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
        DAY1,
        ASAHI_MEMBER,
      );
      await command(id, { type: 'DecideRelay', data: { decision: 'approve' } }, at(DAY1, HOURS));
    }
    const streamIds = ids.map((id) => incidents.streamId(id));
    const reader = new DynamoDbBatchHeadReader(client, table);
    const calls: string[] = [];
    const counting = {
      send: (sent: object) => {
        calls.push(sent.constructor.name);
        return client.send(sent as never);
      },
    } as unknown as typeof client;
    const countingReader = new DynamoDbBatchHeadReader(counting, table);
    const tally = () => {
      const t: Record<string, number> = {};
      for (const name of calls) t[name] = (t[name] ?? 0) + 1;
      return t;
    };
    const first = await projectStreamBatch(
      counting,
      table,
      countingReader,
      await streamBatch(client, table, streamIds),
    );
    expect(first.batchItemFailures).toEqual([]);
    // 30 streams of two events: one BatchGetItem (100 keys a call), three BatchWriteItem for the 60 time entries
    // (25 a call), two conditional PutItems per incident (its list item, then its head); no event read again.
    expect(tally()).toEqual({ BatchGetItemCommand: 1, BatchWriteItemCommand: 3, PutItemCommand: 60 });
    for (const streamId of streamIds) expect((await reader.loadHead(streamId))?.version).toBe(2);
    // A head behind the batch (the event before the batch's is not in it) reads the events it lacks.
    const behind = ids[0] ?? '';
    await command(behind, { type: 'AcknowledgeReceipt', data: {} }, at(DAY1, 2 * HOURS), MINISTRY);
    await command(behind, { type: 'AcknowledgeReceipt', data: {} }, at(DAY1, 3 * HOURS), NISC);
    const whole = await streamBatch(client, table, [incidents.streamId(behind)]);
    calls.length = 0;
    const second = await projectStreamBatch(counting, table, countingReader, {
      Records: whole.Records.filter((r) => r.dynamodb?.NewImage?.sk?.N === '4'),
    });
    expect(second.batchItemFailures).toEqual([]);
    expect(tally()).toMatchObject({ BatchGetItemCommand: 1, QueryCommand: 1, PutItemCommand: 2 });
    const head = await reader.loadHead<MaybeIncident>(incidents.streamId(behind));
    expect(head?.version).toBe(4);
    expect(head?.state?.status).toBe('relayed');
  });

  it('replays a stream as it was at a moment', async () => {
    const streamId = w.streamIds[1] ?? '';
    const t = at(DAY1, 20 * 60_000);
    const before = await replayStream(
      streamId,
      streamEvents(client, w.table, streamId),
      incidents,
      at(t, HOURS - 1),
    );
    expect(before.version).toBe(1);
    expect((before.state as MaybeIncident)?.status).toBe('awaiting_secretariat');
    const after = await replayStream(
      streamId,
      streamEvents(client, w.table, streamId),
      incidents,
      at(t, HOURS),
    );
    expect(after.version).toBe(2);
    expect((after.state as MaybeIncident)?.status).toBe('awaiting_ministry');
    const never = await replayStream(streamId, streamEvents(client, w.table, streamId), incidents, DAY1);
    expect(never).toMatchObject({ version: 0, state: null });
  });
});

describe('verification against checkpoints, after someone with write access to the table tampered', () => {
  it('names the stream and version of each kind of tampering, live and in an export', async () => {
    const w = await world();
    const extra = randomUUID();
    await runCommand(
      w.store,
      incidents,
      extra,
      { type: 'ReportIncident', data: { incidentId: extra, report: RANSOMWARE_REPORT } },
      { now: DAY1, actor: ASAHI_MEMBER, policy: POLICY },
    );
    await projectHeads(client, w.table, [incidents.streamId(extra)]);
    const checkpoint = await w.source.publishCheckpoint();
    expect(checkpoint.treeSize).toBe(5);
    expect((await verifyLive(w.source)).ok).toBe(true);
    // An untampered export verifies, with the pinned key, every stream anchored.
    const clean = join(w.dataDir, 'clean.ndjson');
    await exportLog(w.source, {
      from: '2026-11-26T00:00:00.000Z',
      to: '2026-11-27T23:59:59.000Z',
      out: clean,
      newCheckpoint: false,
    });
    const pinned = await w.source.publicKeyPem();
    expect(await verifyExport(clean, { publicKeyPem: pinned })).toMatchObject({
      ok: true,
      anchored: 5,
      events: 13,
      keySource: 'pinned',
    });

    const [edited, deleted, rewritten, truncated] = w.streamIds as [string, string, string, string];
    const key = (pk: string, sk: number) => ({ pk: { S: pk }, sk: { N: String(sk) } });
    // 1. One byte of an event's data.
    const second = (await itemsOf(w.table, edited)).find((i) => i.sk?.N === '2');
    await client.send(
      new UpdateItemCommand({
        TableName: w.table,
        Key: key(edited, 2),
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: {
          ':d': { S: (second?.data?.S ?? '').replace('ministryDueAt', 'ministryDueAT') },
        },
      }),
    );
    // 2. An event deleted from the middle.
    await client.send(new DeleteItemCommand({ TableName: w.table, Key: key(deleted, 2) }));
    // 3. A whole stream rewritten with a consistent new chain, head included.
    const events: StoredEvent[] = [];
    for await (const e of streamEvents(client, w.table, rewritten)) events.push(e);
    const forged = events.map((e) =>
      e.version === 2 ? { ...e, data: { ...(e.data as object), note: 'approved on time' } } : e,
    );
    const links = chainHashes(GENESIS_HASH, forged);
    for (const [i, e] of forged.entries()) {
      await client.send(
        new UpdateItemCommand({
          TableName: w.table,
          Key: key(rewritten, e.version),
          UpdateExpression: 'SET #d = :d, prevHash = :p, #h = :h',
          ExpressionAttributeNames: { '#d': 'data', '#h': 'hash' },
          ExpressionAttributeValues: {
            ':d': { S: JSON.stringify(e.data) },
            ':p': { S: links[i]?.prevHash ?? '' },
            ':h': { S: links[i]?.hash ?? '' },
          },
        }),
      );
    }
    await client.send(
      new UpdateItemCommand({
        TableName: w.table,
        Key: key(rewritten, 0),
        UpdateExpression: 'SET #h = :h',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':h': { S: links[2]?.hash ?? '' } },
      }),
    );
    // 4. The last event removed, and the head moved back to match.
    const third = (await itemsOf(w.table, truncated)).find((i) => i.sk?.N === '2');
    await client.send(new DeleteItemCommand({ TableName: w.table, Key: key(truncated, 3) }));
    await client.send(
      new UpdateItemCommand({
        TableName: w.table,
        Key: key(truncated, 0),
        UpdateExpression: 'SET version = :v, #h = :h',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':v': { N: '2' }, ':h': third?.hash ?? { S: '' } },
      }),
    );
    // 5. A whole stream deleted, list item, head and all.
    for (const v of [-1, 0, 1])
      await client.send(
        new DeleteItemCommand({ TableName: w.table, Key: key(incidents.streamId(extra), v) }),
      );

    const live = await verifyLive(w.source);
    expect(live.ok).toBe(false);
    expect(named(live.failures)).toEqual(
      expect.arrayContaining([
        ['content-hash', edited, 2],
        ['missing-event', deleted, 3],
        ['checkpoint-mismatch', rewritten, 3],
        ['truncated', truncated, 3],
        ['missing-stream', incidents.streamId(extra), 1],
      ]),
    );
    // Every failure names one of the tampered streams: nothing else is blamed.
    const tampered = new Set([edited, deleted, rewritten, truncated, incidents.streamId(extra)]);
    for (const f of live.failures) expect(tampered.has(f.streamId ?? '')).toBe(true);

    // The export taken before the tampering still verifies; one edited byte in it does not.
    const text = readFileSync(clean, 'utf8');
    const lines = text.split('\n');
    const victim = lines.findIndex(
      (l) => l.includes('"kind":"event"') && l.includes('"type":"RelayApproved"'),
    );
    const parsed = (JSON.parse(lines[victim] ?? '{}') as { content: { streamId: string; version: number } })
      .content;
    lines[victim] = (lines[victim] ?? '').replace('"RelayApproved"', '"RelayReturned"');
    const bad = join(w.dataDir, 'bad.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const outcome = await verifyExport(bad, { publicKeyPem: pinned });
    expect(named(outcome.failures)).toEqual([['content-hash', parsed.streamId, parsed.version]]);
    // And an export checked under another key fails on the checkpoint signature.
    const otherKey = await localSigner(tempDataDir('ceptoar-other-')).publicKeyPem();
    const wrongKey = await verifyExport(clean, { publicKeyPem: otherKey });
    expect(named(wrongKey.failures)).toEqual([['checkpoint-signature', undefined, undefined]]);
    expect(wrongKey.anchored).toBe(0);
  });
});

describe('the time index across releases', () => {
  it('lists events written with their own time keys (an earlier release) and time entries, each once', async () => {
    const table = await freshTable('audit-mixed');
    const store = new DynamoDbEventStore(client, table);
    const id = randomUUID();
    const streamId = incidents.streamId(id);
    const t = at(DAY1, 10 * 60_000);
    await runCommand(
      store,
      incidents,
      id,
      { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
      { now: t, actor: ASAHI_MEMBER, policy: POLICY },
    );
    // As an earlier release wrote every event: the time index keys on the event item itself.
    const [first] = await itemsOf(table, streamId).then((items) => items.filter((i) => i.sk?.N === '1'));
    const tPk = legacyPartition('t', streamId);
    const tSk = timeSortKey(t, streamId, 1);
    await client.send(
      new PutItemCommand({ TableName: table, Item: { ...first, tPk: { S: tPk }, tSk: { S: tSk } } }),
    );
    await runCommand(
      store,
      incidents,
      id,
      { type: 'DecideRelay', data: { decision: 'approve' } },
      { now: at(t, HOURS), actor: SECRETARIAT, policy: POLICY },
    );
    // Every event of the stream handed to the projection, twice (a batch retried): version 1 already
    // has its keys and gets no entry; version 2 gets one, written again the second time.
    await projectHeads(client, table, [streamId]);
    await projectHeads(client, table, [streamId]);
    const { Items: entries = [] } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `time#${streamId}` } },
      }),
    );
    expect(entries.map((e) => e.sk?.N)).toEqual(['2']);
    const listed: StoredEvent[] = [];
    for await (const e of periodEvents(client, table, DAY1, at(DAY1, 3 * HOURS))) listed.push(e);
    expect(listed.map((e) => [e.streamId, e.version, e.type])).toEqual([
      [streamId, 1, 'IncidentReported'],
      [streamId, 2, 'RelayApproved'],
    ]);
    const stored: StoredEvent[] = [];
    for await (const e of streamEvents(client, table, streamId)) stored.push(e);
    expect(listed).toEqual(stored);
  });

  it("moves an earlier release's head and time keys into the stream's sector, once, and reads the same", async () => {
    const table = await freshTable('audit-move');
    const store = new DynamoDbEventStore(client, table);
    const id = randomUUID();
    const streamId = incidents.streamId(id);
    const t = at(DAY1, 10 * 60_000);
    await runCommand(
      store,
      incidents,
      id,
      { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
      { now: t, actor: ASAHI_MEMBER, policy: POLICY },
    );
    await projectHeads(client, table, [streamId]);
    // As the release before groups left it: the head in h#<n>, the event's own time keys in t#<n>, no entry.
    const items = await itemsOf(table, streamId);
    const event = items.find((i) => i.sk?.N === '1');
    const head = items.find((i) => i.sk?.N === '0');
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...event,
          tPk: { S: legacyPartition('t', streamId) },
          tSk: { S: timeSortKey(t, streamId, 1) },
        },
      }),
    );
    await client.send(
      new PutItemCommand({ TableName: table, Item: { ...head, hPk: { S: legacyPartition('h', streamId) } } }),
    );
    await client.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: { S: `time#${streamId}` }, sk: { N: '1' } } }),
    );
    const read = async () => {
      const events: string[] = [];
      for await (const e of periodEvents(client, table, DAY1, at(DAY1, HOURS)))
        events.push(`${e.streamId}#${e.version}`);
      const heads = await listAllHeads(client, table);
      return { events, heads: heads.map((h) => [h.streamId, h.version]) };
    };
    // Before the move, readers query the old partitions too.
    const before = await read();
    expect(before).toEqual({ events: [`${streamId}#1`], heads: [[streamId, 1]] });
    const log = { info: () => {} };
    expect(await moveToGroups(client, table, log)).toEqual({ heads: 1, entries: 1 });
    expect(await read()).toEqual(before);
    const moved = await itemsOf(table, streamId);
    expect(moved.find((i) => i.sk?.N === '0')?.hPk?.S).toBe(auditPartition('h', 'chemical', streamId));
    const entry = await itemsOf(table, `time#${streamId}`);
    expect(entry.map((i) => i.tPk?.S)).toEqual([auditPartition('t', 'chemical', streamId)]);
    // The event item is not touched: its old keys stay, in a partition no reader queries now.
    expect(moved.find((i) => i.sk?.N === '1')).toEqual({
      ...event,
      tPk: { S: legacyPartition('t', streamId) },
      tSk: { S: timeSortKey(t, streamId, 1) },
    });
    // Once: the marker says so, and a second run moves nothing.
    expect(await moveToGroups(client, table, log)).toEqual({ heads: 0, entries: 0 });
  });
});
