import { describe, expect, it } from 'vitest';
import { relayPolicy, withOwnPolicy } from '../events/policy.ts';
import { reportingPresets } from '../events/reporting.ts';
import { presetForSector } from '../events/sector/sector.ts';

const HOUR = 3_600_000;

describe("a sector's own relay policy", () => {
  const base = relayPolicy({ timeScale: 60 });
  const own = {
    deadlineHours: {
      secretariat: { critical: 2, high: 3, medium: 6, low: 12 },
      member: { critical: 1, high: 1, medium: 1, low: 1 },
      ministry: { critical: 1, high: 1, medium: 1, low: 1 },
      nisc: { critical: 1, high: 1, medium: 1, low: 1 },
      ministry_forward: { critical: 1, high: 1, medium: 1, low: 1 },
      secretariat_forward: { critical: 1, high: 1, medium: 1, low: 1 },
    },
    maxEscalations: 5,
  };

  it('is the deployment policy when the sector has none', () => {
    expect(withOwnPolicy(base, undefined)).toBe(base);
  });

  it("takes the sector's hours and escalations, time-scaled as the deployment's are", () => {
    const p = withOwnPolicy(base, own);
    expect(p.deadlineMs('secretariat', 'low')).toBe((12 * HOUR) / 60);
    expect(p.deadlineMs('secretariat', 'critical')).toBe((2 * HOUR) / 60);
    expect(p.maxEscalations).toBe(5);
    expect(base.deadlineMs('secretariat', 'low')).toBe((72 * HOUR) / 60);
  });
});

describe("a sector's preset", () => {
  it('follows the deployment when the sector keeps the default japan-ceptoar', () => {
    expect(presetForSector('japan-ceptoar', reportingPresets.nis2)?.id).toBe('nis2');
    expect(presetForSector('japan-ceptoar', reportingPresets['japan-ceptoar'])?.id).toBe('japan-ceptoar');
  });

  it('is its own when it names another built-in preset or the deployment custom one', () => {
    expect(presetForSector('circia', reportingPresets.nis2)?.id).toBe('circia');
    const custom = { ...reportingPresets.nis2, id: 'sector-own' };
    expect(presetForSector('sector-own', custom)).toBe(custom);
  });

  it('names no preset for an unknown id (the caller falls back to the deployment and logs it)', () => {
    expect(presetForSector('gdpr', reportingPresets.circia)).toBeNull();
  });
});
