import type { MaybeSector } from '../events/sector/sector.ts';
import { sectorView } from '../events/sector/sector.ts';
import { canSeeSector } from '../events/sector/visibility.ts';
import { SECTOR_STREAM } from './aggregates/sectors.ts';
import { httpHandler } from './http/http.ts';
import { allHeads } from './store/event-store.ts';
import { reader } from './store/reader.ts';

/** GET /sectors: the sectors (CEPTOARs) the caller may see, by id; one Query of the sector heads. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const items = [];
    for await (const { state } of allHeads<MaybeSector>(reader, { index: 'byType', key: SECTOR_STREAM })) {
      if (state !== null && canSeeSector(request.actor, state.id)) items.push(sectorView(state));
    }
    items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { status: 200, body: { items } };
  },
);
