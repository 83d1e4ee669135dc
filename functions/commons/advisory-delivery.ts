import { systemActor } from '../../events/actor.ts';
import type { AdvisoryPurpose } from '../../events/advisory/advisory.ts';
import { advisories, RECIPIENT_STREAM_PREFIX, recipients } from './advisories.ts';
import { loadAggregate, runCommand } from './command-runner.ts';
import { policy } from './config.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';
import { store } from './store.ts';

const actor = systemActor('notifier');

/**
 * Delivers one advisory message and records it: a recipient's on its own stream (thousands
 * in parallel, no contention), a hop's on the advisory's stream. A key already recorded is
 * not sent again (a redelivered queue message).
 */
export async function deliverAdvisoryMessage(
  message: OutboundNotification,
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<void> {
  const ctx = { now: new Date().toISOString(), actor, policy };
  if (message.streamId.startsWith(RECIPIENT_STREAM_PREFIX)) {
    const id = message.streamId.slice(RECIPIENT_STREAM_PREFIX.length);
    const { state } = await loadAggregate(store, recipients, id);
    if (state?.deliveries.some((d) => d.key === message.key)) return;
    const [advisoryId = '', org = ''] = id.split('#');
    const outcome = await send(message);
    await runCommand(
      store,
      recipients,
      id,
      {
        type: 'RecordDelivery',
        data: {
          advisoryId,
          org,
          key: message.key,
          purpose: message.purpose === 'reminder' ? 'reminder' : 'advisory',
          contactId: message.contactId ?? 'unknown',
          channel: message.channel,
          to: message.to,
          outcome,
        },
      },
      { ...ctx, advisory: null },
      { retryOnConflict: true },
    );
    return;
  }
  const id = message.streamId.slice('advisory#'.length);
  const { state } = await loadAggregate(store, advisories, id);
  if (state === null) throw new Error(`no advisory ${id} for notification ${message.key}`);
  if (state.deliveries.some((d) => d.key === message.key)) return;
  const outcome = await send(message);
  await runCommand(
    store,
    advisories,
    id,
    {
      type: 'RecordAdvisoryNotification',
      data: {
        key: message.key,
        purpose: message.purpose as AdvisoryPurpose,
        channel: message.channel,
        to: message.to,
        outcome,
      },
    },
    ctx,
    { retryOnConflict: true },
  );
}
