import type { Actor } from '../../events/actor.ts';
import type { AdvisoryState, MaybeRecipient, RecipientEvent } from '../../events/advisory/advisory.ts';
import type { RecipientCommand, RecipientContext } from '../../events/advisory/decide.ts';
import { NotFoundError } from '../../events/errors.ts';
import { advisories, recipientId, recipients } from '../aggregates/advisories.ts';
import { policy } from '../runtime/policy-config.ts';
import { loadAggregate } from '../store/command-runner.ts';
import { type GroupedCommand, type GroupedOutcome, runGrouped } from '../store/group-commit.ts';
import { store } from '../store/store.ts';

/**
 * Everything an acknowledgement checks (recipients, TLP, named logins) is fixed once the
 * advisory is distributed, so a container keeps those states: when thousands click at once,
 * each click reads only its own recipient stream, not the advisory's large head again.
 */
const distributed = new Map<string, AdvisoryState>();
const CACHE_LIMIT = 100;

export async function distributedAdvisory(advisoryId: string): Promise<AdvisoryState> {
  const cached = distributed.get(advisoryId);
  if (cached) return cached;
  const { state } = await loadAggregate(store, advisories, advisoryId);
  if (state === null) throw new NotFoundError('no such advisory');
  if (state.distributedAt !== null) {
    if (distributed.size >= CACHE_LIMIT) distributed.delete(distributed.keys().next().value as string);
    distributed.set(advisoryId, state);
  }
  return state;
}

/** The answer to an acknowledgement: recorded now, or already recorded (nothing written). */
export interface AckAnswer {
  readonly advisoryId: string;
  readonly org: string;
  readonly status: 'acknowledged' | 'already_acknowledged';
  readonly acknowledgedAt: string | null;
}

type Pending = {
  readonly command: GroupedCommand<RecipientCommand, RecipientContext>;
  readonly resolve: (outcome: GroupedOutcome<MaybeRecipient, RecipientEvent>) => void;
  readonly reject: (error: unknown) => void;
};

/** How long an acknowledgement waits for others to share its transaction (group commit). */
const GROUP_WINDOW_MS = 3;
let queue: Pending[] = [];
let scheduled = false;

async function flush(): Promise<void> {
  scheduled = false;
  const batch = queue;
  queue = [];
  try {
    const outcomes = await runGrouped(
      store,
      recipients,
      batch.map((p) => p.command),
    );
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome) p.resolve(outcome);
      else p.reject(new Error('no outcome'));
    });
  } catch (error) {
    for (const p of batch) p.reject(error);
  }
}

/**
 * Appends an acknowledgement together with those arriving within a few milliseconds, in one
 * transaction per up to 100 items: when thousands click at once, the store sees dozens of
 * transactions instead of thousands. A lone acknowledgement waits at most GROUP_WINDOW_MS.
 */
function grouped(command: GroupedCommand<RecipientCommand, RecipientContext>) {
  return new Promise<GroupedOutcome<MaybeRecipient, RecipientEvent>>((resolve, reject) => {
    queue.push({ command, resolve, reject });
    if (!scheduled) {
      scheduled = true;
      setTimeout(() => void flush(), GROUP_WINDOW_MS);
    }
  });
}

/**
 * Records a recipient's acknowledgement on its own stream (never the advisory's: thousands
 * acknowledge at once). A repeat by the same contact or person writes nothing.
 */
export async function acknowledgeAdvisory(
  actor: Actor,
  advisoryId: string,
  org: string,
  contactId: string | null,
  via: 'link' | 'api',
): Promise<AckAnswer> {
  const advisory = await distributedAdvisory(advisoryId);
  const outcome = await grouped({
    id: recipientId(advisoryId, org),
    command: { type: 'Acknowledge', data: { advisoryId, org, contactId, via } },
    ctx: { now: new Date().toISOString(), actor, policy, advisory },
  });
  if (!outcome.ok) throw outcome.error;
  return {
    advisoryId,
    org,
    status: outcome.events.length > 0 ? 'acknowledged' : 'already_acknowledged',
    acknowledgedAt: outcome.state?.acknowledgedAt ?? null,
  };
}
