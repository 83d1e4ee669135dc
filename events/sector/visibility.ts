import type { Actor } from '../actor.ts';
import {
  DEFAULT_MINISTRY,
  DEFAULT_SECTOR,
  type MinistryId,
  ministryOfOrg,
  type SectorId,
  sectorIds,
  sectorsOfMinistry,
} from './catalog.ts';

/** The ministry a ministry token speaks for: its `org` (a ministry id), METI when it names none. */
export function ministryOfActor(actor: Extract<Actor, { kind: 'user' }>): MinistryId | null {
  return ministryOfOrg(actor.org ?? DEFAULT_MINISTRY);
}

/**
 * The sectors a caller may see. A member and a secretariat: their own (the token's sector, else
 * chemical, as every token was before sectors); a ministry: the sectors it oversees; NISC and an
 * auditor: every sector, or the one their token names. The system sees everything.
 */
export function visibleSectors(actor: Actor): readonly SectorId[] {
  if (actor.kind === 'system') return sectorIds;
  const own = actor.sector;
  switch (actor.role) {
    case 'member':
    case 'secretariat':
      return [own ?? DEFAULT_SECTOR];
    case 'ministry': {
      const ministry = ministryOfActor(actor);
      const overseen = ministry ? sectorsOfMinistry(ministry) : [];
      return own ? overseen.filter((s) => s === own) : overseen;
    }
    case 'nisc':
    case 'auditor':
      return own ? [own] : sectorIds;
    default: {
      const _never: never = actor.role;
      return _never;
    }
  }
}

/** Whether the caller may see a sector's data; `sector` undefined is data from before sectors (chemical). */
export const canSeeSector = (actor: Actor, sector: string | undefined | null): boolean =>
  (visibleSectors(actor) as readonly string[]).includes(sector ?? DEFAULT_SECTOR);

/**
 * The sectors a list reads for the caller: those it sees, or the one `?sector=` names among them.
 * A sector it may not see (or that does not exist) reads nothing, as an unknown id would.
 */
export function listSectors(actor: Actor, requested: string | undefined): readonly SectorId[] {
  const visible = visibleSectors(actor);
  if (requested === undefined || requested === '') return visible;
  return visible.filter((s) => s === requested);
}

/**
 * The one sector a caller acts in when it creates something (an advisory, a drill): the one it
 * names if it may see it, else its only sector, else chemical when it sees that; null when the
 * caller sees several and must name one.
 */
export function actingSector(actor: Actor, requested: string | undefined): SectorId | null {
  const visible = visibleSectors(actor);
  if (requested !== undefined) return visible.find((s) => s === requested) ?? null;
  if (visible.length === 1) return visible[0] ?? null;
  return visible.includes(DEFAULT_SECTOR) ? DEFAULT_SECTOR : null;
}
