import { ValidationError } from '../events/errors.ts';
import { auditClient, auditEventView, instantParam } from './audit/audit-http.ts';
import { readPeriodPage } from './audit/audit-log.ts';
import { auditScope } from './audit/audit-scope.ts';
import { httpHandler } from './http/http.ts';
import { invalidCursor, pageLimit } from './http/paging.ts';
import { eventsTable } from './runtime/config.ts';

const CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[^\s]{1,200}#\d{10}$/;

/**
 * GET /audit/events?from=&to=: every event recorded in the period, in recorded order across
 * all streams, paged by `cursor`. With `Accept: application/x-ndjson` each page is one
 * event per line and the next page's cursor is in `x-next-cursor`. An auditor granted fewer
 * sectors than all reads its sectors' index partitions and `shared`'s, and gets its sectors' events
 * only: a page may then hold fewer than `limit` events (a `shared` stream of sectors it does not
 * see, left out) and still have a next cursor.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const from = instantParam(request.query.from, 'from');
  const to = instantParam(request.query.to, 'to', new Date().toISOString());
  if (to < from)
    throw new ValidationError('to must not be before from', [{ path: 'to', message: 'before from' }]);
  const cursor = request.query.cursor ?? null;
  if (cursor !== null && !CURSOR.test(cursor)) throw invalidCursor();
  const ndjson = (request.event.headers?.accept ?? '').includes('application/x-ndjson');
  const limit = pageLimit(request.query.limit, ndjson ? 5000 : 100, ndjson ? 10000 : 1000);
  const scope = auditScope(request.actor);
  const page = await readPeriodPage(auditClient, eventsTable, {
    from,
    to,
    limit,
    cursor,
    groups: scope.groups,
  });
  const visible = await scope.visible(page.items.map((e) => e.streamId));
  const items = page.items.filter((e) => visible.has(e.streamId)).map(auditEventView);
  if (ndjson) {
    return {
      status: 200,
      headers: {
        'content-type': 'application/x-ndjson',
        ...(page.cursor ? { 'x-next-cursor': page.cursor } : {}),
      },
      rawBody: items.map((e) => `${JSON.stringify(e)}\n`).join(''),
    };
  }
  return { status: 200, body: { from, to, items, cursor: page.cursor } };
});
