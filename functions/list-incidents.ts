import { ValidationError } from '../events/errors.ts';
import type { MaybeIncident } from '../events/incident/incident.ts';
import { canSee, incidentSummary } from '../events/incident/visibility.ts';
import { InvalidCursorError } from './commons/dynamodb-event-reader.ts';
import { httpHandler } from './commons/http.ts';
import { pageLimit } from './commons/paging.ts';
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
    try {
      const page = await reader.listHeads<MaybeIncident>(query, {
        limit,
        cursor: request.query.cursor ?? null,
      });
      const items = page.items
        .map((head) => head.state)
        .filter((state) => state !== null && canSee(state, actor))
        .map((state) => incidentSummary(state as NonNullable<MaybeIncident>));
      return { status: 200, body: { items, cursor: page.cursor } };
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'invalid' }]);
      }
      throw error;
    }
  },
);
