import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventsTable } from '../runtime/config.ts';
import { DynamoDbEventReader } from './dynamodb-event-reader.ts';

/** The one DynamoDB client of a function; readers that need more calls build on it. */
export const dynamoClient = new DynamoDBClient({});

/** The read-only store for query handlers and reactions: their code cannot append. */
export const reader = new DynamoDbEventReader(dynamoClient, eventsTable);
