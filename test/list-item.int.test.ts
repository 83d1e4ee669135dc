import { gunzipSync } from 'node:zlib';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IncidentState } from '../events/incident/incident.ts';
import { type IncidentListing, incidentListing } from '../events/incident/visibility.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { loadAggregate, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import type { HeadProjection } from '../functions/store/event-store.ts';
import { type HeadWrite, headPutInput, listPutInput } from '../functions/store/head-item.ts';
import { freshTable, projectHeads, testDynamoClient } from './support/dynamo.ts';
import { memberContext, reportWithFollowUps } from './support/incident-streams.ts';

// An incident is listed by a list item of its own (sk -1) holding its listing: the byType and byOrg indexes
// copy that, not the head, whose whole state grows with every follow-up's text (bench/RESULTS.md §1).

const client = testDynamoClient();
let store: DynamoDbEventStore;
let table: string;

beforeAll(async () => {
  table = await freshTable('listitem');
  store = new DynamoDbEventStore(client, table);
});

/** About 1.3 KB of text: each follow-up carries three. */
const followUpText = () => 'the historian was isolated and its logs copied; '.repeat(27);

/** An incident with `count` follow-ups, projected. */
async function reportWithFollowUpsProjected(count: number) {
  const { id } = await reportWithFollowUps(store, count, followUpText);
  await projectHeads(client, table, [incidents.streamId(id)]);
  return id;
}

/** The head write of an incident's state at `version`, listed as `projection` says. */
const writeOf = (
  streamId: string,
  state: IncidentState,
  version: number,
  projection: HeadProjection,
): HeadWrite => ({
  streamId,
  streamType: 'incident',
  version,
  hash: '',
  updatedAt: state.updatedAt,
  state,
  stateSchema: incidents.stateSchema,
  projection,
  group: 'chemical',
});

/** The items of one stream in a list index (every attribute: the indexes project ALL). */
async function inIndex(index: 'byType' | 'byOrg', key: string, streamId: string) {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: index,
      KeyConditionExpression: `${index === 'byType' ? 'listPk' : 'orgPk'} = :key`,
      FilterExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':key': { S: key }, ':pk': { S: streamId } },
    }),
  );
  return Items;
}

const getItem = async (streamId: string, sk: number) =>
  (
    await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: streamId }, sk: { N: String(sk) } },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe("an incident's list item", () => {
  it('is all the list indexes copy: the listing, not the follow-ups, at the head version', async () => {
    const id = await reportWithFollowUpsProjected(6);
    const streamId = incidents.streamId(id);
    for (const [index, key] of [
      ['byType', 'incident'],
      ['byOrg', 'org#asahi-petrochem'],
    ] as const) {
      const items = await inIndex(index, key, streamId);
      expect(items.map((i) => [i.kind?.S, i.sk?.N, i.version?.N])).toEqual([['list', '-1', '7']]);
      // A few hundred bytes gzipped, whatever the follow-ups hold (each of these is about 3.9 KB).
      expect(items[0]?.stateZ?.B?.length).toBeLessThan(600);
      expect(gunzipSync(items[0]?.stateZ?.B ?? new Uint8Array()).toString()).not.toContain('logs copied');
    }
    const head = await getItem(streamId, 0);
    expect(head?.kind?.S).toBe('head');
    expect(head?.listPk).toBeUndefined();
    expect(head?.orgPk).toBeUndefined();

    // What the list reads is the listing of the whole state the view folds.
    const page = await store.listHeads<IncidentListing>({ index: 'byType', key: 'incident' }, { limit: 50 });
    const listed = page.items.find((h) => h.streamId === streamId);
    expect(listed?.listItem).toBe(true);
    const whole = await loadAggregate(store, incidents, id);
    expect(whole.state?.followUps).toHaveLength(6);
    expect(listed?.state).toEqual(incidentListing(whole.state as IncidentState));
  });

  it('keeps an older head listed until its next event, then takes its place once', async () => {
    const id = await reportWithFollowUpsProjected(1);
    const streamId = incidents.streamId(id);
    // The incident as an earlier release left it: a head carrying the list keys, and no list item.
    const { state } = await loadAggregate(store, incidents, id);
    if (state === null) throw new Error('no incident');
    const { listing: _listing, ...keys } = incidents.project(state);
    const hash = (await store.loadHead(streamId))?.hash ?? '';
    const legacy = headPutInput(table, { ...writeOf(streamId, state, 2, keys), hash }, 0);
    await client.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: { S: streamId }, sk: { N: '-1' } } }),
    );
    await client.send(new PutItemCommand({ TableName: table, Item: legacy.Item }));
    expect((await inIndex('byType', 'incident', streamId)).map((i) => i.kind?.S)).toEqual(['head']);
    const before = await store.listHeads<IncidentListing>(
      { index: 'byType', key: 'incident' },
      { limit: 50 },
    );
    const old = before.items.find((h) => h.streamId === streamId);
    expect(old?.listItem).toBeUndefined();
    expect(incidentListing(old?.state as IncidentListing)).toEqual(incidentListing(state));

    // Both at once (the moment between the projection's two writes): listed once, the newer.
    const list = listPutInput(
      table,
      writeOf(streamId, state, 3, { ...keys, listing: { ...incidentListing(state), version: 3 } }),
    );
    if (!list) throw new Error('an incident has a list item');
    await client.send(new PutItemCommand(list));
    expect(await inIndex('byType', 'incident', streamId)).toHaveLength(2);
    const both = await store.listHeads<IncidentListing>({ index: 'byType', key: 'incident' }, { limit: 50 });
    expect(both.items.filter((h) => h.streamId === streamId).map((h) => [h.listItem, h.version])).toEqual([
      [true, 3],
    ]);
    await client.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: { S: streamId }, sk: { N: '-1' } } }),
    );

    // The next event's projection writes the list item and a head without the list keys.
    await runCommand(
      store,
      incidents,
      id,
      { type: 'AddFollowUp', data: { description: 'Restored from backup.', recoveryStatus: 'recovered' } },
      memberContext(),
    );
    await projectHeads(client, table, [streamId]);
    expect((await inIndex('byType', 'incident', streamId)).map((i) => [i.kind?.S, i.version?.N])).toEqual([
      ['list', '3'],
    ]);
    expect((await getItem(streamId, 0))?.listPk).toBeUndefined();
  });

  it('never moves back: an older listing is refused and the newer kept', async () => {
    const id = await reportWithFollowUpsProjected(2);
    const streamId = incidents.streamId(id);
    const { state } = await loadAggregate(store, incidents, id);
    if (state === null) throw new Error('no incident');
    const older = listPutInput(table, writeOf(streamId, state, 2, incidents.project(state)));
    if (!older) throw new Error('an incident has a list item');
    await expect(client.send(new PutItemCommand(older))).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    expect((await getItem(streamId, -1))?.version?.N).toBe('3');
    // The same version again is the same listing: written again, harmlessly (a redelivered batch).
    await projectHeads(client, table, [streamId]);
    expect((await getItem(streamId, -1))?.version?.N).toBe('3');
  });
});
