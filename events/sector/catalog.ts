/**
 * The sectors (CEPTOARs) and the ministries that oversee them: ids only, so every module (tokens,
 * visibility, list partitions) can name them without loading the sector streams. What a sector is
 * called, who runs its secretariat and how many members it has live on its event stream
 * (events/sector/sector.ts), seeded by the local stack from local/seed-sectors.ts.
 */

/** The 18 CEPTOARs of the seed's map (セプター特性把握マップ), in the map's order. */
export const sectorIds = [
  'telecom',
  'cable-tv',
  'broadcasting',
  'banking',
  'securities',
  'life-insurance',
  'non-life-insurance',
  'aviation',
  'railway',
  'electricity',
  'gas',
  'local-government',
  'healthcare',
  'water',
  'logistics',
  'chemical',
  'credit',
  'petroleum',
] as const;
export type SectorId = (typeof sectorIds)[number];

/**
 * The sector of everything written before sectors existed, and of a token that names none: the
 * deployment served the chemical CEPTOAR alone until then.
 */
export const DEFAULT_SECTOR: SectorId = 'chemical';

/** The competent ministries (所管省庁). */
export const ministryIds = ['meti', 'mlit', 'mhlw', 'mic', 'fsa'] as const;
export type MinistryId = (typeof ministryIds)[number];

/** The ministry a ministry token names when it names none: METI, the chemical sector's. */
export const DEFAULT_MINISTRY: MinistryId = 'meti';

/**
 * Which ministry oversees which sector: Japan's allocation of critical-infrastructure sectors to
 * competent ministries, as the domain brief's table of the seed map gives it. Water is MLIT's: waterworks administration moved from MHLW
 * to MLIT in April 2024, and the deployment serves today's chain, not the 2016 map's.
 */
export const ministryOf: Readonly<Record<SectorId, MinistryId>> = {
  telecom: 'mic',
  'cable-tv': 'mic',
  broadcasting: 'mic',
  banking: 'fsa',
  securities: 'fsa',
  'life-insurance': 'fsa',
  'non-life-insurance': 'fsa',
  aviation: 'mlit',
  railway: 'mlit',
  electricity: 'meti',
  gas: 'meti',
  'local-government': 'mic',
  healthcare: 'mhlw',
  water: 'mlit',
  logistics: 'mlit',
  chemical: 'meti',
  credit: 'meti',
  petroleum: 'meti',
};

/** The sectors a ministry oversees, in the map's order. */
export const sectorsOfMinistry = (ministry: string): SectorId[] =>
  sectorIds.filter((s) => ministryOf[s] === ministry);

export const isSectorId = (value: unknown): value is SectorId =>
  typeof value === 'string' && (sectorIds as readonly string[]).includes(value);

export const isMinistryId = (value: unknown): value is MinistryId =>
  typeof value === 'string' && (ministryIds as readonly string[]).includes(value);

/** A stream's or a directory entry's sector: the one recorded, else the sector that came first. */
export const sectorOr = (sector: SectorId | undefined | null): SectorId => sector ?? DEFAULT_SECTOR;

/**
 * A list partition (the heads' listPk or orgPk) of one sector. The chemical sector keeps the key it
 * had before sectors, so heads written then are listed under it without a migration; every other
 * sector's rows are under `<base>#<sector>`, one Query per sector.
 */
export const sectorPartition = (base: string, sector: string): string =>
  sector === DEFAULT_SECTOR ? base : `${base}#${sector}`;

/** The directory id of METI's organisation, as config/directory.json named it before sectors. */
export const METI_ORG = 'ministry';

/** The directory organisation of a ministry: its id, except METI's, which keeps the id it had before sectors. */
export const ministryOrgId = (ministry: MinistryId): string => (ministry === 'meti' ? METI_ORG : ministry);

/** The ministry a directory organisation (or a ministry token's `org`) stands for; null when none. */
export const ministryOfOrg = (org: string): MinistryId | null =>
  org === METI_ORG ? 'meti' : isMinistryId(org) ? org : null;

/** The directory id of NISC's organisation. */
export const NISC_ORG = 'nisc';
