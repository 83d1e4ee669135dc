import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookPayloadSchema } from '../events/api/webhook.ts';
import { AttemptFailed, lastAttemptRecorded } from '../functions/notify/delivery-retry.ts';
import { webhookSender } from '../functions/notify/senders.ts';
import {
  deriveWebhookKey,
  signedHeaders,
  webhookId,
  webhookSecret,
  webhookSignature,
} from '../functions/notify/webhook-signing.ts';

// The receiver and the address it redirects to (plain HTTP on loopback: the sender itself does not check
// the scheme; the directory's schema allows https:// only).
let receiver: Server;
let internal: Server;
let internalHits = 0;
/** What the receiver got, in order: headers and the raw body. */
let received: { headers: IncomingHttpHeaders; body: string }[] = [];
const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  internal = createServer((_req, res) => {
    internalHits += 1;
    res.end('{"secret":"instance credentials"}');
  });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = Number(req.url?.slice(1) ?? 200);
      res.writeHead(
        status,
        status >= 300 && status < 400 ? { location: `${url(internal)}/latest/meta-data` } : {},
      );
      res.end();
    });
  });
  await Promise.all([internal, receiver].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(() => {
  receiver.close();
  internal.close();
});
beforeEach(() => {
  received = [];
});

const MASTER = new Uint8Array(32).fill(9);
const KEY_1 = deriveWebhookKey(MASTER, 'asahi-petrochem', 1);
const KEY_2 = deriveWebhookKey(MASTER, 'asahi-petrochem', 2);

const message = (to: string) => ({
  key: '1:advisory:asahi-csirt:webhook',
  streamId: 'advisory-recipient#7c9e6679-7425-40de-944b-e07fc1f90ae7#asahi-petrochem',
  org: 'asahi-petrochem',
  purpose: 'advisory' as never,
  channel: 'webhook' as const,
  to,
  subject: 'subject',
  body: 'body',
});

/** A sender whose organisation signs with these keys. */
const sender = (keys: Uint8Array[] = [KEY_1], now?: () => Date) =>
  webhookSender(async () => keys, now ? { now } : {});

/** The receiver's side: a Standard Webhooks verifier with the secret it was given. */
const verify = (secret: string, got: { headers: IncomingHttpHeaders; body: string }) =>
  new Webhook(secret).verify(got.body, got.headers as Record<string, string>);

describe('webhook deliveries', () => {
  it('delivers on a 2xx', async () => {
    expect(await sender()(message(`${url(receiver)}/204`))).toEqual({
      ok: true,
      messageId: 'http-204',
    });
  });

  it.each([301, 302, 303, 307, 308])(
    'never follows a %i to another address, and fails for good',
    async (status) => {
      const outcome = await sender()(message(`${url(receiver)}/${status}`));
      expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining(`HTTP ${status}`) });
      expect(internalHits).toBe(0);
    },
  );

  it('fails for good on a 4xx and leaves a 5xx to the queue', async () => {
    expect(await sender()(message(`${url(receiver)}/410`))).toEqual({ ok: false, reason: 'HTTP 410' });
    await expect(sender()(message(`${url(receiver)}/503`))).rejects.toThrow(/HTTP 503/);
  });

  it('names a retried attempt by its class only: the status a webhook answered, or the network error, with the next attempt’s time', async () => {
    const now = () => new Date('2026-12-04T00:00:00Z');
    const retried = async (to: string, attempt: number) => {
      const error = await lastAttemptRecorded(
        sender(),
        attempt,
        1,
        now,
      )(message(to)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AttemptFailed);
      return (error as AttemptFailed).retried;
    };
    expect(await retried(`${url(receiver)}/503`, 1)).toEqual({
      attempt: 1,
      status: 503,
      error: 'HTTP 503',
      nextAttemptAt: '2026-12-04T00:00:30.000Z',
    });
    // A port nothing listens on any more: no answer, the code of the refusal, and 4 minutes after a fourth attempt.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const gone = url(closed);
    await new Promise((r) => closed.close(r));
    expect(await retried(`${gone}/hook`, 4)).toEqual({
      attempt: 4,
      error: 'ECONNREFUSED',
      nextAttemptAt: '2026-12-04T00:04:00.000Z',
    });
    // The fifth is the last: recorded as a failed delivery, not retried.
    expect(await lastAttemptRecorded(sender(), 5, 1, now)(message(`${url(receiver)}/503`))).toEqual({
      ok: false,
      reason: 'gave up after 5 attempts: HTTP 503',
    });
  });

  it('sends a body the documented payload schema accepts, signed so a Standard Webhooks verifier accepts it', async () => {
    await sender()(message(`${url(receiver)}/200`));
    const [got] = received;
    if (!got) throw new Error('nothing received');
    expect(webhookPayloadSchema.safeParse(JSON.parse(got.body)).success).toBe(true);
    expect(verify(webhookSecret(KEY_1), got)).toEqual({
      type: 'advisory',
      data: { subject: 'subject', text: 'body' },
    });
    // Another organisation's key (or the next generation's, not yet given out) does not verify it.
    const other = webhookSecret(deriveWebhookKey(MASTER, 'tokai-chemical', 1));
    expect(() => verify(other, got)).toThrow(WebhookVerificationError);
    expect(() => verify(webhookSecret(KEY_2), got)).toThrow('No matching signature found');
  });

  it('carries the same webhook-id on every attempt at one message, with a fresh timestamp each', async () => {
    let clock = Date.parse('2026-12-03T10:00:00Z');
    const now = () => new Date(clock);
    await expect(sender([KEY_1], now)(message(`${url(receiver)}/503`))).rejects.toThrow();
    clock += 90_000;
    await sender([KEY_1], now)(message(`${url(receiver)}/200`));
    const [first, second] = received;
    expect(first?.headers['webhook-id']).toBe(second?.headers['webhook-id']);
    expect(first?.headers['webhook-id']).toBe(
      webhookId(message('').streamId, '1:advisory:asahi-csirt:webhook'),
    );
    expect(Number(second?.headers['webhook-timestamp']) - Number(first?.headers['webhook-timestamp'])).toBe(
      90,
    );
    // Another message to the same contact has its own id.
    expect(webhookId(message('').streamId, '2:reminder:asahi-csirt:webhook')).not.toBe(
      first?.headers['webhook-id'],
    );
  });

  it('signs with both keys during a rotation: a receiver holding either verifies', async () => {
    await sender([KEY_1, KEY_2])(message(`${url(receiver)}/200`));
    const [got] = received;
    if (!got) throw new Error('nothing received');
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(webhookSecret(KEY_1), got)).toMatchObject({ type: 'advisory' });
    expect(verify(webhookSecret(KEY_2), got)).toMatchObject({ type: 'advisory' });
    const third = webhookSecret(deriveWebhookKey(MASTER, 'asahi-petrochem', 3));
    expect(() => verify(third, got)).toThrow('No matching signature found');
  });

  it('is refused by the verifier when its timestamp is more than 5 minutes old, or altered', async () => {
    await sender([KEY_1], () => new Date(Date.now() - 6 * 60_000))(message(`${url(receiver)}/200`));
    const [stale] = received;
    if (!stale) throw new Error('nothing received');
    expect(() => verify(webhookSecret(KEY_1), stale)).toThrow('Message timestamp too old');
    // Within the window it passes; a replay with the timestamp moved forward does not.
    await sender([KEY_1], () => new Date(Date.now() - 4 * 60_000))(message(`${url(receiver)}/200`));
    const [, recent] = received;
    if (!recent) throw new Error('nothing received');
    expect(verify(webhookSecret(KEY_1), recent)).toMatchObject({ type: 'advisory' });
    const moved = { ...recent.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    expect(() => verify(webhookSecret(KEY_1), { headers: moved, body: recent.body })).toThrow(
      'No matching signature found',
    );
  });

  it('refuses to send a webhook it cannot sign for an organisation', async () => {
    const { org: _org, ...unnamed } = message(`${url(receiver)}/200`);
    const outcome = await sender()({ ...unnamed, streamId: 'incident#0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(outcome).toEqual({ ok: false, reason: 'no organisation to sign the webhook for' });
    expect(received).toHaveLength(0);
  });
});

describe('Standard Webhooks signatures', () => {
  // The specification's own example (and the reference libraries' test vector).
  const SPEC = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  it('matches the specification’s example signature', () => {
    const key = Buffer.from(SPEC.secret.slice('whsec_'.length), 'base64');
    expect(webhookSignature(SPEC.id, SPEC.timestamp, SPEC.body, [key])).toBe(SPEC.signature);
    expect(new Webhook(SPEC.secret).sign(SPEC.id, new Date(SPEC.timestamp * 1000), SPEC.body)).toBe(
      SPEC.signature,
    );
  });

  it('lists one v1 signature per key, space-separated, in the order given', () => {
    const headers = signedHeaders({ id: 'msg_x', body: '{}', at: new Date(1_700_000_000_000) }, [
      KEY_1,
      KEY_2,
    ]);
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(headers['webhook-signature']).toBe(
      `${webhookSignature('msg_x', 1_700_000_000, '{}', [KEY_1])} ${webhookSignature('msg_x', 1_700_000_000, '{}', [KEY_2])}`,
    );
  });

  it('derives a different 32-byte key per organisation and generation, the same each time', () => {
    expect(KEY_1).toHaveLength(32);
    expect(deriveWebhookKey(MASTER, 'asahi-petrochem', 1).equals(KEY_1)).toBe(true);
    expect(KEY_1.equals(KEY_2)).toBe(false);
    expect(deriveWebhookKey(MASTER, 'tokai-chemical', 1).equals(KEY_1)).toBe(false);
    expect(deriveWebhookKey(new Uint8Array(32).fill(8), 'asahi-petrochem', 1).equals(KEY_1)).toBe(false);
    expect(webhookSecret(KEY_1)).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});
