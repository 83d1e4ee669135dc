import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TIME_ENTRY_PREFIX } from '../../events/audit/hash.ts';
import {
  type AuditGroup,
  auditGroupOf,
  auditPartition,
  legacyPartitions,
} from '../../events/audit/partitions.ts';
import { advisoryOfRecipient } from '../aggregates/advisories.ts';
import { forEachLimit } from '../runtime/parallel.ts';
import { DynamoDbBatchHeadReader } from '../store/batch-heads.ts';
import { type Item, S } from '../store/dynamodb-event-reader.ts';
import { type TimeEntry, writeTimeEntries } from '../store/time-index.ts';
import { streamTypeOf } from './audit-aggregates.ts';
import { queryItems } from './audit-log.ts';
import { forgetPartitionLayout, GROUPED_MARKER } from './partition-layout.ts';

/** What the move reports as it goes. */
export interface MoveLog {
  info(message: string): void;
}

/** Heads resolved (read, their group decided) at a time. */
const HEADS_AT_ONCE = 1000;

/** UpdateItem calls in flight at once. */
const UPDATES_IN_FLIGHT = 16;

/**
 * Moves the audit index entries an earlier release wrote in the ungrouped partitions into their
 * groups' (events/audit/partitions.ts), then writes the marker that tells readers to stop querying the
 * ungrouped ones (partition-layout.ts). Each head item's `hPk` is set to its group's partition
 * (UpdateItem, conditional on the partition it was read in: a head the projection rewrote meanwhile is
 * left as it is). Each time entry is written again with its group's `tPk` (the same item otherwise: an
 * entry is a function of its event and its group), and an event item of an earlier release that carries
 * its own time keys gets a time entry of its own in its group's partition; the event item itself is not
 * touched (its old keys leave it in an ungrouped partition no reader queries any more). No event, hash or
 * checkpoint changes. Safe to run again, and while the system runs: readers query both layouts until the
 * marker is written. The local stack runs it at start (local/stack.ts); in AWS, `npm run audit-partitions`.
 */
export async function moveToGroups(
  client: DynamoDBClient,
  tableName: string,
  log: MoveLog,
): Promise<{ heads: number; entries: number }> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: GROUPED_MARKER, ConsistentRead: true }),
  );
  if (Item) return { heads: 0, entries: 0 };
  const groups = new StreamGroups(new DynamoDbBatchHeadReader(client, tableName));
  let heads = 0;
  for (const partition of legacyPartitions('h')) {
    let batch: { streamId: string; hPk: string }[] = [];
    const move = async () => {
      await groups.resolve(batch.map((b) => b.streamId));
      await forEachLimit(batch, UPDATES_IN_FLIGHT, async ({ streamId, hPk }) => {
        const group = groups.get(streamId);
        try {
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: S(streamId), sk: { N: '0' } },
              UpdateExpression: 'SET hPk = :new',
              ConditionExpression: 'hPk = :old',
              ExpressionAttributeValues: { ':new': S(auditPartition('h', group, streamId)), ':old': S(hPk) },
            }),
          );
          heads++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      });
      batch = [];
    };
    for await (const item of queryItems(client, {
      TableName: tableName,
      IndexName: 'byHead',
      KeyConditionExpression: 'hPk = :pk',
      ExpressionAttributeValues: { ':pk': S(partition) },
    })) {
      batch.push({ streamId: item.hSk?.S ?? '', hPk: partition });
      if (batch.length >= HEADS_AT_ONCE) await move();
    }
    if (batch.length) await move();
  }
  let entries = 0;
  for (const partition of legacyPartitions('t')) {
    let batch: TimedItem[] = [];
    const move = async () => {
      await groups.resolve(batch.map((b) => b.streamId));
      const moved: TimeEntry[] = batch.map((b) => ({ ...b, group: groups.get(b.streamId) }));
      await writeTimeEntries(client, tableName, moved);
      entries += moved.length;
      batch = [];
    };
    for await (const item of queryItems(client, {
      TableName: tableName,
      IndexName: 'byTime',
      KeyConditionExpression: 'tPk = :pk',
      ExpressionAttributeValues: { ':pk': S(partition) },
    })) {
      const timed = timedItemOf(item);
      if (timed) batch.push(timed);
      if (batch.length >= HEADS_AT_ONCE) await move();
    }
    if (batch.length) await move();
  }
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...GROUPED_MARKER, kind: S('meta'), at: S(new Date().toISOString()) },
    }),
  );
  forgetPartitionLayout();
  if (heads + entries > 0)
    log.info(
      `moved ${heads} heads and ${entries} time entries of an earlier release into their sectors' partitions`,
    );
  return { heads, entries };
}

/** An entry of an ungrouped byTime partition: the event it lists. */
type TimedItem = Omit<TimeEntry, 'group'>;

/** The event a byTime item lists (a time entry, or an event item of an earlier release), or null. */
function timedItemOf(item: Item): TimedItem | null {
  const pk = item.pk?.S ?? '';
  const streamId = item.kind?.S === 'time' ? pk.slice(TIME_ENTRY_PREFIX.length) : pk;
  const version = Number(item.sk?.N);
  // The sort key starts with the instant the event was recorded (an ISO string holds no `#`).
  const recordedAt = (item.tSk?.S ?? '').split('#', 1)[0] ?? '';
  return streamId && Number.isInteger(version) && recordedAt ? { streamId, version, recordedAt } : null;
}

/**
 * The audit group of each stream met, decided once from its head as the projection decides it
 * (head-projection.ts): its state's, or an advisory recipient's from its advisory's head when its own
 * events carry no sector; `shared` for a stream with no head.
 */
class StreamGroups {
  private readonly groups = new Map<string, AuditGroup>();

  constructor(private readonly reader: DynamoDbBatchHeadReader) {}

  get(streamId: string): AuditGroup {
    return this.groups.get(streamId) ?? 'shared';
  }

  async resolve(streamIds: readonly string[]): Promise<void> {
    const missing = [...new Set(streamIds)].filter((id) => !this.groups.has(id));
    if (missing.length === 0) return;
    const heads = await this.reader.loadHeads<unknown>(missing);
    const orphans: string[] = [];
    for (const id of missing) {
      const head = heads.get(id);
      const group = head ? auditGroupOf(streamTypeOf(id), id, head.state) : 'shared';
      if (group === null) orphans.push(id);
      else this.groups.set(id, group);
    }
    // An advisory recipient whose events carry no sector: its advisory's group (`shared` without a head).
    const parentOf = (id: string) => advisoryOfRecipient(id) ?? '';
    await this.resolve(orphans.map(parentOf).filter((p) => p !== ''));
    for (const id of orphans) this.groups.set(id, this.get(parentOf(id)));
  }
}
