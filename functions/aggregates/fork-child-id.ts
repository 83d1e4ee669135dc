import type { SectorId } from '../../events/sector/catalog.ts';
import { derivedUuid } from '../runtime/derived-id.ts';

/**
 * The id of a fork's child advisory in a sector: derived from the parent's id and the sector, so the
 * reaction that issues it is idempotent. A module of its own (node:crypto), apart from the fork
 * aggregate, which the console reaches through audit-aggregates and bundles for the browser.
 */
export const forkChildId = (forkId: string, sector: SectorId): string =>
  derivedUuid(`ceptoar-advisory-fork:${forkId}:${sector}`);
