import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

// The single source of the event table's shape for the local stack and the tests. The CDK
// stack declares the same table; names here must match docs/ARCHITECTURE.md ("Event table").

/** Name of the TTL attribute (epoch seconds) on idempotency records. */
export const EVENT_TABLE_TTL_ATTRIBUTE = 'expiresAt';

/** Name of the GSI listing head items by stream type (`listPk`, `listSk`). */
export const BY_TYPE_INDEX = 'byType';

/** Name of the GSI listing head items by organisation (`orgPk`, `listSk`). */
export const BY_ORG_INDEX = 'byOrg';

/**
 * Name of the GSI of events in recorded order, sharded by stream (`tPk`, `tSk`): the time entries the
 * stream projection writes (functions/store/time-index.ts), and the event items of earlier releases,
 * which carried the keys themselves.
 */
export const BY_TIME_INDEX = 'byTime';

/** Name of the sparse GSI listing every stream's head, sharded (`hPk`, `hSk`): what checkpoints read. */
export const BY_HEAD_INDEX = 'byHead';

/**
 * Name of the sparse GSI of the heads of streams with open work (`openPk` = stream type, `listSk`),
 * keys only: a relay or advisory in flight, or a notice not yet recorded as delivered or failed.
 * The local stack's recovery reads this and nothing else at start.
 */
export const BY_OPEN_INDEX = 'byOpen';

/** Attributes the byHead index carries besides its keys: enough for a checkpoint leaf. */
export const BY_HEAD_PROJECTED = ['version', 'hash', 'streamType', 'updatedAt'];

/** The event table's CreateTable input: pk S / sk N, on-demand, NEW_IMAGE stream, GSIs byType, byOrg, byTime, byHead and byOpen. */
export function eventTableSpec(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'listPk', AttributeType: 'S' },
      { AttributeName: 'listSk', AttributeType: 'S' },
      { AttributeName: 'orgPk', AttributeType: 'S' },
      { AttributeName: 'tPk', AttributeType: 'S' },
      { AttributeName: 'tSk', AttributeType: 'S' },
      { AttributeName: 'hPk', AttributeType: 'S' },
      { AttributeName: 'hSk', AttributeType: 'S' },
      { AttributeName: 'openPk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: BY_TYPE_INDEX,
        KeySchema: [
          { AttributeName: 'listPk', KeyType: 'HASH' },
          { AttributeName: 'listSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: BY_ORG_INDEX,
        KeySchema: [
          { AttributeName: 'orgPk', KeyType: 'HASH' },
          { AttributeName: 'listSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: BY_TIME_INDEX,
        KeySchema: [
          { AttributeName: 'tPk', KeyType: 'HASH' },
          { AttributeName: 'tSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: BY_HEAD_INDEX,
        KeySchema: [
          { AttributeName: 'hPk', KeyType: 'HASH' },
          { AttributeName: 'hSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: BY_HEAD_PROJECTED },
      },
      {
        IndexName: BY_OPEN_INDEX,
        KeySchema: [
          { AttributeName: 'openPk', KeyType: 'HASH' },
          { AttributeName: 'listSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
