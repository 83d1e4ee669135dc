import type { MaybeAdvisory } from '../events/advisory/advisory.ts';
import { advisories } from '../functions/commons/advisories.ts';
import type { EventReader } from '../functions/commons/event-store.ts';
import type { RelayWorkflow } from '../functions/commons/workflow.ts';

/**
 * After a restart of the local stack, gives every advisory still in flight (a forward
 * pending, or its acknowledgement window open) a new workflow execution that plans from the
 * log: the local Step Functions endpoint forgets executions, AWS does not. Returns how many.
 */
export async function resumeAdvisories(options: {
  store: EventReader;
  workflow: RelayWorkflow;
  now?: () => number;
}): Promise<number> {
  const stamp = (options.now ?? Date.now)();
  let resumed = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<EventReader['listHeads']>> = await options.store.listHeads<MaybeAdvisory>(
      { index: 'byType', key: advisories.streamType },
      { limit: 100, cursor },
    );
    for (const head of page.items) {
      const state = head.state as MaybeAdvisory;
      if (state === null || state.status === 'closed' || state.stalledHop !== null) continue;
      await options.workflow.start(`${state.id}-resume-${stamp}`, { advisoryId: state.id });
      resumed++;
    }
    cursor = page.cursor;
  } while (cursor);
  return resumed;
}
