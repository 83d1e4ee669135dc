import type { Actor } from '../../events/actor.ts';
import { NotFoundError } from '../../events/errors.ts';
import { advisories, recipientId, recipients } from './advisories.ts';
import { loadAggregate, runCommand } from './command-runner.ts';
import { policy } from './config.ts';
import { store } from './store.ts';

/** The answer to an acknowledgement: recorded now, or already recorded (nothing written). */
export interface AckAnswer {
  readonly advisoryId: string;
  readonly org: string;
  readonly status: 'acknowledged' | 'already_acknowledged';
  readonly acknowledgedAt: string | null;
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
  const { state: advisory } = await loadAggregate(store, advisories, advisoryId);
  if (advisory === null) throw new NotFoundError('no such advisory');
  const result = await runCommand(
    store,
    recipients,
    recipientId(advisoryId, org),
    { type: 'Acknowledge', data: { advisoryId, org, contactId, via } },
    { now: new Date().toISOString(), actor, policy, advisory },
    { retryOnConflict: true },
  );
  return {
    advisoryId,
    org,
    status: result.events.length > 0 ? 'acknowledged' : 'already_acknowledged',
    acknowledgedAt: result.state?.acknowledgedAt ?? null,
  };
}
