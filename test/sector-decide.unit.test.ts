import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { ForbiddenError, IllegalStateError, ValidationError } from '../events/errors.ts';
import {
  decideSector,
  evolveSector,
  initialSector,
  type MaybeSector,
  type SectorEvent,
  sectorView,
} from '../events/sector/sector.ts';
import { seedSectors } from '../local/seed-sectors.ts';

const NOW = '2026-12-03T09:00:00.000Z';
const SYSTEM: Actor = { kind: 'system', sub: 'system:directory-seed' };
const NISC: Actor = { kind: 'user', sub: 'nisc-1', role: 'nisc' };
const SECRETARIAT: Actor = { kind: 'user', sub: 'sec-1', role: 'secretariat' };
const GAS = {
  names: { ja: 'CEPTOAR GAS', en: 'Gas CEPTOAR' },
  secretariat: 'gas-secretariat',
  ministry: 'meti',
  members: 10,
};

const fold = (events: SectorEvent[]): MaybeSector =>
  events.reduce<MaybeSector>(
    (state, event, i) => evolveSector(state, { ...event, version: i + 1, recordedAt: NOW }),
    initialSector(),
  );

describe('the sector decider', () => {
  it('seeds a missing sector with the japan-ceptoar preset by default, and a repeated seed writes nothing', () => {
    const events = decideSector({ type: 'SeedSector', data: { sector: 'gas', entry: GAS } }, null, {
      now: NOW,
      actor: SYSTEM,
    });
    expect(events).toEqual([
      { type: 'SectorRegistered', data: { sector: 'gas', entry: { ...GAS, preset: 'japan-ceptoar' } } },
    ]);
    const state = fold(events);
    expect(state && sectorView(state)).toEqual({
      id: 'gas',
      names: GAS.names,
      secretariat: 'gas-secretariat',
      ministry: 'meti',
      members: 10,
      preset: 'japan-ceptoar',
    });
    expect(
      decideSector({ type: 'SeedSector', data: { sector: 'gas', entry: GAS } }, state, {
        now: NOW,
        actor: SYSTEM,
      }),
    ).toEqual([]);
  });

  it('refuses an unknown sector id, a ministry other than the allocation, and a negative count, naming each field', () => {
    const attempt = () =>
      decideSector(
        { type: 'SeedSector', data: { sector: 'fishing', entry: { ...GAS, members: -1 } } },
        null,
        { now: NOW, actor: SYSTEM },
      );
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).fields.map((f) => f.path).sort()).toEqual(['members', 'sector']);
    }
    try {
      decideSector(
        { type: 'SeedSector', data: { sector: 'gas', entry: { ...GAS, ministry: 'mlit' } } },
        null,
        {
          now: NOW,
          actor: SYSTEM,
        },
      );
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).fields).toEqual([
        { path: 'ministry', message: 'the ministry of gas is meti' },
      ]);
    }
  });

  it('lets NISC change a sector (a relay policy override, another preset) and no one else', () => {
    const state = fold(
      decideSector({ type: 'SeedSector', data: { sector: 'gas', entry: GAS } }, null, {
        now: NOW,
        actor: SYSTEM,
      }),
    );
    const changed = { ...GAS, preset: 'nis2' };
    expect(
      decideSector({ type: 'UpdateSector', data: { sector: 'gas', entry: changed } }, state, {
        now: NOW,
        actor: NISC,
      }),
    ).toEqual([{ type: 'SectorUpdated', data: { sector: 'gas', entry: changed } }]);
    expect(() =>
      decideSector({ type: 'UpdateSector', data: { sector: 'gas', entry: changed } }, state, {
        now: NOW,
        actor: SECRETARIAT,
      }),
    ).toThrow(ForbiddenError);
    expect(() =>
      decideSector({ type: 'UpdateSector', data: { sector: 'gas', entry: changed } }, null, {
        now: NOW,
        actor: NISC,
      }),
    ).toThrow(IllegalStateError);
    expect(() =>
      decideSector({ type: 'SeedSector', data: { sector: 'gas', entry: GAS } }, null, {
        now: NOW,
        actor: NISC,
      }),
    ).toThrow(ForbiddenError);
  });

  it('accepts every seeded sector of the map', () => {
    const seeded = seedSectors();
    expect(Object.keys(seeded)).toHaveLength(18);
    for (const [sector, entry] of Object.entries(seeded)) {
      expect(
        decideSector({ type: 'SeedSector', data: { sector, entry } }, null, { now: NOW, actor: SYSTEM }),
      ).toHaveLength(1);
    }
    expect(seeded.chemical).toMatchObject({ secretariat: 'secretariat', ministry: 'meti', members: 11 });
    expect(seeded.water.ministry).toBe('mlit');
    expect(seeded['local-government'].members).toBe(1788);
  });
});
