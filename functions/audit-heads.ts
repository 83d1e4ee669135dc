import { auditClient } from './commons/audit-http.ts';
import { listAllHeads } from './commons/audit-log.ts';
import { auditScope } from './commons/audit-scope.ts';
import { eventsTable } from './commons/config.ts';
import { httpHandler } from './commons/http.ts';

/**
 * GET /audit/heads: every stream's head (id, type, version, last hash), sorted by stream id;
 * for an auditor granted fewer sectors than all, the heads of its sectors' streams only.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const heads = await listAllHeads(auditClient, eventsTable);
  const scope = auditScope(request.actor);
  const visible = await scope.visible(heads.map((h) => h.streamId));
  return { status: 200, body: { items: heads.filter((h) => visible.has(h.streamId)) } };
});
