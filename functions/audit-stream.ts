import { NotFoundError } from '../events/errors.ts';
import { auditFoldings, streamTypeOf } from './commons/audit-aggregates.ts';
import { auditClient, auditEventView, instantParam, streamIdParam } from './commons/audit-http.ts';
import { streamEvents } from './commons/audit-log.ts';
import { replayStream } from './commons/audit-replay.ts';
import { auditScope } from './commons/audit-scope.ts';
import { eventsTable } from './commons/config.ts';
import { httpHandler } from './commons/http.ts';
import { canSeeStream } from './commons/sector-lists.ts';

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
