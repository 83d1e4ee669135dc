import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { relayPolicy } from '../../events/policy.ts';
import { reportingPreset as readReportingPreset } from '../../events/reporting.ts';

/** Divides every policy duration; only the local stack sets it. */
export const timeScale = getNumberFromEnv({ key: 'CEPTOAR_TIME_SCALE', defaultValue: 1 });

/**
 * The relay policy: defaults, overridden by CEPTOAR_RELAY_POLICY, scaled by CEPTOAR_TIME_SCALE.
 * Its own module, so functions that only read the log do not carry the policy's parser.
 */
export const policy = relayPolicy({
  override: getStringFromEnv({ key: 'CEPTOAR_RELAY_POLICY', defaultValue: '' }) || undefined,
  timeScale,
});

/**
 * The reporting stages new incidents run under: CEPTOAR_REPORTING_PRESET names a built-in preset
 * (japan-ceptoar, the default; nis2; circia) or holds a custom one as JSON (events/reporting.ts).
 */
export const reportingPreset = readReportingPreset(
  getStringFromEnv({ key: 'CEPTOAR_REPORTING_PRESET', defaultValue: '' }),
);
