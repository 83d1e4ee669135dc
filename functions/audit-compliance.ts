import { ValidationError } from '../events/errors.ts';
import { complianceOf } from './commons/audit-compliance.ts';
import { auditClient, instantParam } from './commons/audit-http.ts';
import { periodEvents, streamEvents } from './commons/audit-log.ts';
import { eventsTable } from './commons/config.ts';
import { httpHandler } from './commons/http.ts';

const log = {
  periodEvents: (from: string, to: string) => periodEvents(auditClient, eventsTable, from, to),
  streamEvents: (streamId: string) => streamEvents(auditClient, eventsTable, streamId),
};

/**
 * GET /audit/compliance?from=&to=: per hop and severity, how many runs that started in the
 * period met their first deadline, missed it or are still open, the escalations and the
 * slowest runs; and per reporting stage (events/reporting.ts) how many were submitted on time,
 * late, missed or are still open; the same report as `npm run audit -- compliance`.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const now = new Date().toISOString();
  const from = instantParam(request.query.from, 'from');
  const to = instantParam(request.query.to, 'to', now);
  if (to < from)
    throw new ValidationError('to must not be before from', [{ path: 'to', message: 'before from' }]);
  // An exercise's incidents count only in that exercise's report (`?exercise=ID`), never in the real one.
  const exercise = request.query.exercise || undefined;
  const { rows, stages } = await complianceOf(log, { from, to, now, ...(exercise ? { exercise } : {}) });
  return { status: 200, body: { from, to, now, ...(exercise ? { exercise } : {}), rows, stages } };
});
