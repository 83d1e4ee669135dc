import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Actor } from '../events/actor.ts';
import { GENESIS_HASH } from '../events/audit/hash.ts';
import { auditGroupOf } from '../events/audit/partitions.ts';
import { decide, type IncidentCommand } from '../events/incident/decide.ts';
import type {
  IncidentEvent,
  MaybeIncident,
  NotificationPurpose,
  Recorded,
} from '../events/incident/incident.ts';
import type { Report } from '../events/incident/report.ts';
import { relayPolicy } from '../events/policy.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { messagesFor } from '../functions/reactions/reactions.ts';
import { appendRequestOf } from '../functions/store/command-runner.ts';
import { eventItems } from '../functions/store/dynamodb-event-store.ts';
import { headPutInput, listPutInput } from '../functions/store/head-item.ts';
import { timeEntryItem } from '../functions/store/time-index.ts';
import { ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { ensureIndexes } from '../local/ensure-indexes.ts';
import { ensureOpenIndex } from '../local/open-index.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { LOCAL_TABLE, STREAM_CHECKPOINT_FILE } from '../local/stack.ts';
import { startStreamPoller } from '../local/streams.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { pool, progress, sleep } from './util.ts';

// Closed incidents written straight into a data folder, as the store would have written them: the local-start
// section's 100,000 and the annual-report section's year are made here.

const REGION = 'ap-northeast-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const SECRETARIAT: Actor = { kind: 'user', sub: 'u-sec-1', role: 'secretariat' };
const MINISTRY: Actor = { kind: 'user', sub: 'u-meti-1', role: 'ministry' };
const NISC: Actor = { kind: 'user', sub: 'u-nisc-1', role: 'nisc' };
const NOTIFIER: Actor = { kind: 'system', sub: 'system:notifier' };
const policy = relayPolicy();
const directory = seedDirectory();

/** One closed incident to write: its number (its id), when everything happened, who reported what. */
export interface ClosedIncident {
  readonly n: number;
  /** Every event's time (the relay walked in one moment). */
  readonly at: string;
  readonly org: string;
  readonly category: Report['category'];
  readonly severity: Report['severity'];
}

/** The local-start section's incidents: all by one member, one second apart from 2026-01-01. */
export const sameIncident = (n: number): ClosedIncident => ({
  n,
  at: new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 1000).toISOString(),
  org: 'asahi-petrochem',
  category: 'cyber_attack',
  severity: 'high',
});

/**
 * One closed incident as the store writes it: the relay walked through its four hops and closed by the pure
 * `decide`, every message its events called for recorded as delivered, then the items of one append of those
 * events (eventItems, the store's own builder), its head (headPutInput, with openPk absent: nothing open), its
 * list item (listPutInput) and the events' time entries (timeEntryItem, as the stream projection writes them).
 */
function closedIncident({ n, at: now, org, category, severity }: ClosedIncident): WriteRequest[] {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const MEMBER: Actor = { kind: 'user', sub: `u-bench-${org}`, role: 'member', org };
  const events: IncidentEvent[] = [];
  let state: MaybeIncident = null;
  const apply = (command: IncidentCommand, actor: Actor) => {
    for (const event of decide(command, state, { now, actor, policy })) {
      events.push(event);
      state = incidents.evolve(state, { ...event, version: events.length, recordedAt: now, actor });
    }
  };
  apply(
    {
      type: 'ReportIncident',
      data: {
        incidentId: id,
        report: {
          title: `Closed incident ${n}`,
          description: 'Ransomware on a file server; contained and restored from backups.',
          category,
          severity,
          occurredAt: now,
          detectedAt: now,
          affectedSystems: ['business_it'],
          tlp: 'AMBER',
          contact: { name: 'Duty officer', email: `duty@${org}.ceptoar.example` },
        },
      },
    },
    MEMBER,
  );
  apply({ type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT);
  apply({ type: 'AcknowledgeReceipt', data: {} }, MINISTRY);
  apply({ type: 'AcknowledgeReceipt', data: {} }, NISC);
  apply({ type: 'CloseIncident', data: {} }, SECRETARIAT);
  const planned = events.flatMap((event, i) =>
    messagesFor(
      { ...event, version: i + 1, recordedAt: now, actor: MEMBER } as Recorded<IncidentEvent>,
      state as never,
      {
        directory,
        publicUrl: 'http://localhost:3000',
      },
    ),
  );
  for (const m of planned) {
    apply(
      {
        type: 'RecordNotification',
        data: {
          key: m.key,
          purpose: m.purpose as NotificationPurpose,
          channel: m.channel,
          to: m.to,
          outcome: { ok: true, messageId: `bench-${m.key}` },
        },
      },
      NOTIFIER,
    );
  }
  const request = appendRequestOf(incidents, id, { version: 0, events, state }, MEMBER, now, undefined);
  const { items, lastHash } = eventItems(LOCAL_TABLE, request, GENESIS_HASH);
  const head = request.head;
  if (!head) throw new Error('a new stream has a head');
  const group = auditGroupOf('incident', request.streamId, head.state) ?? 'shared';
  const write = {
    streamId: request.streamId,
    streamType: request.streamType,
    version: events.length,
    hash: lastHash,
    updatedAt: now,
    ...head,
    group,
  };
  const headItem = headPutInput(LOCAL_TABLE, write, 0).Item;
  const listItem = listPutInput(LOCAL_TABLE, write)?.Item;
  if (head.awaiting?.length || head.projection.open)
    throw new Error(`incident ${n} is not closed: ${head.awaiting}`);
  return [
    ...items.map((i) => ({ PutRequest: { Item: i.Put?.Item ?? {} } })),
    { PutRequest: { Item: headItem ?? {} } },
    ...(listItem ? [{ PutRequest: { Item: listItem } }] : []),
    // The time entries the stream projection writes once the events are committed (time-index.ts).
    ...events.map((_, i) => ({
      PutRequest: {
        Item: timeEntryItem({ streamId: request.streamId, version: i + 1, recordedAt: now, group }),
      },
    })),
  ];
}

async function batchWrite(client: DynamoDBClient, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const { UnprocessedItems } = await client.send(
      new BatchWriteItemCommand({ RequestItems: { [LOCAL_TABLE]: pending } }),
    );
    pending = UnprocessedItems?.[LOCAL_TABLE] ?? [];
    if (pending.length > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
  }
}

/**
 * A data folder as the local stack leaves it after `count` closed incidents: the table with its indexes and
 * the open-index marker (as a folder this release created), the items written by BatchWriteItem, and the
 * stream read to its end by a poller that does nothing, so that its checkpoint lies past them (the stack's
 * poller would otherwise react to every one of them at start).
 */
export async function generateFolder(
  dataDir: string,
  count: number,
  incident: (n: number) => ClosedIncident = sameIncident,
): Promise<{ items: number; seconds: number }> {
  const t0 = performance.now();
  const log = { info: () => {}, warn: (m: string) => progress(`dynamodb: ${m}`) };
  const dynamo = await startDynamoLocal({ dbPath: join(dataDir, 'dynamodb'), log, startTimeoutMs: 180_000 });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials });
  try {
    await ensureTable(client, eventTableSpec(LOCAL_TABLE));
    await ensureIndexes(client, eventTableSpec(LOCAL_TABLE), log);
    await ensureOpenIndex(client, LOCAL_TABLE, log);
    const poller = await startStreamPoller({
      dynamoEndpoint: dynamo.endpoint,
      tableName: LOCAL_TABLE,
      checkpointFile: join(dataDir, STREAM_CHECKPOINT_FILE),
      handler: async () => ({ batchItemFailures: [] }),
      batchSize: 1000,
      name: 'bench-generator',
    });
    let written = 0;
    const perBlock = 1000;
    for (let from = 0; from < count; from += perBlock) {
      const requests = Array.from({ length: Math.min(perBlock, count - from) }, (_, i) =>
        closedIncident(incident(from + i)),
      ).flat();
      const chunks: WriteRequest[][] = [];
      for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
      await pool(chunks, 4, (chunk) => batchWrite(client, chunk));
      written += requests.length;
      if ((from + perBlock) % 2_000 === 0)
        progress(`${from + perBlock} closed incidents written (${written} items)`);
    }
    await poller.idle();
    await poller.stop();
    return { items: written, seconds: (performance.now() - t0) / 1000 };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}
