import type { Actor } from '../../events/actor.ts';
import {
  decideSector,
  evolveSector,
  initialSector,
  type MaybeSector,
  type SectorCommand,
  type SectorEvent,
} from '../../events/sector/sector.ts';
import type { Aggregate } from '../store/command-runner.ts';
import { upcastV1 } from '../store/upcast.ts';

/** The stream type (and byType partition) of sectors: one stream per sector, `sector#<id>`. */
export const SECTOR_STREAM = 'sector';

/** The sector aggregate: what a CEPTOAR is called, who runs it, who oversees it, its clocks. */
export const sectors: Aggregate<MaybeSector, SectorEvent, SectorCommand, { now: string; actor: Actor }> = {
  streamType: SECTOR_STREAM,
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `${SECTOR_STREAM}#${id}`,
  initialState: initialSector,
  evolve: evolveSector,
  decide: decideSector,
  project: (state) => {
    if (state === null) throw new Error('cannot index a sector that does not exist');
    return { listPk: SECTOR_STREAM, listSk: state.id };
  },
  upcast: (stored) => upcastV1<SectorEvent>(stored),
};
