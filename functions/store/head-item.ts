import { gzipSync } from 'node:zlib';
import type { PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { type AuditGroup, auditPartition } from '../../events/audit/partitions.ts';
import { type Item, LIST_ITEM_SK, N, S } from './dynamodb-event-reader.ts';
import type { HeadProjection } from './event-store.ts';

/** JSON attributes above this size are stored gzipped, to stay well inside DynamoDB's 400 KB item limit. */
export const COMPRESS_ABOVE = 64 * 1024;
/**
 * Heads are gzipped from this size on: a head is written with every projection and copied whole
 * into the byType and byOrg indexes, so each KB of it costs three write units (bench/RESULTS.md §1:
 * at 4 KB, a 10-event incident's 3.6 KB head cost 18 write units a projection; at 1 KB, 9).
 */
const HEAD_COMPRESS_ABOVE = 1024;
/** List items are gzipped from this size on (below it gzip saves nothing). */
const LIST_COMPRESS_ABOVE = 256;

/** A JSON attribute, gzipped (`<name>Z`, binary) when larger than `above`. */
export const jsonItemAttribute = (name: string, json: string, above = COMPRESS_ABOVE): Item =>
  json.length > above ? { [`${name}Z`]: { B: gzipSync(json) } } : { [name]: S(json) };

/**
 * A head's state as item attributes: whole, or (the projection's) fitted to the item by headStateAttribute,
 * which then adds `abridged`.
 */
export type HeadStateWriter = (state: unknown) => Item;

/**
 * The most a head's state may take in its item, in stored bytes (gzipped or not): the head and its copies
 * in the byType, byOrg and byHead indexes must each stay under DynamoDB's 400 KB item limit, which a stream
 * with much text reaches (a dozen follow-ups with three fields of 20,000 characters of little-repeating text:
 * test/head-size.int.test.ts). DynamoDB refuses a larger item, and the projection of that stream then failed on
 * every event.
 */
export const HEAD_STATE_BUDGET = 300 * 1024;
/** The lengths long strings are cut to, in turn, until an abridged state fits: identifiers, titles and addresses are shorter. */
const ABRIDGE_AT = [4000, 1000, 200] as const;

const storedBytes = (attribute: Item): number =>
  attribute.stateZ?.B?.length ?? Buffer.byteLength(attribute.state?.S ?? '', 'utf8');

/**
 * A head's state attribute: the whole state when it fits {@link HEAD_STATE_BUDGET}; else the state with every
 * string longer than 4,000 characters (then 1,000, then 200) cut there and ended with "…", and `abridged` (BOOL). An
 * abridged head still lists its stream (titles, states, organisations, dates are whole); whoever needs the whole
 * state folds the stream's events instead (loadAggregate, projectHead), never this one. Throws when even the
 * shortest cut does not fit (a state that is large by its structure, not its text).
 */
export const headStateAttribute: HeadStateWriter = (state) => {
  const whole = JSON.stringify(state);
  // Whole first (no cut), then ever shorter cuts.
  for (const cut of [0, ...ABRIDGE_AT]) {
    const json = cut
      ? JSON.stringify(state, (_key, value: unknown) =>
          typeof value === 'string' && value.length > cut ? `${value.slice(0, cut)}…` : value,
        )
      : whole;
    const attribute = jsonItemAttribute('state', json, HEAD_COMPRESS_ABOVE);
    // `abridged`: the state as stored is not the whole state, and readers fold the events instead.
    if (storedBytes(attribute) <= HEAD_STATE_BUDGET)
      return cut ? { ...attribute, abridged: { BOOL: true } } : attribute;
  }
  throw new Error(`a head state of ${whole.length} characters does not fit its item, even abridged`);
};

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
 * The state whole: what the store writes with a new stream's first events, whose state holds no more than
 * those events, which fit their own items uncompressed (so the command functions do not carry the abridging).
 */
export const wholeHeadState: HeadStateWriter = (state) =>
  jsonItemAttribute('state', JSON.stringify(state), HEAD_COMPRESS_ABOVE);

/** Whether a stream is listed by a list item of its own ({@link listPutInput}) rather than by its head. */
const listedByItem = (projection: HeadProjection): boolean => projection.listing !== undefined;

/** The keys that place an item in the byType and byOrg indexes (and byType's `visibleTo` filter). */
function listKeys(projection: HeadProjection): Item {
  return {
    listPk: S(projection.listPk),
    ...(projection.orgPk ? { orgPk: S(projection.orgPk) } : {}),
    ...(projection.visibleTo?.length ? { visibleTo: { SS: [...projection.visibleTo] } } : {}),
  };
}

/**
 * The PutItem of a head item (docs/ARCHITECTURE.md, "Event table"), conditional on the head
 * it replaces: none when `previousVersion` is 0, else the head at that version. A head never
 * moves back, and two writers of one head cannot both win. The stream projection stores the state
 * with {@link headStateAttribute} (abridged when it would not fit). A stream whose projection gives a
 * `listing` is listed by its list item ({@link listPutInput}) instead: its head then carries none of the
 * byType and byOrg keys, so those indexes copy the small listing and never the whole state.
 */
export function headPutInput(
  tableName: string,
  head: HeadWrite,
  previousVersion: number,
  stateWriter: HeadStateWriter = wholeHeadState,
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
    // byOpen's sort key, whether or not the head is listed itself.
    listSk: S(projection.listSk),
    ...stateWriter(head.state),
    ...(listedByItem(projection) ? {} : listKeys(projection)),
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

/** The items a new stream's head takes in its first transaction: none, the head, or the head and its list item. */
export const headItemCount = (head: { readonly projection: HeadProjection } | undefined): number =>
  head === undefined ? 0 : listedByItem(head.projection) ? 2 : 1;

/**
 * The PutItem of a stream's list item, or null when its projection gives no `listing` (its head is listed
 * itself): `kind`=`list`, the listing as `stateZ` (gzipped JSON; `state` when under 256 characters), the head's
 * version, schema and time, and the byType and byOrg keys. Written before the head and conditional on not
 * moving back (`version <= ` the new one: the same version again is the same listing), so a projection that
 * fails between the two writes is done again whole, and one that lost the head's race changes nothing.
 */
export function listPutInput(tableName: string, head: HeadWrite): PutItemCommandInput | null {
  const { projection } = head;
  if (!listedByItem(projection)) return null;
  return {
    TableName: tableName,
    Item: {
      pk: S(head.streamId),
      sk: N(LIST_ITEM_SK),
      kind: S('list'),
      streamType: S(head.streamType),
      version: N(head.version),
      stateSchema: N(head.stateSchema),
      updatedAt: S(head.updatedAt),
      listSk: S(projection.listSk),
      // Gzipped: an incident's listing takes about 800 bytes of JSON and 400 gzipped, so its item and each index
      // copy stay under one write unit (1 KB) with a long title or many stage submissions.
      ...jsonItemAttribute('state', JSON.stringify(projection.listing), LIST_COMPRESS_ABOVE),
      ...listKeys(projection),
    },
    ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
    ExpressionAttributeValues: { ':version': N(head.version) },
  };
}
