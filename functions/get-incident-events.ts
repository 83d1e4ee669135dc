import { NotFoundError, ValidationError } from '../events/errors.ts';
import { canReadEvents, redactEventData } from '../events/incident/visibility.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { InvalidCursorError } from './commons/dynamodb-event-reader.ts';
import { httpHandler } from './commons/http.ts';
import { incidentIdFrom } from './commons/incident-id.ts';
import { incidents } from './commons/incidents.ts';
import { pageLimit } from './commons/paging.ts';
import { reader } from './commons/reader.ts';

/** GET /incidents/{id}/events: the stream, oldest first, paged with `limit` and `cursor`. */
export const handler = httpHandler({ allow: ['member', 'secretariat', 'auditor'] }, async (request) => {
  const id = incidentIdFrom(request);
  const { state } = await loadAggregate(reader, incidents, id);
  if (state === null || !canReadEvents(state, request.actor)) throw new NotFoundError('no such incident');
  const limit = pageLimit(request.query.limit, 100, 1000);
  try {
    const page = await reader.readEventsPage(incidents.streamId(id), {
      limit,
      cursor: request.query.cursor ?? null,
    });
    return {
      status: 200,
      body: {
        items: page.items.map((e) => ({
          version: e.version,
          type: e.type,
          recordedAt: e.recordedAt,
          actor: e.actor,
          schemaVersion: e.schemaVersion,
          data: redactEventData(e.type, e.data),
        })),
        cursor: page.cursor,
      },
    };
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'invalid' }]);
    throw error;
  }
});
