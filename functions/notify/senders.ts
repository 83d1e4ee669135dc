import { MessageRejected, type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { loadedOnce } from '../runtime/loaded-once.ts';
import type { OutboundNotification } from './notifier.ts';
import { signedHeaders, webhookId } from './webhook-signing.ts';

/** A delivery's outcome. A transient failure is thrown instead, so the queue retries it. */
export type Outcome = { ok: true; messageId: string } | { ok: false; reason: string };

/** A webhook's answer that the queue retries (5xx, 1xx): its status, never its body. */
export class WebhookStatusError extends Error {
  override readonly name = 'WebhookStatusError';
  constructor(readonly status: number) {
    super(`webhook answered HTTP ${status}`);
  }
}

/** Sends one message on its channel. */
export type Sender = (message: OutboundNotification) => Promise<Outcome>;

/** E-mail through SES v2; a rejected message is a permanent failure. */
export const emailSender =
  (client: SESv2Client, from: string): Sender =>
  async (m) => {
    try {
      const result = await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [m.to] },
          Content: {
            Simple: {
              Subject: { Data: m.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: m.body, Charset: 'UTF-8' } },
            },
          },
        }),
      );
      return { ok: true, messageId: result.MessageId ?? 'unknown' };
    } catch (error) {
      // SES's message names the refused identity (an address): the reason recorded on the stream does not.
      if (error instanceof MessageRejected) return { ok: false, reason: 'rejected by SES (MessageRejected)' };
      throw error;
    }
  };

/** SMS through SNS's direct publish to a phone number, as a transactional message. */
export const smsSender =
  (client: SNSClient): Sender =>
  async (m) => {
    const result = await client.send(
      new PublishCommand({
        PhoneNumber: m.to,
        Message: m.body,
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      }),
    );
    return { ok: true, messageId: result.MessageId ?? 'unknown' };
  };

/**
 * A sender whose module is loaded when the first message needs it (functions/runtime/lazy-module.ts): a
 * failed load is tried again by the next message.
 */
export const onFirstUse = (load: () => Promise<Sender>): Sender => {
  const sender = loadedOnce(load);
  return async (m) => (await sender())(m);
};

/** The keys that sign a webhook to an organisation at a moment (several during a key rotation's overlap). */
export type WebhookKeys = (org: string, at: Date) => Promise<readonly Uint8Array[]>;

/** What a webhook receives: the body is this JSON (its schema is the OpenAPI document's `webhooks`). */
export const webhookPayload = (m: OutboundNotification) =>
  JSON.stringify({ type: m.purpose, data: { subject: m.subject, text: m.body } });

/**
 * The organisation a message goes to: named on it, or (messages queued before it was) read from
 * a recipient stream's id, `advisory-recipient#<advisory>#<org>`.
 */
const orgOf = (m: OutboundNotification): string | undefined =>
  m.org ?? (m.streamId.startsWith('advisory-recipient#') ? m.streamId.split('#')[2] : undefined);

/**
 * HTTPS webhook, signed after Standard Webhooks (functions/notify/webhook-signing.ts) with the
 * organisation's keys; every attempt at one message carries the same `webhook-id` and a fresh
 * timestamp. A 2xx is delivered, a 3xx or 4xx is a permanent failure, anything else is retried.
 * Redirects are not followed: the directory's https address is the only one a message goes to, never
 * an http:// or internal address a compromised receiver points it at (docs/SECURITY.md, API7).
 * The answer's body is never read. `loopbackHttp` (the local stack only) sends an https address on
 * 127.0.0.1 or localhost over plain http, so a receiver on this machine needs no certificate.
 */
export const webhookSender =
  (
    keys: WebhookKeys,
    options: { timeoutMs?: number; now?: () => Date; loopbackHttp?: boolean } = {},
  ): Sender =>
  async (m) => {
    const org = orgOf(m);
    if (org === undefined) return { ok: false, reason: 'no organisation to sign the webhook for' };
    const at = options.now?.() ?? new Date();
    const body = webhookPayload(m);
    const headers = signedHeaders({ id: webhookId(m.streamId, m.key), body, at }, await keys(org, at));
    const response = await fetch(options.loopbackHttp ? loopback(m.to) : m.to, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      redirect: 'manual',
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true, messageId: `http-${response.status}` };
    if (response.status >= 300 && response.status < 400)
      return { ok: false, reason: `HTTP ${response.status}: a webhook must answer, not redirect` };
    if (response.status >= 400 && response.status < 500)
      return { ok: false, reason: `HTTP ${response.status}` };
    throw new WebhookStatusError(response.status);
  };

function loopback(address: string): string {
  const url = new URL(address);
  if (url.protocol === 'https:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    url.protocol = 'http:';
  return url.href;
}
