import { createHash } from 'node:crypto';
import { type SectorId, sectorIds, sectorOr } from '../sector/catalog.ts';

/**
 * Where the two audit indexes keep a stream (docs/ARCHITECTURE.md, "Audit across sectors"): its head
 * in byHead and its events' time entries in byTime live in partitions of the stream's sector, or of
 * `shared` for a stream of no one sector (a survey or exercise over several sectors, a ministry's or
 * NISC's organisation, an advisory's fork). A reader granted some sectors queries theirs and `shared`,
 * never another sector's; a reader of every sector queries them all. Each group is spread over
 * {@link GROUP_SHARDS} partitions by stream, so a sector's busy hour is not one partition's.
 */

/** A sector, or `shared`: the streams of no one sector. */
export type AuditGroup = SectorId | 'shared';

/** Every group, in a fixed order. */
export const auditGroups: readonly AuditGroup[] = [...sectorIds, 'shared'];

/** Partitions per group in each audit index. */
export const GROUP_SHARDS = 2;

const shardByte = (streamId: string): number =>
  createHash('sha256').update(streamId, 'utf8').digest()[0] ?? 0;

/** The index partition of a stream in its group: `h#<group>#<shard>` (byHead) or `t#<group>#<shard>` (byTime). */
export const auditPartition = (index: 'h' | 't', group: AuditGroup, streamId: string): string =>
  `${index}#${group}#${shardByte(streamId) % GROUP_SHARDS}`;

/** Every partition of some groups in one index. */
export const groupPartitions = (index: 'h' | 't', groups: readonly AuditGroup[]): string[] =>
  groups.flatMap((group) => Array.from({ length: GROUP_SHARDS }, (_, shard) => `${index}#${group}#${shard}`));

/** The group a partition key names, or null for a partition of the layout before groups (`h#<n>`, `t#<n>`). */
export function groupOfPartition(pk: string | undefined): AuditGroup | null {
  const group = pk?.split('#')[1];
  return group !== undefined && (auditGroups as readonly string[]).includes(group)
    ? (group as AuditGroup)
    : null;
}

/**
 * The partitions of the layout before groups: 16 per index, by stream (`h#0`…`h#15`, `t#0`…`t#15`). Read
 * only until a table's entries have been moved (functions/audit/audit-partitions.ts), and by that move.
 */
export const legacyPartitions = (index: 'h' | 't'): string[] =>
  Array.from({ length: 16 }, (_, shard) => `${index}#${shard}`);

/** The legacy partition of a stream (what the layout before groups wrote). */
export const legacyPartition = (index: 'h' | 't', streamId: string): string =>
  `${index}#${shardByte(streamId) % 16}`;

/** The groups a reader of some sectors queries: all of them for every sector, else those sectors and `shared`. */
export const groupsOfSectors = (sectors: readonly SectorId[]): readonly AuditGroup[] =>
  sectors.length === sectorIds.length ? auditGroups : [...sectors, 'shared'];

/**
 * The group of a stream, from its type and folded state: what makes it visible to a reader of fewer
 * sectors than all (functions/audit/sector-lists.ts `canSeeStream`, whose cases this follows) is the sector
 * it is kept under, so a stream such a reader may see is always in a partition the reader queries. An
 * advisory recipient is its advisory's: the sector its events carry, or null when they carry none (streams
 * recorded before they did; the projection then reads the advisory's head). A state of an unknown type,
 * or none yet, is `shared`: always queried, and filtered as before.
 */
export function auditGroupOf(streamType: string, streamId: string, state: unknown): AuditGroup | null {
  if (streamType === 'advisory-recipient') return (state as { sector?: SectorId } | null)?.sector ?? null;
  if (streamType === 'sector') {
    const id = streamId.slice('sector#'.length);
    return (sectorIds as readonly string[]).includes(id) ? (id as SectorId) : 'shared';
  }
  if (state === null || typeof state !== 'object') return 'shared';
  const s = state as {
    sector?: SectorId;
    sectors?: readonly SectorId[];
    entry?: { kind?: string; sector?: SectorId };
  };
  switch (streamType) {
    case 'incident':
    case 'advisory':
    case 'activity':
    case 'plan':
    case 'survey-response':
      return sectorOr(s.sector);
    case 'survey':
    case 'exercise':
      return Array.isArray(s.sectors) && s.sectors.length === 1 ? (s.sectors[0] as SectorId) : 'shared';
    case 'organization':
      // A member's or secretariat's entry is its sector's (events/directory/directory.ts `entrySector`: this
      // module stays free of the directory's schemas, as every command's bundle carries it); a ministry's,
      // NISC's or an auditor's is no one sector's.
      return s.entry?.kind === 'member' || s.entry?.kind === 'secretariat'
        ? sectorOr(s.entry.sector)
        : 'shared';
    default:
      return 'shared';
  }
}
