import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, redact } from '../functions/runtime/logger.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// Everything the process writes while a relay and an advisory run end to end on the local stack, the
// acknowledgement link clicked included: no line may carry a token, a link's signature, a phone number or
// an e-mail address in clear (issue 12; docs/SECURITY.md, API3 and API8).
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const written: string[] = [];
const restore: (() => void)[] = [];

const EMAIL = /[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/i;
const PHONE = /\+[1-9]\d{6,14}/;
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]+/;

function capture(stream: NodeJS.WriteStream) {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof stream.write;
  restore.push(() => {
    stream.write = write;
  });
}

/** The console too: the local stack's own lines go through it, and the test runner replaces it. */
function captureConsole() {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      written.push(format(...args));
      original(...args);
    };
    restore.push(() => {
      console[method] = original;
    });
  }
}

beforeAll(async () => {
  capture(process.stdout);
  capture(process.stderr);
  captureConsole();
  // Every level, so a debug line that leaks shows too.
  logger.setLogLevel('DEBUG');
  stack = await startTestStack({ quiet: false });
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
  for (const undo of restore) undo();
});

describe('logs carry no secret in clear', () => {
  it('masks tokens, e-mail addresses and phone numbers in any string of a line, errors included', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LWFzYWhpLTEifQ.c2lnbmF0dXJlLW9mLXRoZS1hY2stbGluay10b2tlbg';
    expect(redact(`Email address is not verified: yamada@asahi-petrochem.example (+81312345678)`)).toBe(
      'Email address is not verified: [email] ([phone])',
    );
    expect(redact(`GET /ack/${jwt} with Authorization: Bearer ${jwt}`)).not.toMatch(/eyJ|c2lnbmF0dXJl/);
    // A line the logger formats, an error's message and stack included, is checked whole.
    const from = written.length;
    logger.warn('delivery failed; the queue will retry it', {
      to: 'yamada@asahi-petrochem.example',
      error: new Error(`Invalid parameter: PhoneNumber +81312345678, link /ack/${jwt}`),
    });
    const lines = written.slice(from);
    const text = lines.join('');
    expect(text).toContain('delivery failed');
    expect(text).not.toMatch(EMAIL);
    expect(text).not.toMatch(PHONE);
    expect(text).not.toMatch(JWT);
  });

  it('during a relay and an advisory, the acknowledgement link clicked, writes none', async () => {
    const member = await api.token('member', 'asahi-petrochem');
    const secretariat = await api.token('secretariat');
    const ministry = await api.token('ministry');
    const nisc = await api.token('nisc');
    const reported = await api.call('POST', '/incidents', {
      token: member,
      body: { ...RANSOMWARE_REPORT, severity: 'low' },
      headers: { 'idempotency-key': 'log-check-0001' },
    });
    expect(reported.status).toBe(201);
    const id = reported.body.id as string;
    expect(
      (
        await api.call('POST', `/incidents/${id}/decision`, {
          token: secretariat,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(200);
    expect((await api.call('POST', `/incidents/${id}/receipt`, { token: ministry, body: {} })).status).toBe(
      200,
    );
    expect((await api.call('POST', `/incidents/${id}/receipt`, { token: nisc, body: {} })).status).toBe(200);
    // Refusals and a 404 log too, when they log at all.
    expect(
      (await api.call('POST', `/incidents/${id}/decision`, { token: member, body: { decision: 'approve' } }))
        .status,
    ).toBe(403);
    expect(
      (await api.call('GET', '/incidents/00000000-0000-4000-8000-000000000000', { token: member })).status,
    ).toBe(404);

    // A member whose address the mail service refuses: the delivery fails, and its error quotes the address.
    const bounced = await api.call('PUT', '/directory/organizations/bounce-chemical', {
      token: secretariat,
      body: {
        kind: 'member',
        name: { ja: '不達化学', en: 'Bounce Chemical' },
        contacts: [
          {
            id: 'bounce-duty',
            name: '不達化学 当番',
            email: 'duty@bounce.invalid',
            phone: '+819099998888',
            primary: 'email',
            secondary: 'sms',
          },
        ],
      },
    });
    expect(bounced.status).toBe(201);
    const advisory = await api.advisory('nisc', { audience: ['asahi-petrochem', 'bounce-chemical'] });
    expect(
      (await api.call('POST', `/advisories/${advisory}/forward`, { token: ministry, body: {} })).status,
    ).toBe(200);
    expect(
      (await api.call('POST', `/advisories/${advisory}/forward`, { token: secretariat, body: {} })).status,
    ).toBe(200);
    const mail = await stack.mail.waitFor(
      (m) => m.text.includes(`/advisories/${advisory}`) && m.text.includes('/ack/'),
      30_000,
    );
    const link = /\/ack\/([\w.-]+)/.exec(mail.text)?.[1] ?? '';
    expect((await api.call('GET', `/ack/${link}`, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await api.call('POST', `/ack/${link}`)).status).toBe(200);
    // A forged link is refused (and may be logged as such).
    expect((await api.call('POST', `/ack/${link.slice(0, -4)}AAAA`)).status).toBe(401);
    await stack.settle();

    const text = written.join('');
    expect(text.length).toBeGreaterThan(0);
    const secrets = [
      member,
      secretariat,
      ministry,
      nisc,
      link,
      link.split('.')[2] ?? link,
      RANSOMWARE_REPORT.contact.email,
      RANSOMWARE_REPORT.contact.phone ?? '',
      'duty@bounce.invalid',
      '+819099998888',
      ...Object.values(seedDirectory().organizations).flatMap((o) =>
        o.contacts.flatMap((c) => [c.email, c.phone].filter((v): v is string => v !== undefined)),
      ),
    ];
    for (const secret of secrets)
      expect(text.includes(secret), `a log line carries ${secret.slice(0, 12)}…`).toBe(false);
    expect(text).not.toMatch(EMAIL);
    expect(text).not.toMatch(PHONE);
    expect(text).not.toMatch(JWT);
  });
});
