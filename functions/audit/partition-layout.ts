import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type AuditGroup,
  auditGroups,
  groupPartitions,
  legacyPartitions,
} from '../../events/audit/partitions.ts';
import { N, S } from '../store/dynamodb-event-reader.ts';

/**
 * The item that says a table's audit index entries are all in their groups' partitions
 * (events/audit/partitions.ts): written by the move of the entries an earlier release wrote
 * (functions/audit/audit-partitions.ts), or at once on a new table. No event, no head.
 */
export const GROUPED_MARKER = { pk: S('meta#audit-partitions'), sk: N(1) };

/** How long a table found not moved yet is taken as such before it is asked again. */
const RECHECK_MS = 60_000;

const moved = new Map<string, { at: number; answer: Promise<boolean> }>();

/**
 * Whether the entries an earlier release wrote in the ungrouped partitions (`h#<n>`, `t#<n>`) have been
 * moved: one consistent GetItem of the marker per table and container, remembered once it says yes.
 */
export function partitionsGrouped(client: DynamoDBClient, table: string): Promise<boolean> {
  const known = moved.get(table);
  if (known && Date.now() - known.at < RECHECK_MS) return known.answer;
  const answer = client
    .send(new GetItemCommand({ TableName: table, Key: GROUPED_MARKER, ConsistentRead: true }))
    .then(
      (out) => out.Item !== undefined,
      (error: unknown) => {
        moved.delete(table);
        throw error;
      },
    );
  moved.set(table, { at: Date.now(), answer });
  // Once moved, always moved: never asked again.
  void answer.then(
    (yes) => yes && moved.set(table, { at: Number.POSITIVE_INFINITY, answer }),
    () => {},
  );
  return answer;
}

/** Forgets what {@link partitionsGrouped} learnt (a test that moves a table's entries, or starts again). */
export const forgetPartitionLayout = (): void => moved.clear();

/**
 * The partitions of one audit index a reader of `groups` queries: theirs, and while the table's older
 * entries are not moved yet, the ungrouped ones too (a reader then filters as before; an entry met in
 * both, moved while read, is taken once: see audit-log.ts).
 */
export async function partitionsToRead(
  client: DynamoDBClient,
  table: string,
  index: 'h' | 't',
  groups: readonly AuditGroup[] = auditGroups,
): Promise<string[]> {
  const grouped = groupPartitions(index, groups);
  return (await partitionsGrouped(client, table)) ? grouped : [...grouped, ...legacyPartitions(index)];
}
