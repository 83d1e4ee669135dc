import type { IncidentEvent, IncidentState, Recorded } from '../events/incident/incident.ts';
import { stageWorkPending } from '../events/incident/stage-alarms.ts';
import { incidents, relayOpen } from '../functions/aggregates/incidents.ts';
import type { Notifier } from '../functions/notify/notifier.ts';
import { messagesFor, type ReactionDeps } from '../functions/reactions/reactions.ts';
import { forEachLimit } from '../functions/runtime/parallel.ts';
import { loadAggregate } from '../functions/store/command-runner.ts';
import { allOpen, type EventReader } from '../functions/store/event-store.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';

/**
 * Streams recovered at once. Each is a few reads, a workflow start and a publish; one after another,
 * a stack killed with about a thousand relays in flight took over a minute to answer again.
 */
export const RECOVERY_IN_FLIGHT = 16;

/** Runs `task` on every stream of a type the byOpen index lists, {@link RECOVERY_IN_FLIGHT} at a time. */
export async function forEachOpen(
  store: Pick<EventReader, 'listOpen'>,
  streamType: string,
  task: (streamId: string) => Promise<void>,
): Promise<void> {
  const open: string[] = [];
  for await (const streamId of allOpen(store, streamType, 1000)) open.push(streamId);
  await forEachLimit(open, RECOVERY_IN_FLIGHT, task);
}

/**
 * After a restart of the local stack, picks up from the event log what lived only in
 * memory: the relay workflows and the reporting stages' alarm workflows (AWS keeps executions;
 * the local endpoint does not) and notifications published but not yet delivered (fauxqs keeps no
 * queue on disk). Reads only the incidents the sparse byOpen index lists (a relay waiting on a hop,
 * a stage alarm to come, a notice not yet recorded as delivered or failed), each as a view reads it
 * (its head and the events after it), so a closed incident costs nothing however many there are.
 * A new execution plans from the log: an alarm already recorded is not recorded again. The streams are
 * recovered {@link RECOVERY_IN_FLIGHT} at a time, each on its own (a workflow per stream, its own messages).
 */
export async function recoverFromEventLog(options: {
  store: EventReader;
  workflow: RelayWorkflow;
  /** The stage-alarm workflow (subject stagesOf); without it, only the relays are resumed. */
  stageWorkflow?: RelayWorkflow;
  notifier: Notifier;
  deps: Pick<ReactionDeps, 'directory' | 'publicUrl'>;
  now?: () => number;
}): Promise<{ resumed: number; republished: number }> {
  let resumed = 0;
  let republished = 0;
  const stamp = (options.now ?? Date.now)();
  await forEachOpen(options.store, incidents.streamType, async (streamId) => {
    const { state } = await loadAggregate(options.store, incidents, streamId.slice('incident#'.length));
    if (state === null) return;
    if (relayOpen(state)) {
      await options.workflow.start(`${state.id}-resume-${stamp}`, { incidentId: state.id });
      resumed++;
    }
    if (options.stageWorkflow && stageWorkPending(state)) {
      await options.stageWorkflow.start(`${state.id}-resume-${stamp}`, { stagesOf: state.id });
      resumed++;
    }
    republished += await republishUndelivered(options, state);
  });
  return { resumed, republished };
}

async function republishUndelivered(
  options: { store: EventReader; notifier: Notifier; deps: Pick<ReactionDeps, 'directory' | 'publicUrl'> },
  state: IncidentState,
): Promise<number> {
  const delivered = new Set(state.deliveries.map((d) => d.key));
  const missing = [];
  for await (const stored of options.store.readEvents(incidents.streamId(state.id))) {
    const event = incidents.upcast(stored) as Recorded<IncidentEvent>;
    missing.push(...messagesFor(event, state, options.deps).filter((m) => !delivered.has(m.key)));
  }
  if (missing.length > 0) await options.notifier.publish(missing);
  return missing.length;
}
