import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IncidentState } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { loadAggregate, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import { HEAD_STATE_BUDGET } from '../functions/store/head-item.ts';
import { freshTable, projectHeads, testDynamoClient } from './support/dynamo.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { memberContext, reportWithFollowUps } from './support/incident-streams.ts';

// A head holds a stream's whole state, every follow-up's text included; DynamoDB refuses an item over 400 KB.
// Text that repeats little (pasted logs, encoded samples, lists of hashes) compresses little: a dozen follow-ups
// with three fields of 20,000 such characters made a head DynamoDB refused, and the projection of that incident
// failed on every event after it.

const client = testDynamoClient();
let store: DynamoDbEventStore;
let table: string;

beforeAll(async () => {
  table = await freshTable('headsize');
  store = new DynamoDbEventStore(client, table);
});

/** 20,000 characters that gzip cannot shrink much (base64 of random bytes: 6 bits of 8). */
const pasted = () => randomBytes(15_000).toString('base64').slice(0, 20_000);
const headItem = async (id: string) =>
  (
    await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: incidents.streamId(id) }, sk: { N: '0' } },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('a head too large for its item', () => {
  it('is written abridged, lists its stream, and the whole state is folded from the events', async () => {
    const { id, sent } = await reportWithFollowUps(store, 12, pasted);
    // 720,000 characters of follow-ups: gzipped, well over DynamoDB's 400 KB.
    await projectHeads(client, table, [incidents.streamId(id)]);

    const item = await headItem(id);
    expect(item?.abridged?.BOOL).toBe(true);
    expect(item?.version?.N).toBe('13');
    expect(item?.stateZ?.B?.length).toBeLessThanOrEqual(HEAD_STATE_BUDGET);

    // Lists read the head: what a list shows is whole, the long texts cut.
    const head = await store.loadHead<IncidentState>(incidents.streamId(id));
    expect(head?.abridged).toBe(true);
    expect(head?.state.report.title).toBe(RANSOMWARE_REPORT.title);
    expect(head?.state.org).toBe('asahi-petrochem');
    expect(head?.state.followUps).toHaveLength(12);
    const cut = head?.state.followUps[0]?.description ?? '';
    expect(cut.length).toBeLessThan(20_000);
    expect(cut.endsWith('…')).toBe(true);
    expect(sent[0]?.description.startsWith(cut.slice(0, -1))).toBe(true);

    // A view (loadAggregate) never shows the cut texts: it folds the events.
    const whole = await loadAggregate(store, incidents, id);
    expect(whole.version).toBe(13);
    expect(whole.state?.followUps.map((f) => f.description)).toEqual(sent.map((s) => s.description));
    expect(whole.state?.followUps.map((f) => f.details?.indicators)).toEqual(sent.map((s) => s.indicators));
  });

  it('is projected again from the first event, not from its cut state, when the stream moves on', async () => {
    const { id, sent } = await reportWithFollowUps(store, 12, pasted);
    await projectHeads(client, table, [incidents.streamId(id)]);
    await runCommand(
      store,
      incidents,
      id,
      { type: 'AddFollowUp', data: { description: 'Restored from backup.', recoveryStatus: 'recovered' } },
      memberContext(),
    );
    await projectHeads(client, table, [incidents.streamId(id)]);

    const item = await headItem(id);
    expect(item?.version?.N).toBe('14');
    expect(item?.abridged?.BOOL).toBe(true);
    const whole = await loadAggregate(store, incidents, id);
    expect(whole.state?.recoveryStatus).toBe('recovered');
    expect(whole.state?.followUps.map((f) => f.description)).toEqual([
      ...sent.map((s) => s.description),
      'Restored from backup.',
    ]);
  });

  it('leaves a head that fits whole, without the mark', async () => {
    const { id, sent } = await reportWithFollowUps(
      store,
      2,
      () => 'Isolated the historian; the DCS runs on.',
    );
    await projectHeads(client, table, [incidents.streamId(id)]);
    const item = await headItem(id);
    expect(item?.abridged).toBeUndefined();
    const head = await store.loadHead<IncidentState>(incidents.streamId(id));
    expect(head?.abridged).toBeUndefined();
    expect(head?.state.followUps.map((f) => f.description)).toEqual(sent.map((s) => s.description));
  });
});
