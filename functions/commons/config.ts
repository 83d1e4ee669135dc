import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { relayPolicy } from '../../events/policy.ts';

/** The event table's name, validated once at cold start. */
export const eventsTable = getStringFromEnv({
  key: 'EVENTS_TABLE',
  errorMessage: 'EVENTS_TABLE must name the event table',
});

/** Divides every policy duration; only the local stack sets it. */
export const timeScale = getNumberFromEnv({ key: 'CEPTOAR_TIME_SCALE', defaultValue: 1 });

/** The relay policy: defaults, overridden by CEPTOAR_RELAY_POLICY, scaled by CEPTOAR_TIME_SCALE. */
export const policy = relayPolicy({
  override: getStringFromEnv({ key: 'CEPTOAR_RELAY_POLICY', defaultValue: '' }) || undefined,
  timeScale,
});
