import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import type { AdvisoryState } from '../events/advisory/advisory.ts';
import type { RecipientCommand, RecipientContext } from '../events/advisory/decide.ts';
import { NotFoundError } from '../events/errors.ts';
import { recipientId, recipients } from '../functions/aggregates/advisories.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { loadAggregate, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import { type GroupedCommand, runGrouped } from '../functions/store/group-commit.ts';
import { freshTable, testDynamoClient } from './support/dynamo.ts';
import { POLICY, RANSOMWARE_REPORT } from './support/fixtures.ts';
import { memberContext } from './support/incident-streams.ts';

const ADVISORY = '0b4a3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d';
const NOTIFIER: Actor = { kind: 'system', sub: 'system:notifier' };
let store: DynamoDbEventStore;

beforeAll(async () => {
  store = new DynamoDbEventStore(testDynamoClient(), await freshTable('group'));
});

const delivery = (org: string, n = 1): GroupedCommand<RecipientCommand, RecipientContext> => ({
  id: recipientId(ADVISORY, org),
  command: {
    type: 'RecordDelivery',
    data: {
      advisoryId: ADVISORY,
      org,
      key: `${n}:advisory:${org}-a:email`,
      purpose: 'advisory',
      contactId: `${org}-a`,
      channel: 'email',
      to: `a@${org}.example`,
      outcome: { ok: true, messageId: `m-${n}` },
    },
  },
  ctx: { now: new Date().toISOString(), actor: NOTIFIER, policy: POLICY, advisory: null },
});

const deliveries = async (org: string) =>
  (await loadAggregate(store, recipients, recipientId(ADVISORY, org))).state?.deliveries.length ?? 0;

describe('group commit across recipient streams', () => {
  it('records 120 deliveries on 120 streams (several transactions of at most 100 items)', async () => {
    const orgs = Array.from({ length: 120 }, (_, i) => `g-${i}`);
    const outcomes = await runGrouped(
      store,
      recipients,
      orgs.map((o) => delivery(o)),
    );
    expect(outcomes.every((o) => o.ok && o.events.length === 1)).toBe(true);
    expect(await Promise.all(orgs.map(deliveries))).toEqual(orgs.map(() => 1));
  });

  it('creates 60 incidents, each with its head and list item, in transactions of at most 100 items', async () => {
    // A new incident's first append is three items (its event, head and list item): counted as two, 50 streams
    // would have made a transaction of 150 and DynamoDB would have refused it.
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const outcomes = await runGrouped(
      store,
      incidents,
      ids.map((id) => ({
        id,
        command: { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
        ctx: memberContext(),
      })),
    );
    expect(outcomes.every((o) => o.ok && o.events.length === 1)).toBe(true);
    const listed = await store.listHeads({ index: 'byOrg', key: 'org#asahi-petrochem' }, { limit: 100 });
    expect(
      ids.every((id) => listed.items.some((h) => h.listItem && h.streamId === incidents.streamId(id))),
    ).toBe(true);
  });

  it('runs a stream that moved on again by itself; the others are written; a repeat writes nothing', async () => {
    const stale = await loadAggregate(store, recipients, recipientId(ADVISORY, 'moved'));
    // Another writer appends first, after the caller read the stream.
    await runCommand(
      store,
      recipients,
      recipientId(ADVISORY, 'moved'),
      delivery('moved', 1).command,
      delivery('moved', 1).ctx,
    );
    const outcomes = await runGrouped(store, recipients, [
      { ...delivery('moved', 2), loaded: stale },
      delivery('still', 2),
      delivery('still', 3), // a second command on one stream runs after the first
    ]);
    expect(outcomes.map((o) => o.ok && o.events.length)).toEqual([1, 1, 1]);
    expect(await deliveries('moved')).toBe(2);
    expect(await deliveries('still')).toBe(2);
    const again = await runGrouped(store, recipients, [delivery('still', 2)]);
    expect(again[0]).toMatchObject({ ok: true, events: [] });
  });

  it("joins one stream's commands in one append, each decided on the state the one before it left", async () => {
    const requests: { streamId: string; events: number }[] = [];
    const counting = Object.assign(Object.create(store) as DynamoDbEventStore, {
      appendAll: (batch: Parameters<DynamoDbEventStore['appendAll']>[0]) => {
        requests.push(...batch.map((r) => ({ streamId: r.streamId, events: r.events.length })));
        return store.appendAll(batch);
      },
    });
    const other: Actor = { kind: 'system', sub: 'system:other' };
    const outcomes = await runGrouped(counting, recipients, [
      delivery('joined', 1),
      delivery('joined', 2),
      delivery('joined', 1), // the same key again: decided on the state after the first, it records nothing
      { ...delivery('joined', 3), ctx: { ...delivery('joined', 3).ctx, actor: other } },
      delivery('apart', 1),
    ]);
    expect(outcomes.map((o) => o.ok && o.events.length)).toEqual([1, 1, 0, 1, 1]);
    // One append for each stream's commands by its first actor; the other actor's command ran by itself.
    expect(requests.sort((a, b) => a.streamId.localeCompare(b.streamId))).toEqual([
      { streamId: recipients.streamId(recipientId(ADVISORY, 'apart')), events: 1 },
      { streamId: recipients.streamId(recipientId(ADVISORY, 'joined')), events: 2 },
    ]);
    const joined = await loadAggregate(store, recipients, recipientId(ADVISORY, 'joined'));
    expect(joined.version).toBe(3);
    expect(joined.state?.deliveries.map((d) => d.key)).toEqual([
      '1:advisory:joined-a:email',
      '2:advisory:joined-a:email',
      '3:advisory:joined-a:email',
    ]);
  });

  it('fails a command whose decision throws alone', async () => {
    const advisory = {
      recipients: ['in'],
      tlp: 'GREEN',
      distributedAt: 'x',
      named: {},
    } as unknown as AdvisoryState;
    const ack = (org: string): GroupedCommand<RecipientCommand, RecipientContext> => ({
      id: recipientId(ADVISORY, org),
      command: {
        type: 'Acknowledge',
        data: { advisoryId: ADVISORY, org, contactId: `${org}-a`, via: 'link' },
      },
      ctx: { now: new Date().toISOString(), actor: NOTIFIER, policy: POLICY, advisory },
    });
    const [outside, inside] = await runGrouped(store, recipients, [ack('out'), ack('in')]);
    expect(outside).toMatchObject({ ok: false, error: expect.any(NotFoundError) });
    expect(inside).toMatchObject({
      ok: true,
      events: [expect.objectContaining({ type: 'AdvisoryAcknowledged' })],
    });
    expect((await loadAggregate(store, recipients, recipientId(ADVISORY, 'out'))).state).toBeNull();
  });
});
