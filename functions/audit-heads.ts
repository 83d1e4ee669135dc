import { auditClient } from './audit/audit-http.ts';
import { listAllHeads } from './audit/audit-log.ts';
import { auditScope } from './audit/audit-scope.ts';
import { httpHandler } from './http/http.ts';
import { eventsTable } from './runtime/config.ts';

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
