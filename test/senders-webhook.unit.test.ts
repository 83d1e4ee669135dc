import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSender } from '../functions/commons/senders.ts';

// The receiver and the address it redirects to (plain HTTP on loopback: the sender itself does not check
// the scheme; the directory's schema allows https:// only).
let receiver: Server;
let internal: Server;
let internalHits = 0;
const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  internal = createServer((_req, res) => {
    internalHits += 1;
    res.end('{"secret":"instance credentials"}');
  });
  receiver = createServer((req, res) => {
    const status = Number(req.url?.slice(1) ?? 200);
    res.writeHead(
      status,
      status >= 300 && status < 400 ? { location: `${url(internal)}/latest/meta-data` } : {},
    );
    res.end();
  });
  await Promise.all([internal, receiver].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(() => {
  receiver.close();
  internal.close();
});

const message = (to: string) => ({
  key: '1:advisory:asahi-csirt:webhook',
  streamId: 'advisory#x',
  purpose: 'advisory' as never,
  channel: 'webhook' as const,
  to,
  subject: 'subject',
  body: 'body',
});

describe('webhook deliveries', () => {
  it('delivers on a 2xx', async () => {
    expect(await webhookSender()(message(`${url(receiver)}/204`))).toEqual({
      ok: true,
      messageId: 'http-204',
    });
  });

  it.each([301, 302, 303, 307, 308])(
    'never follows a %i to another address, and fails for good',
    async (status) => {
      const outcome = await webhookSender()(message(`${url(receiver)}/${status}`));
      expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining(`HTTP ${status}`) });
      expect(internalHits).toBe(0);
    },
  );

  it('fails for good on a 4xx and leaves a 5xx to the queue', async () => {
    expect(await webhookSender()(message(`${url(receiver)}/410`))).toEqual({ ok: false, reason: 'HTTP 410' });
    await expect(webhookSender()(message(`${url(receiver)}/503`))).rejects.toThrow(/HTTP 503/);
  });
});
