import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import {
  auditGroupOf,
  auditGroups,
  auditPartition,
  GROUP_SHARDS,
  groupOfPartition,
  groupPartitions,
  groupsOfSectors,
  legacyPartitions,
} from '../events/audit/partitions.ts';
import { ministryIds, ministryOrgId, type SectorId, sectorIds } from '../events/sector/catalog.ts';
import { visibleSectors } from '../events/sector/visibility.ts';
import { canSeeStream } from '../functions/audit/sector-lists.ts';

const sector = fc.constantFrom(...sectorIds);
const maybeSector = fc.option(sector, { nil: undefined });

/** A stream of any audited type, with a state of the shape its folding gives (or none yet). */
const stream = fc.oneof(
  fc.record({
    type: fc.constantFrom('incident', 'advisory', 'activity', 'plan', 'survey-response'),
    id: fc.uuid(),
    state: fc.oneof(fc.constant(null), fc.record({ sector: maybeSector })),
  }),
  fc.record({
    type: fc.constantFrom('survey', 'exercise'),
    id: fc.uuid(),
    state: fc.record({ sectors: fc.uniqueArray(sector, { minLength: 0, maxLength: 4 }) }),
  }),
  fc.record({ type: fc.constant('sector'), id: sector, state: fc.constant({}) }),
  fc.record({
    type: fc.constant('organization'),
    id: fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(...ministryIds.map(ministryOrgId)),
    ),
    state: fc.record({
      entry: fc.record({
        kind: fc.constantFrom('member', 'secretariat', 'ministry', 'nisc'),
        sector: maybeSector,
      }),
    }),
  }),
  fc.record({ type: fc.constant('advisory-fork'), id: fc.uuid(), state: fc.constant({ sectors: [] }) }),
);

/** A reader of the audit routes: an auditor or NISC of one sector or all, or a ministry. */
const reader: fc.Arbitrary<Actor> = fc.oneof(
  fc.record({
    kind: fc.constant('user' as const),
    sub: fc.constant('t'),
    role: fc.constantFrom('auditor' as const, 'nisc' as const),
    sector: maybeSector,
  }),
  fc.record({
    kind: fc.constant('user' as const),
    sub: fc.constant('t'),
    role: fc.constant('ministry' as const),
    org: fc.constantFrom(...ministryIds.map(ministryOrgId)),
  }),
);

const idOf = (type: string, id: string) => `${type}#${id}`;

describe('the audit partitions of a stream', () => {
  it('put every stream a reader may see in a partition that reader queries', () => {
    fc.assert(
      fc.property(stream, reader, ({ type, id, state }, actor) => {
        const streamId = idOf(type, id);
        const group = auditGroupOf(type, streamId, state);
        if (group === null) throw new Error(`no group for ${streamId}`);
        const read = groupsOfSectors(visibleSectors(actor));
        if (canSeeStream(actor, streamId, type, state)) expect(read).toContain(group);
        // And the partition is one of that group's.
        expect(groupPartitions('h', [group])).toContain(auditPartition('h', group, streamId));
      }),
      { numRuns: 2000 },
    );
  });

  it('keep a one-sector stream under its sector, and a stream of several sectors or none in shared', () => {
    expect(auditGroupOf('incident', 'incident#1', { sector: 'banking' })).toBe('banking');
    // A state from before sectors is chemical's, as every reader takes it.
    expect(auditGroupOf('incident', 'incident#1', {})).toBe('chemical');
    expect(auditGroupOf('survey', 'survey#1', { sectors: ['gas'] })).toBe('gas');
    expect(auditGroupOf('survey', 'survey#1', { sectors: ['gas', 'water'] })).toBe('shared');
    expect(auditGroupOf('exercise', 'exercise#1', { sectors: [] })).toBe('shared');
    expect(auditGroupOf('sector', 'sector#railway', {})).toBe('railway');
    expect(
      auditGroupOf('organization', 'organization#x', { entry: { kind: 'member', sector: 'water' } }),
    ).toBe('water');
    expect(auditGroupOf('organization', 'organization#meti', { entry: { kind: 'ministry' } })).toBe('shared');
    expect(auditGroupOf('advisory-fork', 'advisory-fork#1', {})).toBe('shared');
    expect(auditGroupOf('no-such-type', 'no-such-type#1', {})).toBe('shared');
    // A recipient is its advisory's: the sector its events carry, else unknown here (the advisory's head says).
    expect(auditGroupOf('advisory-recipient', 'advisory-recipient#a#o', { sector: 'credit' })).toBe('credit');
    expect(auditGroupOf('advisory-recipient', 'advisory-recipient#a#o', { advisoryId: 'a' })).toBeNull();
  });

  it('spreads a group over its shards, names the group in the key, and reads 38 partitions for every sector', () => {
    const shards = new Set(
      Array.from({ length: 400 }, (_, i) => auditPartition('t', 'chemical', `incident#${i}`)),
    );
    expect([...shards].sort()).toEqual(groupPartitions('t', ['chemical']).sort());
    expect(shards.size).toBe(GROUP_SHARDS);
    for (const group of auditGroups) expect(groupOfPartition(auditPartition('h', group, 'x#1'))).toBe(group);
    for (const old of legacyPartitions('h')) expect(groupOfPartition(old)).toBeNull();
    expect(groupsOfSectors(sectorIds)).toEqual(auditGroups);
    expect(groupPartitions('h', groupsOfSectors(sectorIds))).toHaveLength(19 * GROUP_SHARDS);
    expect(groupsOfSectors(['banking'] as SectorId[])).toEqual(['banking', 'shared']);
  });
});
