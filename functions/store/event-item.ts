import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * The `kind` of an event item (docs/ARCHITECTURE.md, "Event table"). Heads, time entries and
 * idempotency records share the table and its stream; only event items carry this kind. The event
 * source mappings filter on it (infra/stack.ts), and so does the local stream poller (local/stack.ts).
 */
export const EVENT_KIND = 'event';

/** The new image of a stream record that writes an event item, or null (a removal, any other item). */
export function eventImageOf(record: DynamoDBRecord): Record<string, AttributeValue> | null {
  const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
  if (record.eventName === 'REMOVE' || image?.kind?.S !== EVENT_KIND) return null;
  return image;
}
