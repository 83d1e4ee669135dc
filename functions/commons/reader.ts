import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventsTable } from './config.ts';
import { DynamoDbEventReader } from './dynamodb-event-reader.ts';

/** The read-only store for query handlers and reactions: their code cannot append. */
export const reader = new DynamoDbEventReader(new DynamoDBClient({}), eventsTable);
