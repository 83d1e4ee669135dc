import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDirectory } from '../local/seed-directory.ts';
import type { LocalStack } from '../local/stack.ts';
import { SELF_ASSESSMENT } from './fixtures/survey-definition.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// The whole local stack with the secretariat's and the ministry's duty contacts on webhooks, and a
// member's CSIRT on a webhook as its primary channel, to a receiver on 127.0.0.1 that answers each
// message's first receives with a 503 (and a body that must never be recorded): the incident's, the
// advisory chain's and a survey invitation's failed attempts are recorded on their streams, then the
// delivery, each once, and their GETs (the survey's: its audit stream) show them.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let receiver: Server;
const FAILURE_BODY = 'upstream-secret-51c9: internal stack trace';
/** How many receives of each message fail, by the receiver's path. */
const FAILURES: Record<string, number> = { '/secretariat': 2, '/ministry': 1, '/seto-olefin': 2 };
/** Receives per message (its webhook-id). */
const receives = new Map<string, number>();
let hookBase = '';
/** The member whose CSIRT takes survey invitations by webhook (its primary channel here). */
const SETO_CSIRT = 'seto-olefin-csirt';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const n = (receives.get(id) ?? 0) + 1;
      receives.set(id, n);
      if (n <= (FAILURES[req.url ?? ''] ?? 0))
        res.writeHead(503, { 'content-type': 'text/plain' }).end(FAILURE_BODY);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookBase = `https://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const directory = seedDirectory();
  const withHook = (org: string, contactId: string, primary?: 'webhook') => {
    const entry = directory.organizations[org];
    if (!entry?.contacts.some((c) => c.id === contactId))
      throw new Error(`the seed directory has no ${org} contact ${contactId}`);
    return {
      ...entry,
      contacts: entry.contacts.map((c) =>
        c.id === contactId ? { ...c, webhook: `${hookBase}/${org}`, ...(primary ? { primary } : {}) } : c,
      ),
    };
  };
  const organizations = {
    ...directory.organizations,
    secretariat: withHook('secretariat', 'sec-duty'),
    ministry: withHook('ministry', 'meti-duty'),
    'seto-olefin': withHook('seto-olefin', SETO_CSIRT, 'webhook'),
  };
  stack = await startTestStack({ directory: { organizations } });
  api = apiClient(stack.url);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

type Attempt = Record<string, unknown> & { key: string; attempt: number; at: string; nextAttemptAt: string };
type Delivery = { key: string; channel: string; ok: boolean };

/** A retried webhook attempt as the API shows it: the failure's class, never the answer or the address. */
const webhook503 = (key: string, purpose: string, attempt: number) => ({
  key,
  purpose,
  channel: 'webhook',
  attempt,
  status: 503,
  error: 'HTTP 503',
  at: expect.any(String),
  nextAttemptAt: expect.any(String),
});

describe('failed delivery attempts on the local stack', () => {
  it("records an incident message's two failed webhook attempts, then its delivery, each once, and GET /incidents/{id} shows them", async () => {
    const member = await api.token('member', 'asahi-petrochem');
    const reported = await api.call('POST', '/incidents', {
      token: member,
      body: { ...RANSOMWARE_REPORT, severity: 'low' },
    });
    expect(reported.status).toBe(201);
    const id = reported.body.id as string;
    const key = '1:review_requested:sec-duty:webhook';
    const secretariat = await api.token('secretariat');
    // The queue gives the message back after each backoff (1 s at this time scale): three receives.
    const incident = await eventually(
      async () => {
        const view = await api.call('GET', `/incidents/${id}`, { token: secretariat });
        return view.body.deliveries?.some((d: Delivery) => d.key === key) && view.body;
      },
      60_000,
      'the webhook delivery after two failed attempts',
    );
    expect(incident.deliveries.filter((d: Delivery) => d.key === key)).toMatchObject([
      { channel: 'webhook', ok: true, detail: 'http-204' },
    ]);
    const mine = incident.attempts.filter((a: Attempt) => a.key === key);
    expect(mine).toEqual([webhook503(key, 'review_requested', 1), webhook503(key, 'review_requested', 2)]);
    for (const a of mine as Attempt[]) expect(Date.parse(a.nextAttemptAt)).toBeGreaterThan(Date.parse(a.at));
    // Only the webhook failed: the e-mail and SMS went at the first attempt.
    expect(incident.attempts.every((a: Attempt) => a.channel === 'webhook')).toBe(true);

    // The stream holds each attempt once, before the delivery, as the events route reads it.
    const events = await api.call('GET', `/incidents/${id}/events`, { token: secretariat });
    expect(events.status).toBe(200);
    const ofKey = events.body.items.filter((e: { data: { key?: string } }) => e.data.key === key);
    expect(ofKey.map((e: { type: string }) => e.type)).toEqual([
      'NotificationAttemptFailed',
      'NotificationAttemptFailed',
      'NotificationDelivered',
    ]);
    // What the receiver answered and the webhook's address are not in an attempt.
    for (const e of ofKey.slice(0, 2)) {
      expect(JSON.stringify(e.data)).not.toContain(FAILURE_BODY.slice(0, 20));
      expect(JSON.stringify(e.data)).not.toContain('127.0.0.1');
    }
    // The member's own view of its report carries the same field.
    const own = await api.call('GET', `/incidents/${id}`, { token: member });
    expect(own.status).toBe(200);
    expect(Array.isArray(own.body.attempts)).toBe(true);
  });

  it("records an advisory chain message's failed webhook attempt, then its delivery, and the chain's GET /advisories/{id} shows it", async () => {
    const issued = await api.call('POST', '/advisories', {
      token: await api.token('nisc'),
      body: { title: 'A flaky ministry receiver', body: 'Patch now.', tlp: 'GREEN', ackWithinHours: 24 },
    });
    expect(issued.status).toBe(201);
    const id = issued.body.id as string;
    const key = '1:forward_requested:meti-duty:webhook';
    const nisc = await api.token('nisc');
    const view = await eventually(
      async () => {
        const v = await api.call('GET', `/advisories/${id}`, { token: nisc });
        return v.body.deliveries?.some((d: Delivery) => d.key === key) && v.body;
      },
      60_000,
      'the forward request by webhook after a failed attempt',
    );
    expect(view.deliveries.filter((d: Delivery) => d.key === key)).toMatchObject([
      { channel: 'webhook', ok: true },
    ]);
    expect(view.attempts.filter((a: Attempt) => a.key === key)).toEqual([
      webhook503(key, 'forward_requested', 1),
    ]);
    const audit = await api.call('GET', `/audit/streams/${encodeURIComponent(`advisory#${id}`)}`, {
      token: await api.token('auditor'),
    });
    expect(audit.status).toBe(200);
    expect(
      audit.body.events
        .filter((e: { data: { key?: string } }) => e.data.key === key)
        .map((e: { type: string }) => e.type),
    ).toEqual(['NotificationAttemptFailed', 'NotificationDelivered']);
  });

  it("records a survey invitation's two failed webhook attempts on the member's response stream, then its delivery", async () => {
    const secretariat = await api.token('secretariat');
    const created = await api.call('POST', '/surveys', {
      token: secretariat,
      body: {
        definition: SELF_ASSESSMENT,
        tlp: 'GREEN',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const issued = await api.call('POST', `/surveys/${id}/issue`, {
      token: secretariat,
      body: { dueAt: new Date(Date.now() + 30 * 24 * 3600_000).toISOString() },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const auditor = await api.token('auditor');
    const stream = `survey-response#${id}#seto-olefin`;
    const ofStream = async () => {
      const res = await api.call('GET', `/audit/streams/${encodeURIComponent(stream)}`, { token: auditor });
      return (res.status === 200 ? res.body.events : []) as { type: string; data: Record<string, unknown> }[];
    };
    const events = await eventually(
      async () => {
        const all = await ofStream();
        return all.some((e) => e.type === 'SurveyDelivered' && e.data.channel === 'webhook') && all;
      },
      60_000,
      'the survey invitation by webhook after two failed attempts',
    );
    const byWebhook = events.filter((e) => e.data.channel === 'webhook');
    expect(byWebhook.map((e) => e.type)).toEqual([
      'SurveyDeliveryAttemptFailed',
      'SurveyDeliveryAttemptFailed',
      'SurveyDelivered',
    ]);
    const [first, second] = byWebhook;
    expect(first?.data).toMatchObject({
      surveyId: id,
      org: 'seto-olefin',
      sector: 'chemical',
      purpose: 'survey',
      contactId: SETO_CSIRT,
      attempt: 1,
      status: 503,
      error: 'HTTP 503',
    });
    expect(second?.data).toMatchObject({ attempt: 2, key: first?.data.key });
    for (const e of [first, second]) {
      expect(JSON.stringify(e?.data)).not.toContain(FAILURE_BODY.slice(0, 20));
      expect(JSON.stringify(e?.data)).not.toContain('127.0.0.1');
    }
  });
});
