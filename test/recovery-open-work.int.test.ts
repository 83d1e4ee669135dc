import { randomUUID } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import type { IncidentCommand } from '../events/incident/decide.ts';
import type { IncidentEvent, NotificationPurpose, Recorded } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import type { Notifier, OutboundNotification } from '../functions/notify/notifier.ts';
import { messagesFor } from '../functions/reactions/reactions.ts';
import { loadAggregate, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import { allOpen, type EventReader } from '../functions/store/event-store.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';
import { ensureOpenIndex } from '../local/open-index.ts';
import { RECOVERY_IN_FLIGHT, recoverFromEventLog } from '../local/recover.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { freshTable, projectHeads, testDynamoClient } from './support/dynamo.ts';
import { ASAHI_MEMBER, MINISTRY, NISC, POLICY, RANSOMWARE_REPORT, SECRETARIAT } from './support/fixtures.ts';

// Recovery at start reads only open work: the sparse byOpen index lists the heads of streams with a
// relay in flight or a notice not yet recorded as delivered or failed, and a closed incident is not read.
const NOTIFIER: Actor = { kind: 'system', sub: 'system:notifier' };
const deps = { directory: seedDirectory(), publicUrl: 'http://relay.test' };
const client = testDynamoClient();
let table: string;
let store: DynamoDbEventStore;

beforeAll(async () => {
  table = await freshTable('recover-open');
  store = new DynamoDbEventStore(client, table);
});

const run = (id: string, command: IncidentCommand, actor: Actor) =>
  runCommand(store, incidents, id, command, { now: new Date().toISOString(), actor, policy: POLICY });

async function report(): Promise<string> {
  const id = randomUUID();
  await run(
    id,
    { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
    ASAHI_MEMBER,
  );
  return id;
}

/** Records every message the stream's events call for as delivered, as deliver-notification would. */
async function deliverAll(id: string) {
  const { state } = await loadAggregate(store, incidents, id);
  if (state === null) throw new Error('no incident');
  const messages: OutboundNotification[] = [];
  for await (const stored of store.readEvents(incidents.streamId(id)))
    messages.push(...messagesFor(incidents.upcast(stored) as Recorded<IncidentEvent>, state, deps));
  for (const m of messages) {
    await run(
      id,
      {
        type: 'RecordNotification',
        data: {
          key: m.key,
          purpose: m.purpose as NotificationPurpose,
          channel: m.channel,
          to: m.to,
          outcome: { ok: true, messageId: `m-${m.key}` },
        },
      },
      NOTIFIER,
    );
  }
  return messages.length;
}

/** A relay walked to its end and closed, every message delivered: no open work left. */
async function closedIncident(): Promise<string> {
  const id = await report();
  await run(id, { type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT);
  await run(id, { type: 'AcknowledgeReceipt', data: {} }, MINISTRY);
  await run(id, { type: 'AcknowledgeReceipt', data: {} }, NISC);
  await run(id, { type: 'CloseIncident', data: {} }, SECRETARIAT);
  expect(await deliverAll(id)).toBeGreaterThan(0);
  await projectHeads(client, table, [incidents.streamId(id)]);
  return id;
}

/** The store, counting the streams whose head or events anything read. */
function countingReader(reader: EventReader) {
  const read = new Set<string>();
  const counted = new Proxy(reader, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (['loadHead', 'lastVersion', 'readEvents', 'readEventsPage'].includes(String(name)))
          read.add(String(args[0]));
        return value.apply(target, args);
      };
    },
  });
  return { read, reader: counted };
}

function recorder() {
  const published: OutboundNotification[] = [];
  const started: string[] = [];
  const notifier: Notifier = { publish: async (m) => void published.push(...m) };
  const workflow = { start: async (name: string) => void started.push(name) } as unknown as RelayWorkflow;
  return { published, started, notifier, workflow };
}

describe('the open-work index', () => {
  it('lists a relay in flight, and a closed incident no longer once its messages are recorded', async () => {
    const id = await report();
    const listed = async () => {
      const ids: string[] = [];
      for await (const streamId of allOpen(store, 'incident')) ids.push(streamId);
      return ids;
    };
    // Listed from its birth: the first head is written with the first event.
    expect(await listed()).toContain(incidents.streamId(id));
    await run(id, { type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT);
    await run(id, { type: 'AcknowledgeReceipt', data: {} }, MINISTRY);
    await run(id, { type: 'AcknowledgeReceipt', data: {} }, NISC);
    await run(id, { type: 'CloseIncident', data: {} }, SECRETARIAT);
    await projectHeads(client, table, [incidents.streamId(id)]);
    // Closed, but its notices were never recorded as delivered: still open work.
    expect(await listed()).toContain(incidents.streamId(id));
    await deliverAll(id);
    await projectHeads(client, table, [incidents.streamId(id)]);
    expect(await listed()).not.toContain(incidents.streamId(id));
  });

  it('recovery reads the open incidents and never a closed one', async () => {
    const closed = [await closedIncident(), await closedIncident()];
    const open = await report();
    const counting = countingReader(store);
    const r = recorder();
    const recovered = await recoverFromEventLog({
      store: counting.reader,
      workflow: r.workflow,
      notifier: r.notifier,
      deps,
    });
    for (const id of closed) expect(counting.read).not.toContain(incidents.streamId(id));
    expect(counting.read).toContain(incidents.streamId(open));
    expect(r.started.some((name) => name.startsWith(`${open}-resume-`))).toBe(true);
    expect(r.started.some((name) => closed.some((id) => name.startsWith(id)))).toBe(false);
    // The open incident's review request was never recorded as delivered: it is sent again.
    expect(r.published.map((m) => m.streamId)).toContain(incidents.streamId(open));
    expect(recovered.republished).toBe(r.published.length);
  });

  it('recovers many open incidents side by side, each once, at most RECOVERY_IN_FLIGHT at a time', async () => {
    const ids = await Promise.all(Array.from({ length: 3 * RECOVERY_IN_FLIGHT }, () => report()));
    let running = 0;
    let most = 0;
    const started: string[] = [];
    // A start that takes a while, as the local endpoint's does under load: the overlap shows.
    const workflow = {
      start: async (name: string) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        started.push(name);
      },
    } as unknown as RelayWorkflow;
    const published: OutboundNotification[] = [];
    await recoverFromEventLog({
      store,
      workflow,
      notifier: { publish: async (m) => void published.push(...m) },
      deps,
    });
    for (const id of ids) expect(started.filter((name) => name.startsWith(`${id}-resume-`))).toHaveLength(1);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(RECOVERY_IN_FLIGHT);
    // Each one's review request, never recorded as delivered, is published again, and nothing twice.
    const requests = ids.map(
      (id) =>
        published.filter((m) => m.streamId === incidents.streamId(id) && m.purpose === 'review_requested')
          .length,
    );
    expect(requests[0]).toBeGreaterThan(0);
    expect(new Set(requests).size).toBe(1);
    expect(new Set(published.map((m) => `${m.streamId} ${m.key}`)).size).toBe(published.length);
  });

  it('resumes the reporting stages’ alarm workflow of a relayed incident with alarms to come, not its relay', async () => {
    // Detected now: its 続報 and 最終報 reminders all lie ahead.
    const detectedAt = new Date().toISOString();
    const id = randomUUID();
    await run(
      id,
      {
        type: 'ReportIncident',
        data: { incidentId: id, report: { ...RANSOMWARE_REPORT, occurredAt: detectedAt, detectedAt } },
      },
      ASAHI_MEMBER,
    );
    await run(id, { type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT);
    await run(id, { type: 'AcknowledgeReceipt', data: {} }, MINISTRY);
    await run(id, { type: 'AcknowledgeReceipt', data: {} }, NISC);
    await deliverAll(id);
    await projectHeads(client, table, [incidents.streamId(id)]);
    const listed: string[] = [];
    for await (const streamId of allOpen(store, 'incident')) listed.push(streamId);
    expect(listed).toContain(incidents.streamId(id));
    const relays = recorder();
    const stages = recorder();
    await recoverFromEventLog({
      store,
      workflow: relays.workflow,
      stageWorkflow: stages.workflow,
      notifier: relays.notifier,
      deps,
    });
    expect(relays.started.some((name) => name.startsWith(id))).toBe(false);
    expect(stages.started.filter((name) => name.startsWith(`${id}-resume-`))).toHaveLength(1);
    // A closed incident has no stage alarm left: nothing is resumed for it.
    const closed = await closedIncident();
    const again = recorder();
    await recoverFromEventLog({
      store,
      workflow: again.workflow,
      stageWorkflow: again.workflow,
      notifier: again.notifier,
      deps,
    });
    expect(again.started.some((name) => name.startsWith(closed))).toBe(false);
  });

  it('a head committed but not yet projected is still read whole by recovery', async () => {
    const id = await report();
    // Approved, and the head not projected (as if the process died before the stream poller ran).
    await run(id, { type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT);
    const r = recorder();
    await recoverFromEventLog({ store, workflow: r.workflow, notifier: r.notifier, deps });
    // The ministry's relay message comes from version 2, which only the log (not the head) has.
    expect(
      r.published.some((m) => m.streamId === incidents.streamId(id) && m.key.startsWith('2:relay:')),
    ).toBe(true);
  });

  it('an older data folder gains the index: its open streams are listed once, at first start', async () => {
    const oldTable = await freshTable('recover-old');
    const oldStore = new DynamoDbEventStore(client, oldTable);
    const id = randomUUID();
    await runCommand(
      oldStore,
      incidents,
      id,
      { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
      { now: new Date().toISOString(), actor: ASAHI_MEMBER, policy: POLICY },
    );
    // A head as an earlier release wrote it: no openPk, no awaiting.
    await client.send(
      new UpdateItemCommand({
        TableName: oldTable,
        Key: { pk: { S: incidents.streamId(id) }, sk: { N: '0' } },
        UpdateExpression: 'REMOVE openPk, awaiting',
      }),
    );
    const listed = async () => {
      const ids: string[] = [];
      for await (const streamId of allOpen(oldStore, 'incident')) ids.push(streamId);
      return ids;
    };
    expect(await listed()).toEqual([]);
    const log = { info: () => {}, warn: () => {} };
    expect(await ensureOpenIndex(client, oldTable, log)).toBe(1);
    expect(await listed()).toEqual([incidents.streamId(id)]);
    expect((await oldStore.loadHead(incidents.streamId(id)))?.awaiting).toEqual(['1:review_requested']);
    // Done once: the next start reads no head.
    expect(await ensureOpenIndex(client, oldTable, log)).toBe(0);
  });
});
