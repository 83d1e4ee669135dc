import { describe, expect, it } from 'vitest';
import { relayPolicy } from '../events/policy.ts';

const HOUR = 3_600_000;

describe('the relay policy override', () => {
  it('changes only the hop and severity it names', () => {
    const policy = relayPolicy({
      override: JSON.stringify({ deadlineHours: { secretariat: { low: 0.5 } } }),
    });
    expect(policy.deadlineMs('secretariat', 'low')).toBe(0.5 * HOUR);
    expect(policy.deadlineMs('secretariat', 'high')).toBe(4 * HOUR);
    for (const hop of ['member', 'ministry', 'nisc', 'ministry_forward', 'secretariat_forward'] as const)
      expect(policy.deadlineMs(hop, 'low'), hop).toBe(72 * HOUR);
    // And leaves the defaults alone for the next policy built.
    expect(relayPolicy().deadlineMs('secretariat', 'low')).toBe(72 * HOUR);
  });
});
