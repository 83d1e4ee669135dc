import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import type { VoiceCall } from '../local/voice.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// Calls (電話) on the whole local stack at CEPTOAR_TIME_SCALE=3600: a critical hop's hour passes in a
// second. The seed directory gives the secretariat's, METI's and NISC's contacts voice numbers
// (config/directory.json); the voice catcher keeps every call in <data dir>/voice.jsonl.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const SEC_DUTY_VOICE = '+81300000101';
const SEC_LEAD_VOICE = '+81300000102';
const NISC_DUTY_VOICE = '+81300000121';

const callsReading = (words: string) => stack.voice.calls().filter((c) => c.text.includes(words));

async function voiceDeliveries(id: string) {
  return (await api.events(id)).filter(
    (e) =>
      (e.type === 'NotificationDelivered' || e.type === 'NotificationFailed') && e.data.channel === 'voice',
  );
}

describe('voice calls, end to end on the local stack', () => {
  it("calls the secretariat's duty desk when a critical incident is reported: caught in voice.jsonl, recorded on the stream", async () => {
    const title = 'Chiba DCS down & <encrypted>';
    const id = await api.report('asahi-petrochem', { title, severity: 'critical', tlp: 'AMBER' });
    const call = await eventually(
      async () => callsReading(title).find((c) => c.to === SEC_DUTY_VOICE),
      15_000,
      "the call to the secretariat's duty desk",
    );
    expect(call).toMatchObject({ from: '+81300000000', voiceId: 'MIZUKI', language: 'ja-JP' });
    expect(call.text).toContain('IT障害報告の確認をお願いします。');
    expect(call.text).toContain('重大度は、緊急です。');
    expect(call.text).toMatch(/セプター事務局の確認の期限は、日本時間 \d+月\d+日 \d+時(\d+分)?です。/);
    expect(call.ssml).toContain('Chiba DCS down &amp; &lt;encrypted&gt;');
    // The call's delivery is an event on the incident's stream, like an e-mail's.
    await eventually(
      async () => (await voiceDeliveries(id)).some((e) => e.data.to === SEC_DUTY_VOICE),
      10_000,
      'the recorded call',
    );
    const first = (await voiceDeliveries(id)).find((e) => e.data.purpose === 'review_requested');
    expect(first).toMatchObject({
      type: 'NotificationDelivered',
      data: {
        key: `1:review_requested:sec-duty:voice`,
        purpose: 'review_requested',
        channel: 'voice',
        to: SEC_DUTY_VOICE,
        messageId: call.messageId,
      },
    });
  });

  it('calls the escalation contact as the second route when the critical deadline passes', async () => {
    const title = 'Escalated historian outage';
    const id = await api.report('asahi-petrochem', { title, severity: 'critical', tlp: 'GREEN' });
    const escalated = await eventually(
      async () => callsReading(title).find((c) => c.to === SEC_LEAD_VOICE),
      30_000,
      "the escalation call to the secretariat's lead",
    );
    expect(escalated.text).toContain('IT障害報告の対応期限を過ぎています。');
    expect(escalated.text).toContain('1回目のエスカレーションです。');
    await eventually(
      async () =>
        (await voiceDeliveries(id)).some(
          (e) =>
            e.type === 'NotificationDelivered' &&
            e.data.purpose === 'escalation' &&
            e.data.to === SEC_LEAD_VOICE &&
            e.data.messageId === escalated.messageId,
        ),
      10_000,
      'the recorded escalation call',
    );
    // The e-mail still goes: the call is a second route, not a replacement.
    // (Each channel's message is delivered on its own, so the e-mail may be recorded after the call.)
    await eventually(
      async () =>
        (await api.events(id)).some(
          (e) =>
            e.type === 'NotificationDelivered' &&
            e.data.purpose === 'escalation' &&
            e.data.to === 'lead@secretariat.ceptoar.example',
        ),
      10_000,
      'the recorded escalation e-mail',
    );
  });

  it("reads NISC's duty officer the relay request in English, and of a TLP:RED report only its label", async () => {
    const title = 'Secret plant intrusion';
    const id = await api.report('asahi-petrochem', { title, severity: 'critical', tlp: 'RED' });
    const secretariat = await api.token('secretariat');
    await eventually(
      async () => (await api.events(id)).some((e) => e.type === 'RelayWaitStarted'),
      10_000,
      'the secretariat wait',
    );
    expect(
      (
        await api.call('POST', `/incidents/${id}/decision`, {
          token: secretariat,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(200);
    const ministry = await api.token('ministry');
    await eventually(
      async () =>
        (await api.call('POST', `/incidents/${id}/receipt`, { token: ministry, body: {} })).status === 200,
      10_000,
      "the ministry's receipt",
    );
    const toNisc = await eventually(
      async () =>
        (await voiceDeliveries(id)).find(
          (e) =>
            e.type === 'NotificationDelivered' && e.data.purpose === 'relay' && e.data.to === NISC_DUTY_VOICE,
        ),
      30_000,
      'the recorded call to NISC',
    );
    const call = stack.voice
      .calls()
      .find((c: VoiceCall) => c.messageId === (toNisc.data as { messageId: string }).messageId);
    expect(call).toMatchObject({ to: NISC_DUTY_VOICE, voiceId: 'JOANNA', language: 'en-US' });
    expect(call?.text).toContain('An IT incident report is waiting for your receipt.');
    expect(call?.text).toContain('This report is TLP red: its content is not read over the phone.');
    // Nothing of a TLP:RED report is read on any call.
    expect(stack.voice.calls().filter((c) => c.text.includes(title))).toEqual([]);
  });

  it('places no call for a low-severity report', async () => {
    const title = 'Low-severity phishing wave';
    const id = await api.report('asahi-petrochem', { title, severity: 'low', tlp: 'GREEN' });
    await eventually(
      async () =>
        (await api.events(id)).some(
          (e) => e.type === 'NotificationDelivered' && e.data.to === 'duty@secretariat.ceptoar.example',
        ),
      10_000,
      "the secretariat's e-mail",
    );
    await stack.settle();
    expect(callsReading(title)).toEqual([]);
    expect(await voiceDeliveries(id)).toEqual([]);
  });
});
