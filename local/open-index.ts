import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { headProjectors } from '../functions/audit/audit-aggregates.ts';
import { DynamoDbEventReader, N, S } from '../functions/store/dynamodb-event-reader.ts';
import { allHeads } from '../functions/store/event-store.ts';
import { projectHead } from '../functions/store/head-projection.ts';
import type { LocalLog } from './dynamodb.ts';

/**
 * The item that says every head of this table was written knowing the byOpen index (no event, no head).
 * Its sort key is the index's generation: 1 since an incident with reporting-stage alarms to come is open
 * work too, so a data folder marked at 0 has its heads projected again once.
 */
const MARKER = { pk: S('meta#open-work'), sk: N(1) };

/** The stream types whose open work the local recovery resumes (local/recover.ts, local/recover-advisories.ts). */
const RECOVERED_TYPES = ['incident', 'advisory'] as const;

/**
 * Makes sure every open stream is listed in the sparse byOpen index. Heads written by this release
 * carry `openPk` (and `awaiting`) from their first write on; a data folder of an earlier release has
 * none (and one of the release before stage alarms lists no incident whose only open work is a stage
 * alarm), so on its first start every incident and advisory head is projected again from its first
 * event (one Query of its events and one conditional PutItem each, as often as there are such
 * streams, once), then a marker item records that this was done. A new table gets the marker at once.
 * Returns how many heads were rewritten.
 */
export async function ensureOpenIndex(
  client: DynamoDBClient,
  tableName: string,
  log: LocalLog,
): Promise<number> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: MARKER, ConsistentRead: true }),
  );
  if (Item) return 0;
  const reader = new DynamoDbEventReader(client, tableName);
  let rewritten = 0;
  for (const streamType of RECOVERED_TYPES) {
    const projector = headProjectors[streamType];
    if (!projector) throw new Error(`no head projector for ${streamType}`);
    for await (const head of allHeads(reader, { index: 'byType', key: streamType })) {
      await projectHead(client, tableName, reader, projector, head.streamId, head.version, { rebuild: true });
      rewritten++;
    }
  }
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...MARKER, kind: S('meta'), at: S(new Date().toISOString()) },
    }),
  );
  if (rewritten > 0) log.info(`listed the open work of ${rewritten} streams written by an earlier release`);
  return rewritten;
}
