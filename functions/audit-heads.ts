import { STREAM_ID, STREAM_TYPE } from '../events/audit/types.ts';
import { ValidationError } from '../events/errors.ts';
import { auditClient } from './audit/audit-http.ts';
import { readHeadsPage } from './audit/audit-log.ts';
import { auditScope } from './audit/audit-scope.ts';
import { httpHandler } from './http/http.ts';
import { invalidCursor, pageLimit } from './http/paging.ts';
import { eventsTable } from './runtime/config.ts';

/** A heads cursor: `h.` and the last stream id a page covered, base64url. */
const CURSOR = /^h\.[A-Za-z0-9_-]{1,1400}$/;

const encodeCursor = (streamId: string): string => `h.${Buffer.from(streamId, 'utf8').toString('base64url')}`;

function decodeCursor(raw: string | undefined): string {
  if (raw === undefined) return '';
  const streamId = CURSOR.test(raw) ? Buffer.from(raw.slice(2), 'base64url').toString('utf8') : '';
  // A stream id as the audit routes take one, and what it encodes again (no stray bytes).
  if (!STREAM_ID.test(streamId) || encodeCursor(streamId) !== raw) throw invalidCursor();
  return streamId;
}

/**
 * GET /audit/heads: every stream's head (id, type, version, last hash) in stream-id order, a page
 * at a time (`limit`, default 5,000, at most 20,000: a page stays well inside a Lambda response's
 * 6 MB), the next page's `cursor` in the body (null after the last); `?type=` one stream type's
 * heads only (a Query of that range of every shard: the console's stream picker). An auditor granted fewer
 * sectors than all gets its sectors' streams only: a page may then hold fewer than `limit` heads,
 * even none, and still have a cursor, as the cursor walks every sector's heads.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const limit = pageLimit(request.query.limit, 5000, 20_000);
  const after = decodeCursor(request.query.cursor);
  const { type } = request.query;
  if (type !== undefined && !STREAM_TYPE.test(type))
    throw new ValidationError('type must be a stream type such as survey', [
      { path: 'type', message: 'invalid' },
    ]);
  const page = await readHeadsPage(auditClient, eventsTable, auditScope(request.actor), {
    after,
    limit,
    ...(type ? { type } : {}),
  });
  return {
    status: 200,
    body: { items: page.items, cursor: page.cursor === null ? null : encodeCursor(page.cursor) },
  };
});
