import type { AdvisoryEvent, AdvisoryState, MaybeAdvisory } from '../events/advisory/advisory.ts';
import type { Recorded } from '../events/incident/incident.ts';
import { advisories, loadRecipients } from '../functions/aggregates/advisories.ts';
import type { Notifier, OutboundNotification } from '../functions/notify/notifier.ts';
import { type AdvisoryMessageDeps, advisoryMessagesFor } from '../functions/reactions/advisory-reactions.ts';
import { loadAggregate } from '../functions/store/command-runner.ts';
import type { EventReader } from '../functions/store/event-store.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';
import { forEachOpen } from './recover.ts';

/** A closed advisory's last messages (the window-closed notice) are still worth sending this long after. */
const RECENTLY_CLOSED_MS = 3_600_000;

/**
 * After a restart of the local stack, picks up from the log what lived only in memory, for the
 * advisories the sparse byOpen index lists (closed ones whose closing notice is recorded are not read):
 * - every advisory still in flight (a forward pending, or its acknowledgement window open)
 *   gets a new workflow execution that plans from the log (the local Step Functions endpoint
 *   forgets executions, AWS does not);
 * - messages its events called for that no stream records as delivered or failed are
 *   published again (fauxqs keeps no queue on disk; in AWS the SQS queue keeps them).
 */
export async function resumeAdvisories(options: {
  store: EventReader;
  workflow: RelayWorkflow;
  notifier: Notifier;
  deps: AdvisoryMessageDeps;
  now?: () => number;
}): Promise<{ resumed: number; republished: number }> {
  const stamp = (options.now ?? Date.now)();
  let resumed = 0;
  let republished = 0;
  // Only the advisories the sparse byOpen index lists: not closed, or the closing notice not recorded.
  // As many at once as the incidents' recovery (forEachOpen).
  await forEachOpen(options.store, advisories.streamType, async (streamId) => {
    const { state } = await loadAggregate<MaybeAdvisory, AdvisoryEvent>(
      options.store,
      advisories,
      streamId.slice('advisory#'.length),
    );
    if (state === null) return;
    if (state.status !== 'closed' && state.stalledHop === null) {
      await options.workflow.start(`${state.id}-resume-${stamp}`, { advisoryId: state.id });
      resumed++;
    }
    if (state.closedAt !== null && stamp - Date.parse(state.closedAt) > RECENTLY_CLOSED_MS) return;
    const missing = await undeliveredMessages(options.store, state, options.deps);
    if (missing.length > 0) await options.notifier.publish(missing);
    republished += missing.length;
  });
  return { resumed, republished };
}

/**
 * The messages an advisory's events call for (planned from its state now, as the reactor
 * does) whose key no stream records: the chain's on the advisory's own stream, the
 * recipients' on each recipient stream.
 */
export async function undeliveredMessages(
  reader: EventReader,
  state: AdvisoryState,
  deps: AdvisoryMessageDeps,
): Promise<OutboundNotification[]> {
  const recorded = new Set(state.deliveries.map((d) => d.key));
  if (state.distributedAt !== null) {
    for (const r of await loadRecipients(reader, state.id)) for (const d of r.deliveries) recorded.add(d.key);
  }
  const missing: OutboundNotification[] = [];
  for await (const stored of reader.readEvents(advisories.streamId(state.id))) {
    const event = advisories.upcast(stored) as Recorded<AdvisoryEvent>;
    for (const m of await advisoryMessagesFor(event, state, deps)) if (!recorded.has(m.key)) missing.push(m);
  }
  return missing;
}
