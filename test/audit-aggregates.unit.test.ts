import { describe, expect, it } from 'vitest';
import { advisories, recipients } from '../functions/aggregates/advisories.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { organizations } from '../functions/aggregates/organizations.ts';
import { auditFoldings, streamTypeOf } from '../functions/audit/audit-aggregates.ts';

describe('replay registry', () => {
  it.each([
    ['incident', incidents, '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'],
    ['advisory', advisories, '0b7d…'],
    ['advisory-recipient', recipients, '0b7d#asahi-petrochem'],
    ['organization', organizations, 'asahi-petrochem'],
  ] as const)('folds %s streams with their own aggregate', (type, aggregate, id) => {
    expect(aggregate.streamType).toBe(type);
    expect(streamTypeOf(aggregate.streamId(id))).toBe(type);
    expect(auditFoldings[type]).toBe(aggregate);
  });
});
