import {
  type DirectoryContact,
  entryInSector,
  entrySector,
  type MaybeOrganization,
  type OrganizationEntry,
  type OrganizationState,
  type OrgKind,
  organizationSchema,
  orgId,
} from '../../events/directory/directory.ts';
import {
  DEFAULT_SECTOR,
  isSectorId,
  ministryOf,
  ministryOrgId,
  NISC_ORG,
  type SectorId,
  sectorIds,
  sectorPartition,
} from '../../events/sector/catalog.ts';
import * as z from '../../events/zod.ts';
import { allHeads, type EventReader } from '../store/event-store.ts';

/** Every organisation and its contacts, as the notification code reads them. */
export interface Directory {
  readonly organizations: Readonly<Record<string, OrganizationEntry>>;
}
export type Contact = DirectoryContact;

/** Parses a directory document; throws with the offending path on a bad address. */
export const parseDirectory = (json: unknown): Directory =>
  z.strictObject({ organizations: z.record(orgId, organizationSchema()) }).parse(json);

/** The stream type of directory entries (one stream per organisation). */
export const ORGANIZATION_STREAM = 'organization';

/**
 * The byType partition of a sector's organisations (its members and secretariat). Organisations that
 * span sectors (ministries, NISC) are under chemical's, the one partition there was before sectors.
 */
export const organizationPartition = (entry: Pick<OrganizationEntry, 'kind' | 'sector'>): string =>
  sectorPartition(ORGANIZATION_STREAM, entrySector(entry) ?? DEFAULT_SECTOR);

/** Whether an organisation belongs in a sector's directory: its own, its ministry's, NISC's. */
const inSectorDirectory = (org: string, entry: OrganizationEntry, sector: SectorId) =>
  entryInSector(entry, sector) ||
  (entry.kind === 'ministry' && org === ministryOrgId(ministryOf[sector])) ||
  entry.kind === 'nisc';

async function readPartition(reader: EventReader, key: string, into: Map<string, OrganizationState>) {
  for await (const { state } of allHeads<MaybeOrganization>(reader, { index: 'byType', key })) {
    if (state) into.set(state.org, state);
  }
}

/**
 * The organisations of one sector, by id: its members and secretariat (one Query of its partition,
 * page by page), its ministry and NISC. Without a sector, every sector's (one Query each).
 */
export async function loadOrganizations(
  reader: EventReader,
  sector?: SectorId,
): Promise<Map<string, OrganizationState>> {
  const all = new Map<string, OrganizationState>();
  if (sector === undefined) {
    const keys = [...new Set(sectorIds.map((s) => sectorPartition(ORGANIZATION_STREAM, s)))];
    await Promise.all(keys.map((key) => readPartition(reader, key, all)));
    return all;
  }
  await readPartition(reader, sectorPartition(ORGANIZATION_STREAM, sector), all);
  // Another sector's ministry and NISC live under chemical's partition: read by id rather than it all.
  const shared = [ministryOrgId(ministryOf[sector]), NISC_ORG].filter((org) => !all.has(org));
  const heads = await Promise.all(
    shared.map((org) => reader.loadHead<MaybeOrganization>(`${ORGANIZATION_STREAM}#${org}`)),
  );
  for (const head of heads) if (head?.state) all.set(head.state.org, head.state);
  for (const [org, state] of all) if (!inSectorDirectory(org, state.entry, sector)) all.delete(org);
  return all;
}

/**
 * The organisations a member's reports and advisories pass through, by id: the member itself, its
 * sector's secretariat (`secretariat`, the sector entry's), its ministry and NISC; each read by its id
 * (no partition Query: a sector may have 1,741 members), each only where it is in that sector's directory.
 */
export async function loadChainOrganizations(
  reader: EventReader,
  sector: SectorId,
  chain: { member: string; secretariat: string | undefined },
): Promise<Map<string, OrganizationState>> {
  const ids = [chain.member, chain.secretariat, ministryOrgId(ministryOf[sector]), NISC_ORG];
  const wanted = [...new Set(ids.filter((id): id is string => id !== undefined && id !== ''))];
  const heads = await Promise.all(
    wanted.map((org) => reader.loadHead<MaybeOrganization>(`${ORGANIZATION_STREAM}#${org}`)),
  );
  const found = new Map<string, OrganizationState>();
  for (const head of heads) {
    const state = head?.state;
    if (!state || !inSectorDirectory(state.org, state.entry, sector)) continue;
    // Another member never: the member's own entry is the one member this lists.
    if (state.entry.kind === 'member' && state.org !== chain.member) continue;
    found.set(state.org, state);
  }
  return found;
}

/** The event-sourced directory of one sector (its organisations, its ministry, NISC); without one, every sector's. */
export async function loadDirectory(reader: EventReader, sector?: SectorId): Promise<Directory> {
  const states = await loadOrganizations(reader, sector);
  return { organizations: Object.fromEntries([...states].map(([org, state]) => [org, state.entry])) };
}

/**
 * The organisation of a kind (secretariat, ministry, nisc) for a sector (default chemical): its
 * secretariat, the ministry that oversees it, NISC; the first by id where several qualify.
 */
export function orgOfKind(dir: Directory, kind: Exclude<OrgKind, 'member'>, sector: string = DEFAULT_SECTOR) {
  const s = isSectorId(sector) ? sector : DEFAULT_SECTOR;
  const entry = Object.entries(dir.organizations)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .find(([id, org]) => org.kind === kind && inSectorDirectory(id, org, s));
  return entry ? { id: entry[0], ...entry[1] } : undefined;
}

/** The member organisations of a sector (default chemical), by id. */
export const memberOrgs = (dir: Directory, sector: string = DEFAULT_SECTOR): string[] =>
  Object.entries(dir.organizations)
    .filter(([, org]) => org.kind === 'member' && entryInSector(org, sector))
    .map(([id]) => id)
    .sort();
