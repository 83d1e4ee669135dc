import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';

/** The event table's name, validated once at cold start. */
export const eventsTable = getStringFromEnv({
  key: 'EVENTS_TABLE',
  errorMessage: 'EVENTS_TABLE must name the event table',
});
