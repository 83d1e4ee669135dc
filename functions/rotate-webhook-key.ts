import { WEBHOOK_KEY_OVERLAP_HOURS } from '../events/directory/directory.ts';
import * as z from '../events/zod.ts';
import { organizations, orgIdFrom } from './aggregates/organizations.ts';
import { httpHandler } from './http/http.ts';
import { deriveWebhookKey, webhookMasterKey, webhookSecret } from './notify/webhook-signing.ts';
import { runCommand } from './store/command-runner.ts';
import { store } from './store/store.ts';

/** The body of POST /directory/organizations/{org}/webhook-keys: nothing to say (an empty object or none). */
export const rotateWebhookKeyBody = z.strictObject({});

/**
 * POST /directory/organizations/{org}/webhook-keys: the organisation's own member or the
 * secretariat starts a new generation of its webhook signing key and is answered the key, once
 * (it is derived, never stored; a retry starts yet another generation). Deliveries are signed
 * with the new key at once, and with the previous one too for 24 hours.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat'], body: rotateWebhookKeyBody },
  async (request) => {
    const org = orgIdFrom(request.params);
    const result = await runCommand(
      store,
      organizations,
      org,
      { type: 'RotateWebhookKey', data: { org } },
      { now: new Date().toISOString(), actor: request.actor },
      { retryOnConflict: true },
    );
    const keys = result.state?.webhookKeys ?? [];
    const current = keys.at(-1);
    if (current === undefined) throw new Error('a rotation recorded no key generation');
    const overlap = WEBHOOK_KEY_OVERLAP_HOURS * 3_600_000;
    const signsUntil = (i: number) => new Date(Date.parse(keys[i + 1]?.since ?? '') + overlap).toISOString();
    const secret = webhookSecret(deriveWebhookKey(await webhookMasterKey(), org, current.generation));
    return {
      status: 201,
      // The key is in this answer only: no cache, no proxy, may keep it.
      headers: { 'cache-control': 'no-store' },
      body: {
        org,
        generation: current.generation,
        secret,
        since: current.since,
        previous: keys.slice(0, -1).map((k, i) => ({ generation: k.generation, signsUntil: signsUntil(i) })),
        overlapHours: WEBHOOK_KEY_OVERLAP_HOURS,
      },
    };
  },
);
