import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionJsonOf } from '../functions/store/decision-attribute.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import type { LocalStack } from '../local/stack.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// The whole local stack with one member whose contact takes advisories by webhook, to a receiver on
// 127.0.0.1 (the local stack sends https://127.0.0.1 addresses over plain http), which verifies every
// delivery with the Standard Webhooks library, before and after a key rotation.
const ORG = 'asahi-petrochem';
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let receiver: Server;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
/** Requests the receiver still answers with a 503 (and a body that must never reach the log). */
let failing = 0;
const FAILURE_BODY = 'upstream-secret-7f3a: internal stack trace';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (failing > 0) {
        failing -= 1;
        res.writeHead(503, { 'content-type': 'text/plain' }).end(FAILURE_BODY);
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const directory = seedDirectory();
  const member = directory.organizations[ORG];
  const contact = member?.contacts[0];
  if (!member || !contact) throw new Error(`the seed directory has no ${ORG} contact`);
  const hook = `https://127.0.0.1:${(receiver.address() as AddressInfo).port}/ceptoar`;
  const organizations = {
    ...directory.organizations,
    [ORG]: {
      ...member,
      contacts: [{ ...contact, webhook: hook, primary: 'webhook' as const, secondary: 'email' as const }],
    },
  };
  stack = await startTestStack({ directory: { organizations } });
  api = apiClient(stack.url);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

const rotate = async (
  role: string,
  org: string,
  path = `/directory/organizations/${ORG}/webhook-keys`,
  body?: unknown,
) => api.call('POST', path, { token: await api.token(role, org), ...(body === undefined ? {} : { body }) });

/** Issues an advisory to every member and waits until its deliveries are made and recorded. */
async function advisoryDelivered(title: string): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  const before = received.length;
  const issued = await api.call('POST', '/advisories', {
    token: await api.token('secretariat'),
    body: { title, body: 'Patch now.', tlp: 'GREEN', ackWithinHours: 24 },
  });
  expect(issued.status).toBe(201);
  await stack.settle();
  // Only this member has a webhook: one delivery per advisory.
  const mine = received.slice(before);
  expect(mine).toHaveLength(1);
  // The delivery is recorded on the recipient's row as made by webhook.
  const view = await api.call('GET', `/advisories/${issued.body.id}`, {
    token: await api.token('secretariat'),
  });
  const row = view.body.recipients.find((r: { org: string }) => r.org === ORG);
  expect(row.deliveries).toMatchObject([{ channel: 'webhook', ok: true }]);
  return mine[0] as { headers: IncomingHttpHeaders; body: string };
}

const verify = (secret: string, got: { headers: IncomingHttpHeaders; body: string }) =>
  new Webhook(secret).verify(got.body, got.headers as Record<string, string>);

/** Every item of the event table as text: the events (decision states decompressed), heads and idempotency records. */
async function tableText(): Promise<string> {
  const client = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: stack.endpoints.credentials,
  });
  const items: unknown[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.push(item, decisionJsonOf(item) ?? null);
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  client.destroy();
  return JSON.stringify(items);
}

describe('signed webhook deliveries on the local stack', () => {
  it('verify with the key the member was given, with both keys during a rotation, and the key is stored nowhere', async () => {
    const first = await rotate('member', ORG);
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({ org: ORG, generation: 1, previous: [], overlapHours: 24 });
    const secret1: string = first.body.secret;

    const before = await advisoryDelivered('Before the rotation');
    expect(verify(secret1, before)).toMatchObject({
      type: 'advisory',
      data: { subject: expect.any(String) },
    });
    expect(String(before.headers['webhook-signature']).split(' ')).toHaveLength(1);

    // The secretariat rotates for the member: the next delivery carries both signatures.
    const second = await rotate('secretariat', 'secretariat');
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ org: ORG, generation: 2, previous: [{ generation: 1 }] });
    const secret2: string = second.body.secret;
    expect(secret2).not.toBe(secret1);
    expect(Date.parse(second.body.previous[0].signsUntil) - Date.parse(second.body.since)).toBe(
      24 * 3_600_000,
    );

    const after = await advisoryDelivered('After the rotation');
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(secret1, after)).toMatchObject({ type: 'advisory' });
    expect(verify(secret2, after)).toMatchObject({ type: 'advisory' });
    expect(after.headers['webhook-id']).not.toBe(before.headers['webhook-id']);

    // Every delivery the receiver got verifies with a key it was given.
    for (const got of received) {
      expect(() => {
        try {
          verify(secret2, got);
        } catch {
          verify(secret1, got);
        }
      }).not.toThrow();
    }
    // Only generations are recorded: neither key is anywhere in the table.
    const table = await tableText();
    expect(table).toContain('WebhookKeyRotated');
    for (const secret of [secret1, secret2]) {
      expect(table).not.toContain(secret.slice('whsec_'.length));
    }
  });

  it('answers 400 for a bad organisation id or body, 403 to another member or role, 404 for an unknown organisation, writing nothing', async () => {
    const before = await tableText();
    const badId = await rotate(
      'secretariat',
      'secretariat',
      '/directory/organizations/Not_An_Org/webhook-keys',
    );
    expect(badId.status).toBe(400);
    expect(badId.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(badId.body.errors).toEqual([{ path: 'org', message: 'invalid' }]);
    const extra = await rotate('member', ORG, undefined, { generation: 7 });
    expect(extra.status).toBe(400);
    expect(extra.body.errors?.[0]?.path).toBe('(body)');
    expect((await rotate('member', 'kaigan-chemical')).status).toBe(403);
    expect((await rotate('ministry', 'ministry')).status).toBe(403);
    expect((await rotate('auditor', 'auditor')).status).toBe(403);
    const unknown = await rotate(
      'secretariat',
      'secretariat',
      '/directory/organizations/no-such-org/webhook-keys',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await tableText()).toBe(before);
  });

  it('records attempts 1 to 3 of a receiver that fails three times, then the delivery, each exactly once, with no answer body in the log', async () => {
    failing = 3;
    const before = received.length;
    const secretariat = await api.token('secretariat');
    const issued = await api.call('POST', '/advisories', {
      token: secretariat,
      body: { title: 'A flaky receiver', body: 'Patch now.', tlp: 'GREEN', ackWithinHours: 24 },
    });
    expect(issued.status).toBe(201);
    // The queue gives the message back after each backoff (1 s at this time scale): four attempts in all.
    const row = await eventually(
      async () => {
        const view = await api.call('GET', `/advisories/${issued.body.id}`, { token: secretariat });
        const mine = view.body.recipients?.find((r: { org: string }) => r.org === ORG);
        return mine?.deliveries?.length > 0 && mine;
      },
      60_000,
      'the webhook delivery after three failed attempts',
    );
    await stack.settle();
    const mine = received.slice(before);
    expect(mine).toHaveLength(4);
    expect(new Set(mine.map((m) => m.headers['webhook-id'])).size).toBe(1);
    expect(row.deliveries).toMatchObject([{ channel: 'webhook', ok: true, detail: 'http-204' }]);
    expect(row.attempts).toHaveLength(3);
    row.attempts.forEach((a: Record<string, unknown>, i: number) => {
      expect(a).toEqual({
        at: expect.any(String),
        purpose: 'advisory',
        contactId: expect.any(String),
        channel: 'webhook',
        attempt: i + 1,
        status: 503,
        error: 'HTTP 503',
        nextAttemptAt: expect.any(String),
      });
      expect(Date.parse(a.nextAttemptAt as string)).toBeGreaterThan(Date.parse(a.at as string));
    });
    // The audit reads the same on the recipient's stream: three attempts, then the delivery, once each.
    const streamId = `advisory-recipient#${issued.body.id}#${ORG}`;
    const audit = await api.call('GET', `/audit/streams/${encodeURIComponent(streamId)}`, {
      token: await api.token('auditor'),
    });
    expect(audit.status).toBe(200);
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual([
      'AdvisoryDeliveryAttemptFailed',
      'AdvisoryDeliveryAttemptFailed',
      'AdvisoryDeliveryAttemptFailed',
      'AdvisoryDelivered',
    ]);
    expect(audit.body.events.slice(0, 3).map((e: { data: { attempt: number } }) => e.data.attempt)).toEqual([
      1, 2, 3,
    ]);
    // What the receiver answered is never recorded, nor the webhook's address on an attempt.
    const table = await tableText();
    expect(table).not.toContain('upstream-secret-7f3a');
    for (const e of audit.body.events.slice(0, 3)) expect(JSON.stringify(e.data)).not.toContain('127.0.0.1');
  });
});
