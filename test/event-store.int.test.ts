import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError, IdempotencyKeyReusedError, IllegalStateError } from '../events/errors.ts';
import type { IncidentState } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { runCommand, unwrittenStream } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import { once, requestHash } from '../functions/store/idempotency.ts';
import { freshTable, projectHeads, testDynamoClient } from './support/dynamo.ts';
import { ASAHI_MEMBER, POLICY, RANSOMWARE_REPORT, SECRETARIAT } from './support/fixtures.ts';

const client = testDynamoClient();
let store: DynamoDbEventStore;
let table: string;

beforeAll(async () => {
  table = await freshTable('store');
  store = new DynamoDbEventStore(client, table);
});

const now = () => new Date().toISOString();
const ctx = (actor = ASAHI_MEMBER) => ({ now: now(), actor, policy: POLICY });

async function report(id = randomUUID()) {
  await runCommand(
    store,
    incidents,
    id,
    { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
    ctx(),
  );
  return id;
}

async function versionsOf(id: string): Promise<number[]> {
  const versions: number[] = [];
  for await (const e of store.readEvents(incidents.streamId(id), { pageSize: 7 })) versions.push(e.version);
  return versions;
}

describe('DynamoDbEventStore on DynamoDB Local', () => {
  it('decides on a stream minted for the command without reading it, and reloads if its id was taken after all', async () => {
    const id = randomUUID();
    const reportIt = () =>
      runCommand(
        store,
        incidents,
        id,
        { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
        ctx(),
        { loaded: unwrittenStream(incidents), retryOnConflict: true },
      );
    const reads = vi.spyOn(store, 'loadDecision');
    try {
      expect((await reportIt()).version).toBe(1);
      expect(reads).not.toHaveBeenCalled();
      // The same id minted twice: the append finds version 1 taken, the reload sees the report, the decision refuses.
      await expect(reportIt()).rejects.toBeInstanceOf(IllegalStateError);
      expect(reads).toHaveBeenCalledTimes(1);
      expect(await versionsOf(id)).toEqual([1]);
    } finally {
      reads.mockRestore();
    }
  });

  it('lets exactly one of 32 concurrent appends at the same version win', async () => {
    const id = await report();
    const head = await store.loadHead<IncidentState>(incidents.streamId(id));
    const results = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) =>
        store.append({
          streamId: incidents.streamId(id),
          streamType: 'incident',
          expectedVersion: 1,
          events: [
            {
              type: 'FollowUpAdded',
              data: {
                number: 1,
                description: `writer ${i}`,
                recoveryStatus: 'investigating',
                resubmitted: false,
              },
            },
          ],
          actor: ASAHI_MEMBER,
          recordedAt: now(),
          schemaVersion: 1,
          decision: { state: head?.state, stateSchema: 1 },
          head: { state: head?.state, stateSchema: 1, projection: incidents.project(head?.state ?? null) },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(31);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(ConcurrencyError);
    expect(await versionsOf(id)).toEqual([1, 2]);
  });

  it('loses, duplicates and skips nothing when 32 writers retry their follow-ups on one stream', async () => {
    const id = await report();
    await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        runCommand(
          store,
          incidents,
          id,
          { type: 'AddFollowUp', data: { description: `writer ${i}`, recoveryStatus: 'mitigating' } },
          ctx(),
          { retryOnConflict: true },
        ),
      ),
    );
    expect(await versionsOf(id)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    await projectHeads(client, table, [incidents.streamId(id)]);
    const head = await store.loadHead<IncidentState>(incidents.streamId(id));
    expect(head?.version).toBe(33);
    const descriptions = head?.state.followUps.map((f) => f.description).sort();
    expect(descriptions).toEqual(Array.from({ length: 32 }, (_, i) => `writer ${i}`).sort());
    expect(head?.state.followUps.map((f) => f.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 32 }, (_, i) => i + 1),
    );
  });

  it('answers 100 concurrent retries of one Idempotency-Key with the first response and one stream', async () => {
    const key = `storm-${randomUUID()}`;
    const hash = requestHash('POST /incidents', RANSOMWARE_REPORT);
    const created: string[] = [];
    const attempt = () =>
      once(store, { scope: ASAHI_MEMBER.sub, key, hash }, async (idempotency) => {
        const id = randomUUID();
        const result = await runCommand(
          store,
          incidents,
          id,
          { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
          ctx(),
          idempotency
            ? {
                idempotency: {
                  ...idempotency,
                  respond: ({ version }) => ({ statusCode: 201, body: { id, version } }),
                },
              }
            : {},
        );
        created.push(id);
        return { statusCode: 201, body: { id, version: result.version } };
      });
    const responses = await Promise.all(Array.from({ length: 100 }, attempt));
    const ids = new Set(responses.map((r) => (r.body as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(created).toHaveLength(1);
    const [winner] = [...ids];
    expect(responses.filter((r) => r.replayed)).toHaveLength(99);
    // Nothing else was written: the organisation's index holds no stray stream from a loser.
    const { Items } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `incident#${winner}` } },
      }),
    );
    expect(Items?.length).toBe(3); // list item, head and IncidentReported
  });

  it('refuses the same Idempotency-Key with another body (422) and writes nothing', async () => {
    const key = `reuse-${randomUUID()}`;
    const run = (body: unknown) =>
      once(store, { scope: SECRETARIAT.sub, key, hash: requestHash('POST /x', body) }, async () => ({
        statusCode: 200,
        body,
      }));
    const id = await report();
    await once(
      store,
      { scope: SECRETARIAT.sub, key, hash: requestHash('POST /x', { decision: 'approve' }) },
      async (idem) => {
        const result = await runCommand(
          store,
          incidents,
          id,
          { type: 'DecideRelay', data: { decision: 'approve' } },
          ctx(SECRETARIAT),
          {
            ...(idem
              ? {
                  idempotency: {
                    ...idem,
                    respond: ({ version }) => ({ statusCode: 200, body: { version } }),
                  },
                }
              : {}),
          },
        );
        return { statusCode: 200, body: { version: result.version } };
      },
    );
    await expect(run({ decision: 'return' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await versionsOf(id)).toEqual([1, 2]);
  });

  it('after forgetAll, a table that lost an acknowledged write is appended to at its real version, with no gap', async () => {
    const id = await report();
    const followUp = (on: DynamoDbEventStore) =>
      runCommand(
        on,
        incidents,
        id,
        { type: 'AddFollowUp', data: { description: 'x', recoveryStatus: 'mitigating' } },
        ctx(),
      );
    /** The table loses the stream's event at `version`, as DynamoDB Local may when SIGKILLed. */
    const lose = (version: number) =>
      client.send(
        new DeleteItemCommand({
          TableName: table,
          Key: { pk: { S: incidents.streamId(id) }, sk: { N: String(version) } },
        }),
      );
    await followUp(store);
    // The container's cache holds version 2; the table loses it.
    await lose(2);
    store.forgetAll();
    await followUp(store);
    expect(await versionsOf(id)).toEqual([1, 2]);
    // Without it, the cached version would let the next append write over the gap.
    const cached = new DynamoDbEventStore(client, table);
    await followUp(cached);
    await lose(3);
    await followUp(cached);
    expect(await versionsOf(id)).toEqual([1, 2, 4]);
  });

  it('pages through a long stream; a command reads a decision state that does not grow with it', async () => {
    const id = await report();
    for (let i = 0; i < 12; i++) {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          runCommand(
            store,
            incidents,
            id,
            { type: 'AddFollowUp', data: { description: 'x', recoveryStatus: 'mitigating' } },
            ctx(),
            {
              retryOnConflict: true,
            },
          ),
        ),
      );
    }
    expect(await versionsOf(id)).toHaveLength(121);
    const page1 = await store.readEventsPage(incidents.streamId(id), { limit: 50 });
    const page2 = await store.readEventsPage(incidents.streamId(id), { limit: 50, cursor: page1.cursor });
    expect(page1.items.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(page2.items[0]?.version).toBe(51);
    // What the next command decides on: the newest event's decision state, one Query of one item.
    const fresh = new DynamoDbEventStore(client, table);
    const decision = await fresh.loadDecision<IncidentState>(incidents.streamId(id));
    expect(decision).toMatchObject({ version: 121, cached: false });
    expect(decision?.state?.followUps.map((f) => f.number)).toEqual([120]);
    expect(JSON.stringify(decision?.state).length).toBeLessThan(2_000);
    expect(fresh.decisionReads).toEqual({ cached: 0, read: 1 });
    // The head (the view) is the whole state, once projected.
    await projectHeads(client, table, [incidents.streamId(id)]);
    const head = await store.loadHead<IncidentState>(incidents.streamId(id));
    expect(head?.state.followUps).toHaveLength(120);
  });
});
