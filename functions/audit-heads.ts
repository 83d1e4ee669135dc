import { auditClient } from './commons/audit-http.ts';
import { listAllHeads } from './commons/audit-log.ts';
import { eventsTable } from './commons/config.ts';
import { httpHandler } from './commons/http.ts';

/** GET /audit/heads: every stream's head (id, type, version, last hash), sorted by stream id. */
export const handler = httpHandler({ allow: ['auditor'] }, async () => {
  const heads = await listAllHeads(auditClient, eventsTable);
  return { status: 200, body: { items: heads } };
});
