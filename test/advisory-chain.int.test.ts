import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { VPN_ADVISORY } from './support/fixtures.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// The local stack at CEPTOAR_TIME_SCALE=3600 (an hour per second). Advisories here are
// "low" (forward deadlines 72 h → 72 s) with a 240 h window (240 s): nothing times out
// while the test walks the chain by hand.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const MEMBERS = [
  'asahi-petrochem',
  'kaigan-chemical',
  'minato-polymer',
  'seto-olefin',
  'keiyo-aromatics',
  'kashima-resin',
  'mizushima-ethylene',
  'yokkaichi-chem',
  'oita-petrochem',
  'tokuyama-bay',
  'sakai-synthetics',
];

const ADVISORY = VPN_ADVISORY;
const issue = (role: string, body: Record<string, unknown> = {}) => api.advisory(role, body);

/** The acknowledgement links sent by e-mail for one advisory, by recipient address. */
function ackLinks(id: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const mail of stack.mail.messages()) {
    const link = /\/ack\/([\w.-]+)/.exec(mail.text)?.[1];
    if (link && mail.text.includes(`/advisories/${id}`)) links.set(mail.to[0] ?? '', link);
  }
  return links;
}

const view = async (id: string, role = 'secretariat', org?: string, sub?: string) =>
  api.call('GET', `/advisories/${id}`, { token: await api.token(role, org, sub) });

describe('the directory', () => {
  it('starts with the seeded demo directory: 11 members, every member contact with two channels', async () => {
    const token = await api.token('secretariat');
    for (const org of MEMBERS) {
      const res = await api.call('GET', `/directory/organizations/${org}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.kind).toBe('member');
      for (const c of res.body.contacts) expect(c.secondary).not.toBe(c.primary);
    }
    for (const org of ['secretariat', 'ministry', 'nisc']) {
      expect((await api.call('GET', `/directory/organizations/${org}`, { token })).body.kind).toBe(org);
    }
  });

  it('refuses a bad address with a 400 naming the field, and writes nothing', async () => {
    const token = await api.token('secretariat');
    const res = await api.call('PUT', '/directory/organizations/new-member', {
      token,
      body: {
        kind: 'member',
        name: { ja: '新会員', en: 'New member' },
        contacts: [
          {
            id: 'new-csirt',
            name: 'CSIRT',
            email: 'not-an-address',
            phone: '0312345678',
            primary: 'email',
            secondary: 'sms',
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['contacts.0.email', 'contacts.0.phone']));
    expect((await api.call('GET', '/directory/organizations/new-member', { token })).status).toBe(404);
  });

  it('lets only the secretariat change it; each change is an event (a repeat is not)', async () => {
    const entry = {
      kind: 'member',
      name: { ja: '試験化学', en: 'Test Chemical' },
      contacts: [
        {
          id: 'test-csirt',
          name: 'CSIRT',
          email: 'csirt@test.example',
          phone: '+81311112222',
          primary: 'email',
          secondary: 'sms',
        },
      ],
    };
    const member = await api.token('member', 'asahi-petrochem');
    expect(
      (await api.call('PUT', '/directory/organizations/test-chem', { token: member, body: entry })).status,
    ).toBe(403);
    const token = await api.token('secretariat');
    const first = await api.call('PUT', '/directory/organizations/test-chem', { token, body: entry });
    expect(first.status).toBe(201);
    const again = await api.call('PUT', '/directory/organizations/test-chem', { token, body: entry });
    expect(again.body).toMatchObject({ version: 1, changed: false });
    const changed = await api.call('PUT', '/directory/organizations/test-chem', {
      token,
      body: { ...entry, contacts: [{ ...entry.contacts[0], lang: 'en' }] },
    });
    expect(changed.body).toMatchObject({ version: 2, changed: true });
  });
});

describe('the advisory chain, end to end', () => {
  it('NISC issues, the ministry and the secretariat forward, members acknowledge by link and by API', async () => {
    const id = await issue('nisc', { audience: ['asahi-petrochem', 'kaigan-chemical', 'minato-polymer'] });
    // The ministry is asked to forward; members see nothing yet.
    await eventually(
      async () =>
        stack.mail.messages().some((m) => m.to.includes('duty@meti.ceptoar.example') && m.text.includes(id)),
      15_000,
      'the ministry forward request',
    );
    expect((await view(id, 'member', 'asahi-petrochem')).status).toBe(404);
    // The secretariat cannot forward before the ministry did.
    const early = await api.call('POST', `/advisories/${id}/forward`, {
      token: await api.token('secretariat'),
      body: {},
    });
    expect(early.status).toBe(409);

    const m = await api.call('POST', `/advisories/${id}/forward`, {
      token: await api.token('ministry'),
      body: { note: '経産省より展開します' },
    });
    expect(m.status).toBe(200);
    expect(m.body.status).toBe('awaiting_secretariat');
    const s = await api.call('POST', `/advisories/${id}/forward`, {
      token: await api.token('secretariat'),
      body: {},
    });
    expect(s.body.status).toBe('distributed');

    // Every recipient's contact gets the advisory on its primary channel (e-mail), with a link.
    await eventually(async () => ackLinks(id).size === 3 || undefined, 20_000, 'three advisory e-mails');
    const mail = stack.mail
      .messages()
      .find((x) => x.to.includes('csirt@kaigan-chemical.ceptoar.example') && x.text.includes(id));
    expect(mail?.subject).toMatch(/^\[TLP:AMBER\] 【要確認】情報提供 \(期限 .+ JST\)$/);
    expect(mail?.text).toContain('経産省より展開します');
    expect(mail?.text).toContain(ADVISORY.body);
    // Asahi prefers English.
    const asahi = stack.mail
      .messages()
      .find((x) => x.to.includes('csirt@asahi-petrochem.ceptoar.example') && x.text.includes(id));
    expect(asahi?.subject).toMatch(/^\[TLP:AMBER\] \[Action\] Advisory: please acknowledge \(by .+ JST\)$/);

    // Kaigan opens the link without logging in. Opening it (a mail scanner does too) records nothing:
    // the page has one button, which posts to the same address.
    const link = ackLinks(id).get('csirt@kaigan-chemical.ceptoar.example');
    const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const opened = await api.call('GET', `/ack/${link}`, { headers: html });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toContain('text/html');
    expect(opened.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(opened.body).toContain('<form method="post">');
    expect(opened.body).toContain('TLP:AMBER');
    expect((await api.call('GET', `/ack/${link}`)).body).toMatchObject({
      status: 'not_acknowledged',
      acknowledgedAt: null,
    });
    await stack.settle();
    expect((await view(id)).body.transmission.acknowledged).toBe(0);
    const click = await api.call('POST', `/ack/${link}`, { headers: html });
    expect(click.status).toBe(200);
    expect(click.body).toContain('受領確認を記録しました');
    expect(click.body).toContain('Your acknowledgement is recorded');
    expect((await api.call('GET', `/ack/${link}`)).body).toMatchObject({
      status: 'already_acknowledged',
      org: 'kaigan-chemical',
    });
    const before = (await view(id)).body.version;
    // A second press writes nothing.
    const again = await api.call('POST', `/ack/${link}`);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('already_acknowledged');
    // Minato acknowledges by the API.
    const receipt = await api.call('POST', `/advisories/${id}/receipt`, {
      token: await api.token('member', 'minato-polymer'),
      body: {},
    });
    expect(receipt.body.status).toBe('acknowledged');

    await eventually(
      async () => {
        const v = (await view(id)).body;
        return v.transmission.delivered === 3 || undefined;
      },
      20_000,
      'every delivery recorded',
    );
    // The recipient table and the rate read the recipients' heads, projected moments after each record.
    await stack.settle();
    const v = (await view(id)).body;
    expect(v.version).toBe(before);
    expect(v.transmission).toMatchObject({ recipients: 3, acknowledged: 2, withinWindow: 2 });
    expect(v.transmission.rate).toBeCloseTo(2 / 3);
    const kaigan = v.recipients.find((r: { org: string }) => r.org === 'kaigan-chemical');
    expect(kaigan.acknowledgements).toHaveLength(1);
    expect(kaigan.acknowledgements[0]).toMatchObject({ via: 'link', contactId: 'kaigan-chemical-csirt' });
    expect(kaigan.deliveries[0]).toMatchObject({ channel: 'email', ok: true, purpose: 'advisory' });
    expect(v.hops.ministry.doneAt).toMatch(/Z$/);
    expect(v.hops.secretariat.doneAt).toMatch(/Z$/);

    // A member sees its own row, never the recipient list.
    const own = (await view(id, 'member', 'minato-polymer')).body;
    expect(own.recipient.acknowledgedAt).toMatch(/Z$/);
    expect(own.recipients).toBeUndefined();
  });

  it('refuses forged, altered, expired and misbound links with a problem, and writes nothing', async () => {
    const id = await issue('secretariat', { audience: ['seto-olefin'] });
    const other = await issue('secretariat', { audience: ['keiyo-aromatics'] });
    await eventually(async () => ackLinks(id).size === 1 || undefined, 20_000, 'the advisory e-mail');
    const good = ackLinks(id).values().next().value as string;
    const [header, , signature] = good.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ adv: other, org: 'keiyo-aromatics', cid: 'x' }),
    ).toString('base64url');
    const key = Buffer.from(readFileSync(join(stack.dataDir, 'ack-link.key'), 'utf8').trim(), 'base64');
    const sign = (claims: Record<string, string>, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('ceptoar-relay')
        .setAudience('ceptoar-ack')
        .setExpirationTime(exp)
        .sign(key);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ adv: id, org: 'seto-olefin', cid: 'seto-olefin-csirt' }, now - 60);
    // Signed with the right key, but for an organisation that is not a recipient of this advisory.
    const misbound = await sign({ adv: other, org: 'seto-olefin', cid: 'seto-olefin-csirt' }, now + 3600);
    const wrongKey = await new SignJWT({ adv: id, org: 'seto-olefin', cid: 'seto-olefin-csirt' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('ceptoar-relay')
      .setAudience('ceptoar-ack')
      .setExpirationTime(now + 3600)
      .sign(new Uint8Array(32));
    const cases: [string, number, RegExp][] = [
      [`${header}.${forgedPayload}.${signature}`, 401, /not valid/],
      [wrongKey, 401, /not valid/],
      ['not-a-token', 401, /not valid/],
      [expired, 401, /expired/],
      [misbound, 404, /no such advisory/],
    ];
    for (const [token, status, detail] of cases) {
      for (const method of ['GET', 'POST']) {
        const res = await api.call(method, `/ack/${token}`);
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.detail).toMatch(detail);
      }
      // A person who opens a bad link in a browser gets a page saying so, with the same status.
      const page = await api.call('POST', `/ack/${token}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(status);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.body).toContain('role="alert"');
    }
    await stack.settle();
    for (const adv of [id, other]) {
      const v = (await view(adv)).body;
      expect(v.transmission.acknowledged).toBe(0);
      for (const r of v.recipients) expect(r.acknowledgements).toEqual([]);
    }
  });

  it('answers bad input with a 400 naming the field, and writes nothing', async () => {
    const token = await api.token('nisc');
    const before = (await api.call('GET', '/board', { token: await api.token('secretariat') })).body.items
      .length;
    const bad = await api.call('POST', '/advisories', {
      token,
      body: { ...ADVISORY, tlp: 'PURPLE', ackWithinHours: -1, audience: ['no-such-org'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['tlp', 'ackWithinHours']),
    );
    const unknown = await api.call('POST', '/advisories', {
      token,
      body: { ...ADVISORY, audience: ['no-such-org'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { path: 'audience.0', message: 'no-such-org is not a member organisation' },
    ]);
    const member = await api.call('POST', '/advisories', {
      token: await api.token('member', 'asahi-petrochem'),
      body: ADVISORY,
    });
    expect(member.status).toBe(403);
    const after = (await api.call('GET', '/board', { token: await api.token('secretariat') })).body.items
      .length;
    expect(after).toBe(before);
  });
});

describe('TLP 2.0, against every role', () => {
  const roles: [role: string, org?: string, sub?: string][] = [
    ['secretariat'],
    ['auditor'],
    ['ministry'],
    ['nisc'],
    ['member', 'oita-petrochem'], // recipient, named contact (its login is local-member-oita-petrochem)
    ['member', 'oita-petrochem', 'oita-colleague'], // recipient organisation, not named
    ['member', 'sakai-synthetics'], // not a recipient
  ];
  const expected: Record<string, boolean[]> = {
    // secretariat, auditor, ministry, nisc, named recipient, colleague, other member
    RED: [true, true, false, false, true, false, false],
    'AMBER+STRICT': [true, true, false, false, true, true, false],
    AMBER: [true, true, false, false, true, true, false],
    GREEN: [true, true, false, false, true, true, true],
    CLEAR: [true, true, true, true, true, true, true],
  };

  it.each(Object.entries(expected))(
    '%s: the API, the board and the public board show it to exactly the right callers',
    async (tlp, sees) => {
      const id = await issue('secretariat', {
        tlp,
        audience: ['oita-petrochem'],
        title: `TLP ${tlp} advisory`,
      });
      for (const [i, [role, org, sub]] of roles.entries()) {
        const res = await view(id, role, org, sub);
        expect(res.status, `${role}/${org ?? ''}/${sub ?? ''} GET`).toBe(sees[i] ? 200 : 404);
        const board = await api.call('GET', '/board?limit=200', { token: await api.token(role, org, sub) });
        const listed = board.body.items.some((a: { id: string }) => a.id === id);
        expect(listed, `${role}/${org ?? ''}/${sub ?? ''} board`).toBe(sees[i]);
      }
      const pub = await api.call('GET', '/public/board?limit=200');
      expect(pub.status).toBe(200);
      expect(pub.body.items.some((a: { id: string }) => a.id === id)).toBe(tlp === 'CLEAR');
      // E-mail and SMS carry the text only where the label lets it leave the system.
      const mail = await stack.mail.waitFor((m) => m.text.includes(`/advisories/${id}`), 20_000);
      expect(mail.subject).toContain(`[TLP:${tlp}]`);
      const withheld = tlp === 'RED' || tlp === 'AMBER+STRICT';
      expect(mail.text.includes(ADVISORY.body)).toBe(!withheld);
      expect(mail.subject.includes(`TLP ${tlp} advisory`)).toBe(false);
    },
  );
});

describe('sharing an incident among members', () => {
  it('sends the secretariat-edited text to the other members, with no trace of the reporter anywhere', async () => {
    const incidentId = await api.report('kashima-resin', {
      title: 'Kashima Resin historian encrypted',
      tlp: 'AMBER',
    });
    const secretariat = await api.token('secretariat');
    const identifying = await api.call('POST', `/incidents/${incidentId}/share`, {
      token: secretariat,
      body: {
        title: 'Ransomware at Kashima Resin',
        body: 'Contact yamada@asahi-petrochem.ceptoar.example',
        tlp: 'AMBER',
      },
    });
    expect(identifying.status).toBe(400);
    expect(identifying.body.errors.map((e: { path: string }) => e.path)).toEqual(['title', 'body']);

    const shared = await api.call('POST', `/incidents/${incidentId}/share`, {
      token: secretariat,
      body: {
        title: 'Ransomware on a plant historian at a member company',
        body: 'A historian server was encrypted; isolate historians from the business network.',
        tlp: 'GREEN',
        ackWithinHours: 240,
      },
    });
    expect(shared.status).toBe(201);
    const id = shared.body.id as string;
    // The secretariat's view links back to the incident; nobody else's does.
    expect((await view(id)).body.sourceIncidentId).toBe(incidentId);
    const secView = (await view(id)).body;
    expect(secView.recipients.map((r: { org: string }) => r.org)).not.toContain('kashima-resin');
    // Every other member (the directory test above added one more), never the reporter.
    expect(secView.recipients.map((r: { org: string }) => r.org)).toEqual(
      expect.arrayContaining(MEMBERS.filter((o) => o !== 'kashima-resin')),
    );

    await eventually(
      async () => (await view(id)).body.transmission.delivered === secView.recipients.length || undefined,
      30_000,
      'deliveries',
    );
    const traces = ['kashima-resin', 'Kashima', '鹿島', incidentId, '山田', 'yamada', '+81312345678'];
    const received: string[] = [];
    for (const org of MEMBERS.filter((o) => o !== 'kashima-resin')) {
      received.push(JSON.stringify((await view(id, 'member', org)).body));
      received.push(
        JSON.stringify(
          (await api.call('GET', '/board?limit=200', { token: await api.token('member', org) })).body,
        ),
      );
    }
    received.push(
      ...stack.mail
        .messages()
        .filter((m) => m.text.includes(id))
        .map((m) => `${m.subject}\n${m.text}`),
    );
    received.push(
      ...stack.sms
        .messages()
        .filter((s) => s.to.startsWith('+8190'))
        .map((s) => s.text),
    );
    const link = ackLinks(id).values().next().value as string;
    received.push(JSON.stringify((await api.call('POST', `/ack/${link}`)).body));
    for (const text of received) for (const trace of traces) expect(text).not.toContain(trace);
    // The reporter itself is not a recipient.
    expect((await view(id, 'member', 'kashima-resin')).body.recipient).toBeNull();
  });
});

describe('the contact check', () => {
  it('sends a test message to every member contact on every channel and records who confirmed', async () => {
    expect(
      (
        await api.call('POST', '/contact-checks', {
          token: await api.token('member', 'asahi-petrochem'),
          body: {},
        })
      ).status,
    ).toBe(403);
    const res = await api.call('POST', '/contact-checks', {
      token: await api.token('secretariat'),
      body: { ackWithinHours: 240 },
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const sms = await eventually(
      async () => stack.sms.messages().find((m) => m.to === '+819000000007' && m.text.includes('連絡先確認')),
      20_000,
      'the SMS to Yokkaichi',
    );
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes('csirt@yokkaichi-chem.ceptoar.example') && m.text.includes(`/advisories/${id}`),
      20_000,
    );
    expect(mail.subject).toMatch(/^【訓練】\[TLP:GREEN\] 【連絡先確認】受信を確認してください/);
    // Yokkaichi confirms from its phone.
    const link = /\/ack\/([\w.-]+)/.exec(sms.text)?.[1];
    expect((await api.call('POST', `/ack/${link}`)).body.status).toBe('acknowledged');
    const report = await eventually(
      async () => {
        const r = await api.call('GET', `/contact-checks/${id}`, { token: await api.token('secretariat') });
        const y = r.body.organizations.find((o: { org: string }) => o.org === 'yokkaichi-chem');
        // The view is the recipients' heads, projected after each append: the acknowledgement may come in
        // before or after the second delivery.
        return y?.contacts[0]?.reached.length === 2 && y.contacts[0].confirmedAt ? r.body : undefined;
      },
      20_000,
      'both channels and the confirmation recorded',
    );
    const yokkaichi = report.organizations.find((o: { org: string }) => o.org === 'yokkaichi-chem');
    expect(yokkaichi.contacts[0]).toMatchObject({
      contactId: 'yokkaichi-chem-csirt',
      confirmedAt: expect.stringMatching(/Z$/),
    });
    expect(yokkaichi.contacts[0].reached.map((r: { channel: string }) => r.channel).sort()).toEqual([
      'email',
      'sms',
    ]);
    expect(report.confirmed).toBe(1);
    expect(report.contacts).toBeGreaterThanOrEqual(MEMBERS.length);
  });
});
