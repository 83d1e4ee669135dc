import { NotFoundError } from '../events/errors.ts';
import { isSectorId } from '../events/sector/catalog.ts';
import { sectorView } from '../events/sector/sector.ts';
import { canSeeSector } from '../events/sector/visibility.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';
import { sectors } from './commons/sectors.ts';

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
