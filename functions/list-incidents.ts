import type { MaybeIncident } from '../events/incident/incident.ts';
import { canSee, incidentSummary } from '../events/incident/visibility.ts';
import { httpHandler } from './commons/http.ts';
import { pageLimit, readPage } from './commons/paging.ts';
import { reader } from './commons/reader.ts';

/** GET /incidents: the incidents the caller may see, newest first, paged with `limit` and `cursor`. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { actor } = request;
    const limit = pageLimit(request.query.limit, 50, 200);
    const query =
      actor.role === 'member'
        ? { index: 'byOrg' as const, key: `org#${actor.org ?? ''}` }
        : actor.role === 'ministry' || actor.role === 'nisc'
          ? { index: 'byType' as const, key: 'incident', visibleTo: actor.role }
          : { index: 'byType' as const, key: 'incident' };
    const page = await readPage(() =>
      reader.listHeads<MaybeIncident>(query, { limit, cursor: request.query.cursor ?? null }),
    );
    const items = page.items
      .map((head) => head.state)
      .filter((state) => state !== null && canSee(state, actor))
      .map((state) => incidentSummary(state as NonNullable<MaybeIncident>));
    return { status: 200, body: { items, cursor: page.cursor } };
  },
);
