import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { canSeeEntry } from '../events/directory/directory.ts';
import { sectorIds, sectorPartition, sectorsOfMinistry } from '../events/sector/catalog.ts';
import { actingSector, canSeeSector, listSectors, visibleSectors } from '../events/sector/visibility.ts';

const user = (
  role: Extract<Actor, { kind: 'user' }>['role'],
  extra: Partial<Extract<Actor, { kind: 'user' }>> = {},
) => ({ kind: 'user', sub: `t-${role}`, role, ...extra }) as Actor;

describe('which sectors a caller sees', () => {
  it('a member and a secretariat see their own sector only; without one, chemical (as before sectors)', () => {
    expect(visibleSectors(user('member', { org: 'gas-member-1', sector: 'gas' }))).toEqual(['gas']);
    expect(visibleSectors(user('secretariat', { sector: 'banking' }))).toEqual(['banking']);
    expect(visibleSectors(user('secretariat'))).toEqual(['chemical']);
    expect(visibleSectors(user('member', { org: 'asahi-petrochem' }))).toEqual(['chemical']);
  });

  it('a ministry sees the sectors it oversees: METI five, MLIT four (water since 2024), METI without an org', () => {
    expect(visibleSectors(user('ministry', { org: 'meti' }))).toEqual([
      'electricity',
      'gas',
      'chemical',
      'credit',
      'petroleum',
    ]);
    expect(visibleSectors(user('ministry'))).toEqual(visibleSectors(user('ministry', { org: 'meti' })));
    expect(visibleSectors(user('ministry', { org: 'ministry' }))).toEqual(sectorsOfMinistry('meti'));
    expect(visibleSectors(user('ministry', { org: 'mlit' }))).toEqual([
      'aviation',
      'railway',
      'water',
      'logistics',
    ]);
    expect(visibleSectors(user('ministry', { org: 'fsa', sector: 'banking' }))).toEqual(['banking']);
    expect(visibleSectors(user('ministry', { org: 'fsa', sector: 'gas' }))).toEqual([]);
    expect(visibleSectors(user('ministry', { org: 'asahi-petrochem' }))).toEqual([]);
  });

  it('every sector has exactly one ministry, so the ministries together see all 18', () => {
    const seen = ['meti', 'mlit', 'mhlw', 'mic', 'fsa'].flatMap((m) =>
      visibleSectors(user('ministry', { org: m })),
    );
    expect([...seen].sort()).toEqual([...sectorIds].sort());
  });

  it('NISC and an auditor see every sector, or the one their token names', () => {
    expect(visibleSectors(user('nisc'))).toEqual(sectorIds);
    expect(visibleSectors(user('auditor'))).toEqual(sectorIds);
    expect(visibleSectors(user('auditor', { sector: 'water' }))).toEqual(['water']);
    expect(visibleSectors({ kind: 'system', sub: 'system:x' })).toEqual(sectorIds);
  });

  it('reads a stream without a sector as chemical', () => {
    expect(canSeeSector(user('secretariat'), undefined)).toBe(true);
    expect(canSeeSector(user('secretariat', { sector: 'gas' }), undefined)).toBe(false);
    expect(canSeeSector(user('ministry', { org: 'mlit' }), null)).toBe(false);
  });

  it('narrows a list to ?sector= among the visible ones, and to nothing for another', () => {
    expect(listSectors(user('nisc'), 'gas')).toEqual(['gas']);
    expect(listSectors(user('secretariat', { sector: 'gas' }), 'banking')).toEqual([]);
    expect(listSectors(user('ministry', { org: 'mhlw' }), undefined)).toEqual(['healthcare']);
  });

  it('picks the sector a new advisory goes to, or none when the caller must name it', () => {
    expect(actingSector(user('secretariat', { sector: 'gas' }), undefined)).toBe('gas');
    expect(actingSector(user('nisc'), undefined)).toBe('chemical');
    expect(actingSector(user('ministry', { org: 'mlit' }), undefined)).toBeNull();
    expect(actingSector(user('ministry', { org: 'mlit' }), 'railway')).toBe('railway');
    expect(actingSector(user('ministry', { org: 'mlit' }), 'gas')).toBeNull();
  });

  it('keeps chemical in the partitions it had before sectors, and gives every other sector its own', () => {
    expect(sectorPartition('incident', 'chemical')).toBe('incident');
    expect(sectorPartition('incident', 'banking')).toBe('incident#banking');
    expect(new Set(sectorIds.map((s) => sectorPartition('advisory', s))).size).toBe(18);
  });
});

describe('who sees a directory entry', () => {
  const member = { kind: 'member' as const, sector: 'gas' as const };
  it("shows a sector's organisations to that sector's secretariat, its ministry, NISC and auditors only", () => {
    expect(canSeeEntry(user('secretariat', { sector: 'gas' }), 'gas-member-1', member)).toBe(true);
    expect(canSeeEntry(user('secretariat'), 'gas-member-1', member)).toBe(false);
    expect(canSeeEntry(user('ministry', { org: 'meti' }), 'gas-member-1', member)).toBe(true);
    expect(canSeeEntry(user('ministry', { org: 'fsa' }), 'gas-member-1', member)).toBe(false);
    expect(canSeeEntry(user('nisc'), 'gas-member-1', member)).toBe(true);
    expect(canSeeEntry(user('auditor', { sector: 'banking' }), 'gas-member-1', member)).toBe(false);
  });

  it("shows a ministry's organisation to the sectors it oversees, and NISC's to everyone", () => {
    expect(canSeeEntry(user('secretariat', { sector: 'banking' }), 'fsa', { kind: 'ministry' })).toBe(true);
    expect(canSeeEntry(user('secretariat', { sector: 'banking' }), 'ministry', { kind: 'ministry' })).toBe(
      false,
    );
    expect(canSeeEntry(user('secretariat'), 'ministry', { kind: 'ministry' })).toBe(true);
    expect(canSeeEntry(user('secretariat', { sector: 'banking' }), 'nisc', { kind: 'nisc' })).toBe(true);
  });
});
