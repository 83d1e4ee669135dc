import { canReadActivities } from '../events/activity/activity.ts';
import { NotFoundError } from '../events/errors.ts';
import { activities } from './aggregates/activities.ts';
import { blobReader } from './blobs/blob-reader.ts';
import { httpHandler } from './http/http.ts';
import { UUID } from './http/uuid.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** GET /activities/{id}/minutes/{n}: the n-th attached minutes file, as it was stored (its SHA-256 in a header). */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = request.params.id ?? '';
    const n = Number(request.params.n);
    if (!UUID.test(id) || !/^\d{1,3}$/.test(request.params.n ?? ''))
      throw new NotFoundError('no such minutes');
    const { state } = await loadAggregate(reader, activities, id);
    if (state === null || !canReadActivities(request.actor, state.sector))
      throw new NotFoundError('no such minutes');
    const entry = state.minutes.find((m) => m.n === n);
    if (!entry) throw new NotFoundError('no such minutes');
    const bytes = await blobReader().get(entry.key);
    // The log names a file the store does not hold: an operational fault, not the caller's.
    if (bytes === null) throw new Error(`minutes ${entry.key} are missing from the blob store`);
    return {
      status: 200,
      binaryBody: bytes,
      headers: {
        'content-type': entry.contentType,
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(entry.filename)}`,
        'x-content-sha256': entry.sha256,
        'x-content-type-options': 'nosniff',
      },
    };
  },
);
