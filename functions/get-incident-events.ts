import { NotFoundError } from '../events/errors.ts';
import { canReadEvents, redactEventData } from '../events/incident/visibility.ts';
import { incidents } from './aggregates/incidents.ts';
import { httpHandler } from './http/http.ts';
import { incidentIdFrom } from './http/incident-id.ts';
import { pageLimit, readPage } from './http/paging.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** GET /incidents/{id}/events: the stream, oldest first, paged with `limit` and `cursor`. */
export const handler = httpHandler({ allow: ['member', 'secretariat', 'auditor'] }, async (request) => {
  const id = incidentIdFrom(request);
  const { state } = await loadAggregate(reader, incidents, id);
  if (state === null || !canReadEvents(state, request.actor)) throw new NotFoundError('no such incident');
  const limit = pageLimit(request.query.limit, 100, 1000);
  const page = await readPage(() =>
    reader.readEventsPage(incidents.streamId(id), { limit, cursor: request.query.cursor ?? null }),
  );
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
});
