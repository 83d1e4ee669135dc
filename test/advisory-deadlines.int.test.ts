import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// CEPTOAR_TIME_SCALE=3600: a critical forward's hour passes in one second, a 6-hour
// acknowledgement window in six (reminders after three).
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const view = async (id: string) =>
  api.call('GET', `/advisories/${id}`, { token: await api.token('secretariat') });

describe('deadlines of the advisory chain', () => {
  it('escalates a missed forward, like the upward flow, and goes on once the ministry forwards', async () => {
    const res = await api.call('POST', '/advisories', {
      token: await api.token('nisc'),
      body: {
        title: 'Urgent: wiper malware',
        body: 'Isolate OT networks.',
        tlp: 'GREEN',
        severity: 'critical',
        audience: ['seto-olefin'],
      },
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const escalated = await eventually(
      async () => (await view(id)).body.hops.ministry.escalations.length > 0 || undefined,
      20_000,
      'the ministry escalation',
    );
    expect(escalated).toBe(true);
    // The ministry's escalation contact hears of it, in its language, with the new deadline.
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes('chief@meti.ceptoar.example') && m.text.includes(`/advisories/${id}`),
      20_000,
    );
    expect(mail.subject).toMatch(
      /^\[TLP:GREEN\] 【期限超過】情報提供の展開期限を過ぎています \(期限 .+ JST\)$/,
    );

    const forward = await api.call('POST', `/advisories/${id}/forward`, {
      token: await api.token('ministry'),
      body: {},
    });
    expect(forward.status).toBe(200);
    const s = await api.call('POST', `/advisories/${id}/forward`, {
      token: await api.token('secretariat'),
      body: {},
    });
    expect(s.body.status).toBe('distributed');
    const v = (await view(id)).body;
    expect(v.hops.ministry.escalations[0].missedDueAt < v.hops.ministry.doneAt).toBe(true);
  });

  it('runs a drill: reminds the silent on their secondary channel, records the missed, reports the rate', async () => {
    const secretariat = await api.token('secretariat');
    // A member whose e-mail bounces: the advisory fails on e-mail, the reminder still reaches its phone.
    const put = await api.call('PUT', '/directory/organizations/bounce-chem', {
      token: secretariat,
      body: {
        kind: 'member',
        name: { ja: '跳ね返り化学', en: 'Bounce Chemical' },
        contacts: [
          {
            id: 'bounce-csirt',
            name: 'CSIRT',
            email: 'csirt@bounce.invalid',
            phone: '+819011112222',
            lang: 'en',
            primary: 'email',
            secondary: 'sms',
          },
        ],
      },
    });
    expect(put.status).toBe(201);
    const drill = await api.call('POST', '/drills', {
      token: secretariat,
      body: {
        title: 'セプター訓練 2026',
        body: '受領確認をお願いします。',
        tlp: 'GREEN',
        ackWithinHours: 6,
        audience: ['asahi-petrochem', 'kaigan-chemical', 'bounce-chem'],
      },
    });
    expect(drill.status).toBe(201);
    expect(drill.body.drill).toBe(true);
    const id = drill.body.id as string;
    // Asahi acknowledges at once; the other two stay silent.
    const ack = await api.call('POST', `/advisories/${id}/receipt`, {
      token: await api.token('member', 'asahi-petrochem'),
      body: {},
    });
    expect(ack.body.status).toBe('acknowledged');

    const drillMail = await stack.mail.waitFor(
      (m) => m.to.includes('csirt@kaigan-chemical.ceptoar.example') && m.text.includes(`/advisories/${id}`),
      20_000,
    );
    expect(drillMail.subject).toMatch(/^【訓練】\[TLP:GREEN\] 【要確認】情報提供 \(期限 .+ JST\)$/);
    expect(drillMail.text).toContain('これは訓練です。');

    const closed = await eventually(
      async () => {
        const v = (await view(id)).body;
        return v.status === 'closed' ? v : undefined;
      },
      30_000,
      'the window to close',
    );
    await stack.settle();
    const v = (await view(id)).body;
    const row = (org: string) => v.recipients.find((r: { org: string }) => r.org === org);
    // The bounce is recorded as a failed delivery.
    expect(row('bounce-chem').deliveries).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'email', ok: false, purpose: 'advisory' })]),
    );
    // Reminders went to the silent ones only, by SMS (their secondary channel), marked as a drill.
    for (const org of ['kaigan-chemical', 'bounce-chem']) {
      expect(row(org).remindedAt).toMatch(/Z$/);
      expect(row(org).deliveries).toEqual(
        expect.arrayContaining([expect.objectContaining({ channel: 'sms', ok: true, purpose: 'reminder' })]),
      );
      expect(row(org).missed).toBe(true);
    }
    expect(row('asahi-petrochem').remindedAt).toBeNull();
    expect(row('asahi-petrochem').missed).toBe(false);
    const reminderSms = stack.sms.messages().find((s) => s.to === '+819011112222');
    expect(reminderSms?.text).toMatch(
      /^\[DRILL\] \[TLP:GREEN\] \[Reminder\] Advisory awaiting your acknowledgement/,
    );
    expect(closed.transmission).toMatchObject({ recipients: 3, acknowledged: 1, withinWindow: 1 });
    // The secretariat gets the window's result.
    const report = await stack.mail.waitFor(
      (m) => m.to.includes('duty@secretariat.ceptoar.example') && m.text.includes(`/advisories/${id}`),
      20_000,
    );
    expect(report.text).toContain('未確認の受信者: 2');

    const json = await api.call('GET', `/drills/${id}/report`, { token: secretariat });
    expect(json.status).toBe(200);
    expect(json.body.overall).toEqual({ recipients: 3, acknowledgedWithinWindow: 1, rate: 1 / 3 });
    expect(json.body.stages).toEqual([
      expect.objectContaining({ stage: 'members', expected: 3, withinDeadline: 1 }),
    ]);
    const csv = await api.call('GET', `/drills/${id}/report`, {
      token: secretariat,
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toMatch(/^row,stage_or_org,/);
    expect(lines).toContain('stage,members,3,1,0.3333333333333333,,,,,,,');
    expect(lines.find((l) => l.startsWith('recipient,kaigan-chemical,'))).toMatch(/,false,true,true$/);
    // A member cannot read the report.
    expect(
      (await api.call('GET', `/drills/${id}/report`, { token: await api.token('member', 'asahi-petrochem') }))
        .status,
    ).toBe(403);
  });
});
