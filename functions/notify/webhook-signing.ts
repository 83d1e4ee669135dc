import { createHash, createHmac } from 'node:crypto';
import { signingKeys } from '../../events/directory/directory.ts';
import { organizations } from '../aggregates/organizations.ts';
import { secretKey } from '../runtime/secret-key.ts';
import { loadAggregate } from '../store/command-runner.ts';
import type { EventReader } from '../store/event-store.ts';
import type { WebhookKeys } from './senders.ts';

/**
 * Webhook signatures after the Standard Webhooks specification (standardwebhooks.com): headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list
 * of `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per key that signs. Receivers verify
 * with any Standard Webhooks library (the README has an example) and refuse timestamps older
 * than 5 minutes.
 *
 * An organisation's key is never stored: it is HMAC-SHA256(master, "ceptoar-webhook:<org>:<generation>"),
 * the master secret being the deliverer's (Secrets Manager in AWS, a file in the data folder
 * locally) and the generation an event on the organisation's directory stream
 * (`WebhookKeyRotated`). docs/ARCHITECTURE.md, "Webhook signatures", says why.
 */

/** The prefix Standard Webhooks libraries expect on a base64 secret. */
export const SECRET_PREFIX = 'whsec_';

/** The 32-byte signing key of one organisation's key generation. */
export function deriveWebhookKey(master: Uint8Array, org: string, generation: number): Buffer {
  return createHmac('sha256', master).update(`ceptoar-webhook:${org}:${generation}`).digest();
}

/** The key as the receiver is given it: `whsec_` and its base64. */
export const webhookSecret = (key: Uint8Array): string =>
  `${SECRET_PREFIX}${Buffer.from(key).toString('base64')}`;

/**
 * The `webhook-id` of a message: the same for every attempt at it (a receiver deduplicates on
 * it), different for each stream's message to each contact and channel.
 */
export function webhookId(streamId: string, key: string): string {
  return `msg_${createHash('sha256').update(`${streamId}\n${key}`).digest('base64url').slice(0, 32)}`;
}

/** One `v1,<signature>` per key, space-separated, over `id.timestamp.body`. */
export function webhookSignature(
  id: string,
  timestamp: number,
  body: string,
  keys: readonly Uint8Array[],
): string {
  return keys
    .map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`)
    .join(' ');
}

/** The three Standard Webhooks headers of one attempt, signed with each key. */
export function signedHeaders(
  message: { id: string; body: string; at: Date },
  keys: readonly Uint8Array[],
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = Math.floor(message.at.getTime() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': webhookSignature(message.id, timestamp, message.body, keys),
  };
}

/**
 * The master secret the organisations' keys derive from: in AWS the Secrets Manager secret the
 * stack creates (WEBHOOK_KEY_SECRET_ARN), locally a file in the data folder
 * (CEPTOAR_WEBHOOK_KEY_FILE). Read once.
 */
export const webhookMasterKey = secretKey(
  'webhook master key',
  'WEBHOOK_KEY_SECRET_ARN',
  'CEPTOAR_WEBHOOK_KEY_FILE',
);

/**
 * The keys that sign a webhook to an organisation now: each generation its directory stream says
 * still signs (the newest, and the one before it for 24 h after a rotation), or generation 0
 * when it was never rotated. Read afresh for every message: a rotation signs the very next delivery.
 */
export function directoryWebhookKeys(reader: EventReader, master: () => Promise<Uint8Array>): WebhookKeys {
  return async (org, at) => {
    const [{ state }, secret] = await Promise.all([loadAggregate(reader, organizations, org), master()]);
    const live = signingKeys(state?.webhookKeys ?? [], at.toISOString());
    const generations = live.length > 0 ? live.map((k) => k.generation) : [0];
    return generations.map((generation) => deriveWebhookKey(secret, org, generation));
  };
}
