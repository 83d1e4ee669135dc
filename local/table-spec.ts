import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

// The single source of the event table's shape for the local stack and the tests. The CDK
// stack declares the same table; names here must match docs/ARCHITECTURE.md ("Event table").

/** Name of the TTL attribute (epoch seconds) on idempotency records. */
export const EVENT_TABLE_TTL_ATTRIBUTE = 'expiresAt';

/** Name of the GSI listing head items by stream type (`listPk`, `listSk`). */
export const BY_TYPE_INDEX = 'byType';

/** Name of the GSI listing head items by organisation (`orgPk`, `listSk`). */
export const BY_ORG_INDEX = 'byOrg';

/** The event table's CreateTable input: pk S / sk N, on-demand, NEW_IMAGE stream, GSIs byType and byOrg. */
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
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
