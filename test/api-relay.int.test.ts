import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// The whole local stack at CEPTOAR_TIME_SCALE=3600: a critical hop's hour passes in one
// second, a low one's 72 hours in 72 seconds (so "low" incidents never time out here).
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const types = async (id: string) => (await api.events(id)).map((e) => e.type);

describe('the relay, end to end on the local stack', () => {
  it('relays a report member → secretariat → ministry → NISC, with a notification at every step', async () => {
    const id = await api.report('asahi-petrochem', { title: 'Historian encrypted' });
    const secretariat = await api.token('secretariat');
    // The workflow registers its wait on the secretariat's decision.
    await eventually(
      async () => (await types(id)).includes('RelayWaitStarted'),
      10_000,
      'the secretariat wait',
    );

    const approve = await api.call('POST', `/incidents/${id}/decision`, {
      token: secretariat,
      body: { decision: 'approve' },
    });
    expect(approve.status).toBe(200);
    expect(approve.body).toMatchObject({ id, status: 'awaiting_ministry' });

    // NISC cannot see it yet; the ministry can.
    expect((await api.call('GET', `/incidents/${id}`, { token: await api.token('nisc') })).status).toBe(404);
    const ministry = await api.token('ministry');
    expect(
      (await api.call('POST', `/incidents/${id}/receipt`, { token: ministry, body: {} })).body.status,
    ).toBe('awaiting_nisc');
    const nisc = await api.token('nisc');
    expect(
      (await api.call('POST', `/incidents/${id}/receipt`, { token: nisc, body: { note: '受領しました' } }))
        .body.status,
    ).toBe('relayed');

    const view = await api.call('GET', `/incidents/${id}`, { token: secretariat });
    expect(view.body.status).toBe('relayed');
    for (const hop of ['secretariat', 'ministry', 'nisc']) {
      expect(view.body.hops[hop].dueAt).toMatch(/Z$/);
      expect(view.body.hops[hop].doneAt).toMatch(/Z$/);
      expect(view.body.hops[hop].escalations).toEqual([]);
    }
    expect(view.body.hops.nisc.note).toBe('受領しました');
    expect(JSON.stringify(view.body)).not.toContain('taskToken');

    // Every hop's duty contact got an e-mail; each delivery is an event on the stream.
    await stack.settle();
    const to = (address: string) =>
      stack.mail.messages().filter((m) => m.to.includes(address) && m.text.includes(id));
    await eventually(async () => to('duty@nisc.ceptoar.example').length > 0, 10_000, 'the mail to NISC');
    expect(to('duty@secretariat.ceptoar.example').map((m) => m.subject)).toContainEqual(
      expect.stringMatching(/^\[TLP:AMBER\] 【要対応】IT障害報告の確認依頼 \(期限 .+ JST\)$/),
    );
    expect(to('duty@meti.ceptoar.example')[0]?.subject).toMatch(/【要対応】IT障害報告の受領依頼/);
    // NISC's duty officer prefers English.
    expect(to('duty@nisc.ceptoar.example')[0]?.subject).toMatch(
      /^\[TLP:AMBER\] \[Action\] IT incident report awaiting receipt/,
    );
    const events = await api.events(id);
    const delivered = events
      .filter((e) => e.type === 'NotificationDelivered')
      .map((e) => `${e.data.purpose}:${e.data.to}`);
    expect(delivered).toEqual(
      expect.arrayContaining([
        'review_requested:duty@secretariat.ceptoar.example',
        'review_requested:+81300000001',
        'relay:duty@meti.ceptoar.example',
        'relay:duty@nisc.ceptoar.example',
        'relayed:yamada@asahi-petrochem.ceptoar.example',
      ]),
    );
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    // The relay workflow finished once NISC received the report (the incident's stage workflow, if one
    // runs, has the same name).
    await eventually(
      async () =>
        stack.sfn
          .executions()
          .find(
            (x) => x.name === id && x.stateMachineArn.includes('RelayWorkflow') && x.status === 'SUCCEEDED',
          ),
      10_000,
      'the workflow to succeed',
    );
  });

  it('returns a report to the member, whose follow-up puts it back under review', async () => {
    const id = await api.report();
    const secretariat = await api.token('secretariat');
    const member = await api.token('member', 'asahi-petrochem');
    const back = await api.call('POST', `/incidents/${id}/decision`, {
      token: secretariat,
      body: { decision: 'return', note: 'どのプラントですか' },
    });
    expect(back.body.status).toBe('returned');
    const follow = await api.call('POST', `/incidents/${id}/follow-ups`, {
      token: member,
      body: { description: '千葉工場 2 号機です', recoveryStatus: 'mitigating' },
    });
    expect(follow.status).toBe(201);
    expect(follow.body.status).toBe('awaiting_secretariat');
    const view = await api.call('GET', `/incidents/${id}`, { token: member });
    expect(view.body.returns).toEqual([expect.objectContaining({ note: 'どのプラントですか' })]);
    expect(view.body.followUps[0]).toMatchObject({
      number: 1,
      description: '千葉工場 2 号機です',
      recoveryStatus: 'mitigating',
    });
    expect(view.body.hops.member.doneAt).toMatch(/Z$/);
    // Asahi's directory entry prefers English.
    await eventually(
      async () =>
        stack.mail
          .messages()
          .find(
            (m) =>
              m.to.includes('yamada@asahi-petrochem.ceptoar.example') &&
              m.subject.includes('Your IT incident report was returned'),
          ),
      10_000,
      'the return notice to the reporter',
    );
    expect(
      (
        await api.call('POST', `/incidents/${id}/decision`, {
          token: secretariat,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(200);
  });

  it('escalates each missed deadline, stalls after three, and starts again when the secretariat acts', async () => {
    const id = await api.report('kaigan-chemical', { severity: 'critical', title: 'Line 3 DCS down' });
    // Critical: one hour per hop = one second here. Three escalations, then the relay stalls.
    const events = await eventually(
      async () => {
        const list = await api.events(id);
        return list.some((e) => e.type === 'RelayStalled') ? list : undefined;
      },
      20_000,
      'the relay to stall',
    );
    const misses = events.filter((e) => e.type === 'HopDeadlineMissed');
    expect(misses.map((e) => [e.data.hop, e.data.escalation])).toEqual([
      ['secretariat', 1],
      ['secretariat', 2],
      ['secretariat', 3],
    ]);
    const view = await api.call('GET', `/incidents/${id}`, { token: await api.token('secretariat') });
    expect(view.body.stalledHop).toBe('secretariat');
    expect(view.body.hops.secretariat.escalations).toHaveLength(3);
    await eventually(
      async () =>
        stack.mail
          .messages()
          .find((m) => m.to.includes('lead@secretariat.ceptoar.example') && m.text.includes(id)),
      10_000,
      'the escalation mail to the secretariat lead',
    );
    const stalled = await eventually(
      async () => stack.sfn.executions().find((x) => x.name === id && x.status === 'FAILED'),
      10_000,
      'the stalled workflow',
    );
    expect(stalled.error).toBe('RelayStalled');

    // Approving a stalled relay starts a new workflow that waits on the ministry.
    const approve = await api.call('POST', `/incidents/${id}/decision`, {
      token: await api.token('secretariat'),
      body: { decision: 'approve' },
    });
    expect(approve.status).toBe(200);
    await eventually(
      async () =>
        (await api.events(id)).some((e) => e.type === 'RelayWaitStarted' && e.data.hop === 'ministry'),
      10_000,
      'the restarted workflow to wait on the ministry',
    );
    expect(stack.sfn.executions().some((x) => x.name === `${id}-v${approve.body.version}`)).toBe(true);
  });

  it('lets exactly one of two simultaneous approvals through (the other gets 409)', async () => {
    const id = await api.report();
    const [a, b] = await Promise.all([
      api.call('POST', `/incidents/${id}/decision`, {
        token: await api.token('secretariat', undefined, 'clerk-a'),
        body: { decision: 'approve' },
      }),
      api.call('POST', `/incidents/${id}/decision`, {
        token: await api.token('secretariat', undefined, 'clerk-b'),
        body: { decision: 'return' },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const decisions = (await types(id)).filter((t) => t === 'RelayApproved' || t === 'RelayReturned');
    expect(decisions).toHaveLength(1);
  });

  it('answers a retried POST with the first response and writes nothing new', async () => {
    const member = await api.token('member', 'minato-polymer');
    const body = { ...(await import('./support/fixtures.ts')).RANSOMWARE_REPORT, severity: 'low' };
    const send = () =>
      api.call('POST', '/incidents', {
        token: member,
        body,
        headers: { 'idempotency-key': 'report-2026-11-26-001' },
      });
    const responses = await Promise.all(Array.from({ length: 20 }, send));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    const list = await api.call('GET', '/incidents', { token: member });
    expect(list.body.items.filter((i: { id: string }) => ids.has(i.id))).toHaveLength(1);
    expect(list.body.items).toHaveLength(1);
    const reused = await api.call('POST', '/incidents', {
      token: member,
      body: { ...body, title: 'another' },
      headers: { 'idempotency-key': 'report-2026-11-26-001' },
    });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    expect((await api.call('GET', '/incidents', { token: member })).body.items).toHaveLength(1);
  });
});
