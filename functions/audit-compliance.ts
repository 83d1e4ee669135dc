import { ValidationError } from '../events/errors.ts';
import { streamTypeOf } from './audit/audit-aggregates.ts';
import { complianceOf } from './audit/audit-compliance.ts';
import { auditClient, instantParam } from './audit/audit-http.ts';
import { periodEvents, streamEvents } from './audit/audit-log.ts';
import { auditScope } from './audit/audit-scope.ts';
import { exerciseFilter } from './exercises/filter.ts';
import { httpHandler } from './http/http.ts';
import { eventsTable } from './runtime/config.ts';
import type { StoredEvent } from './store/event-store.ts';

/** The incidents' events of a period: the only ones the report reads, so the scope looks up no other head. */
async function* incidentEvents(events: AsyncIterable<StoredEvent>): AsyncIterable<StoredEvent> {
  for await (const e of events) if (streamTypeOf(e.streamId) === 'incident') yield e;
}

/**
 * GET /audit/compliance?from=&to=: per hop and severity, how many runs that started in the
 * period met their first deadline, missed it or are still open, the escalations and the
 * slowest runs; and per reporting stage (events/reporting.ts) how many were submitted on time,
 * late, missed or are still open; the same report as `npm run audit -- compliance`. An auditor
 * granted fewer sectors than all counts its sectors' incidents only.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const now = new Date().toISOString();
  const from = instantParam(request.query.from, 'from');
  const to = instantParam(request.query.to, 'to', now);
  if (to < from)
    throw new ValidationError('to must not be before from', [{ path: 'to', message: 'before from' }]);
  const scope = auditScope(request.actor);
  const log = {
    periodEvents: (f: string, t: string) =>
      scope.filter(incidentEvents(periodEvents(auditClient, eventsTable, f, t, { groups: scope.groups }))),
    streamEvents: (streamId: string) => streamEvents(auditClient, eventsTable, streamId),
  };
  // An exercise's incidents count only in that exercise's report (`?exercise=ID`), never in the real one.
  const exercise = exerciseFilter(request.query.exercise);
  const { rows, stages } = await complianceOf(log, { from, to, now, ...(exercise ? { exercise } : {}) });
  return { status: 200, body: { from, to, now, ...(exercise ? { exercise } : {}), rows, stages } };
});
