import { NotFoundError } from '../events/errors.ts';
import { auditFoldings, streamTypeOf } from './audit/audit-aggregates.ts';
import { auditClient, auditEventView, instantParam, streamIdParam } from './audit/audit-http.ts';
import { streamEvents } from './audit/audit-log.ts';
import { replayStream } from './audit/audit-replay.ts';
import { auditScope } from './audit/audit-scope.ts';
import { canSeeStream } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { eventsTable } from './runtime/config.ts';

/** GET /audit/streams/{id}?asOf=: the state of any stream as it was at a moment, and the events up to it. */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const streamId = streamIdParam(request.params.id ?? '', 'id');
  const asOf = request.query.asOf === undefined ? null : instantParam(request.query.asOf, 'asOf');
  const type = streamTypeOf(streamId);
  const replay = await replayStream(
    streamId,
    streamEvents(auditClient, eventsTable, streamId),
    auditFoldings[type],
    asOf,
  );
  if (replay.version === 0) throw new NotFoundError(asOf ? `no such stream at ${asOf}` : 'no such stream');
  // An auditor granted one sector reads that sector's streams only; another's is not there (404).
  // A recipient's state names no sector: its advisory's head decides.
  const visible =
    type === 'advisory-recipient'
      ? await auditScope(request.actor).sees(streamId)
      : canSeeStream(request.actor, streamId, type, replay.state);
  if (!visible) throw new NotFoundError('no such stream');
  return {
    status: 200,
    body: {
      streamId,
      streamType: type,
      asOf,
      version: replay.version,
      folded: auditFoldings[type] !== undefined,
      state: replay.state,
      events: replay.events.map(auditEventView),
    },
  };
});
