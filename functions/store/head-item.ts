import { gzipSync } from 'node:zlib';
import type { PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { type AuditGroup, auditPartition } from '../../events/audit/partitions.ts';
import { type Item, N, S } from './dynamodb-event-reader.ts';
import type { HeadProjection } from './event-store.ts';

/** JSON attributes above this size are stored gzipped, to stay well inside DynamoDB's 400 KB item limit. */
export const COMPRESS_ABOVE = 64 * 1024;
/**
 * Heads are gzipped from this size on: a head is written with every projection and copied whole
 * into the byType and byOrg indexes, so each KB of it costs three write units (bench/RESULTS.md §1:
 * at 4 KB, a 10-event incident's 3.6 KB head cost 18 write units a projection; at 1 KB, 9).
 */
const HEAD_COMPRESS_ABOVE = 1024;

/** A JSON attribute, gzipped (`<name>Z`, binary) when larger than `above`. */
export const jsonItemAttribute = (name: string, json: string, above = COMPRESS_ABOVE): Item =>
  json.length > above ? { [`${name}Z`]: { B: gzipSync(json) } } : { [name]: S(json) };

/** A stream's head as written: the whole state at a version, with the keys that list it. */
export interface HeadWrite {
  readonly streamId: string;
  readonly streamType: string;
  readonly version: number;
  /** The hash of the event at `version`. */
  readonly hash: string;
  /** When the event at `version` was recorded. */
  readonly updatedAt: string;
  readonly state: unknown;
  readonly stateSchema: number;
  readonly projection: HeadProjection;
  /** Notices planned and not yet recorded as delivered or failed (HeadProjector.awaiting). */
  readonly awaiting?: readonly string[];
  /** The stream's audit group: which byHead partitions list it (events/audit/partitions.ts). */
  readonly group: AuditGroup;
}

/**
 * The PutItem of a head item (docs/ARCHITECTURE.md, "Event table"), conditional on the head
 * it replaces: none when `previousVersion` is 0, else the head at that version. A head never
 * moves back, and two writers of one head cannot both win.
 */
export function headPutInput(
  tableName: string,
  head: HeadWrite,
  previousVersion: number,
): PutItemCommandInput {
  const { projection } = head;
  const item: Item = {
    pk: S(head.streamId),
    sk: N(0),
    kind: S('head'),
    streamType: S(head.streamType),
    version: N(head.version),
    stateSchema: N(head.stateSchema),
    updatedAt: S(head.updatedAt),
    hash: S(head.hash),
    hPk: S(auditPartition('h', head.group, head.streamId)),
    hSk: S(head.streamId),
    listPk: S(projection.listPk),
    listSk: S(projection.listSk),
    ...jsonItemAttribute('state', JSON.stringify(head.state), HEAD_COMPRESS_ABOVE),
    ...(projection.orgPk ? { orgPk: S(projection.orgPk) } : {}),
    ...(projection.visibleTo?.length ? { visibleTo: { SS: [...projection.visibleTo] } } : {}),
    ...(head.awaiting?.length ? { awaiting: { SS: [...new Set(head.awaiting)] } } : {}),
    // Sparse: present only while the stream has open work, so recovery reads nothing else.
    ...(projection.open || head.awaiting?.length ? { openPk: S(head.streamType) } : {}),
  };
  return previousVersion === 0
    ? { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        TableName: tableName,
        Item: item,
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': N(previousVersion) },
      };
}
