import { childIssue, type ForkEvent, type ForkState } from '../../events/advisory/fork.ts';
import { IllegalStateError } from '../../events/errors.ts';
import type { Recorded } from '../../events/incident/incident.ts';
import { advisories } from '../aggregates/advisories.ts';
import { loadRoster } from '../http/advisory-http.ts';
import { policy } from '../runtime/policy-config.ts';
import { runCommand } from '../store/command-runner.ts';
import type { EventStore } from '../store/event-store.ts';

/**
 * The reaction to a committed fork (stream-reactor): one ordinary advisory per sector, issued as
 * the fork's issuer (the actor the event recorded) with the child id the fork recorded. Safe to run
 * more than once: a child already there is an IllegalStateError of its own decision, and nothing
 * is written for it again.
 */
export async function reactToFork(
  event: Recorded<ForkEvent>,
  state: ForkState,
  store: EventStore,
  now: string,
): Promise<void> {
  switch (event.type) {
    case 'AdvisoryForked':
      for (const child of state.children) {
        try {
          await runCommand(
            store,
            advisories,
            child.advisoryId,
            childIssue(state, child, await loadRoster(store, child.sector)),
            { now, actor: event.actor, policy },
          );
        } catch (error) {
          if (!(error instanceof IllegalStateError)) throw error;
        }
      }
      return;
    default: {
      const _never: never = event.type;
      return _never;
    }
  }
}
