import { describe, expect, it } from 'vitest';
import { defaultRelayPolicy, relayPolicy, relayPolicySchema } from '../events/policy.ts';

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

  it('keeps the defaults valid, which a policy without an override no longer re-checks', () => {
    expect(relayPolicySchema().safeParse(defaultRelayPolicy).success).toBe(true);
  });

  it('refuses an override that breaks the schema', () => {
    expect(() => relayPolicy({ override: JSON.stringify({ maxEscalations: 11 }) })).toThrow();
    expect(() =>
      relayPolicy({ override: JSON.stringify({ deadlineHours: { nisc: { low: 0 } } }) }),
    ).toThrow();
  });
});
