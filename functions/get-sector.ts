import { NotFoundError } from '../events/errors.ts';
import { isSectorId } from '../events/sector/catalog.ts';
import { sectorView } from '../events/sector/sector.ts';
import { canSeeSector } from '../events/sector/visibility.ts';
import { sectors } from './aggregates/sectors.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** GET /sectors/{id}: one sector the caller may see; another sector is 404, as an unknown one. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = request.params.id ?? '';
    if (!isSectorId(id) || !canSeeSector(request.actor, id)) throw new NotFoundError('no such sector');
    const { state } = await loadAggregate(reader, sectors, id);
    if (state === null) throw new NotFoundError('no such sector');
    return { status: 200, body: sectorView(state) };
  },
);
