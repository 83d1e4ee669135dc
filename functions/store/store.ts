import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventsTable } from '../runtime/config.ts';
import { DynamoDbEventStore } from './dynamodb-event-store.ts';

/** One client per container; AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local when local. */
export const dynamo = new DynamoDBClient({});

/** The event store every handler uses. */
export const store = new DynamoDbEventStore(dynamo, eventsTable);
