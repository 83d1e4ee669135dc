import type { RelayPolicyConfig } from '../../events/policy.ts';
import type { ReportingPreset } from '../../events/reporting.ts';
import type { SectorId } from '../../events/sector/catalog.ts';
import { presetForSector } from '../../events/sector/sector.ts';
import { logger } from '../runtime/logger.ts';
import { reportingPreset as deploymentPreset } from '../runtime/policy-config.ts';
import { loadAggregate } from '../store/command-runner.ts';
import { reader } from '../store/reader.ts';
import { sectors } from './sectors.ts';

/** The clocks a new incident of a sector runs under. */
export interface SectorClocks {
  /** The sector's own relay policy; absent: the deployment's (CEPTOAR_RELAY_POLICY). */
  readonly sectorPolicy?: RelayPolicyConfig;
  readonly reporting: ReportingPreset;
}

/**
 * Reads a sector's entry from its stream and gives the clocks its new incidents run under. One
 * read per report (reports are rare); a sector missing from the log (a store that was never
 * seeded) runs under the deployment's clocks.
 */
export async function sectorClocks(sector: SectorId): Promise<SectorClocks> {
  const { state } = await loadAggregate(reader, sectors, sector);
  if (state === null) return { reporting: deploymentPreset };
  return {
    reporting: presetOfEntry(state.entry.preset),
    ...(state.entry.relayPolicy ? { sectorPolicy: state.entry.relayPolicy } : {}),
  };
}

function presetOfEntry(id: string): ReportingPreset {
  const preset = presetForSector(id, deploymentPreset);
  if (preset !== null) return preset;
  // PUT /sectors/{id} refuses unknown ids; an entry from before that check falls back, said in the log.
  logger.warn('sector names an unknown reporting preset; the deployment preset applies', { preset: id });
  return deploymentPreset;
}
