import {
  PinpointSMSVoiceV2Client,
  SendVoiceMessageCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { chainCalls, evolveAdvisory, initialAdvisory } from '../events/advisory/advisory.ts';
import { decideAdvisory } from '../events/advisory/decide.ts';
import { organizationSchema } from '../events/directory/directory.ts';
import type { IncidentEvent, Recorded } from '../events/incident/incident.ts';
import { notificationsFor } from '../events/incident/notifications.ts';
import { tlpLabels } from '../events/incident/report.ts';
import { relayPolicy } from '../events/policy.ts';
import type { Directory } from '../functions/aggregates/directory.ts';
import type { OutboundNotification } from '../functions/notify/notifier.ts';
import { onFirstUse } from '../functions/notify/senders.ts';
import {
  type AdvisoryFacts,
  bodyFor,
  type MessageFacts,
  render,
  renderAdvisory,
  renderSurvey,
} from '../functions/notify/templates.ts';
import { escapeSsml, spokenTime, toSsml } from '../functions/notify/voice-script.ts';
import { voiceSender } from '../functions/notify/voice-sender.ts';
import { advisoryMessagesFor } from '../functions/reactions/advisory-reactions.ts';
import { messagesFor } from '../functions/reactions/reactions.ts';
import { ssmlText } from '../local/voice.ts';
import { given } from './support/decider.ts';
import {
  ASAHI_MEMBER,
  at,
  HOURS,
  INCIDENT_ID,
  NISC,
  RANSOMWARE_REPORT,
  T0,
  WORKFLOW,
} from './support/fixtures.ts';

// A call (電話) reads a short message in the contact's language: what is due and by when, and of the
// report or advisory no more than its TLP label lets leave the system.

const DUE = '2026-11-26T15:00:00.000Z'; // 27 Nov 00:00 in Tokyo: the date changes in JST
const HOSTILE_TITLE = 'Ransomware </s><audio src="https://evil.example/x.mp3"/> & "more" \u0007';

const INCIDENT_FACTS: MessageFacts = {
  purpose: 'relay',
  incidentId: INCIDENT_ID,
  title: RANSOMWARE_REPORT.title,
  severity: 'critical',
  tlp: 'AMBER',
  hop: 'ministry',
  dueAt: DUE,
  escalation: null,
  link: `https://relay.example/incidents/${INCIDENT_ID}`,
};

const ADVISORY_FACTS: AdvisoryFacts = {
  purpose: 'advisory',
  title: 'VPN appliance exploited',
  body: 'Patch the VPN appliances and review their logs.',
  tlp: 'GREEN',
  drill: false,
  dueAt: DUE,
  notes: ['経産省より'],
  link: 'https://relay.example/advisories/a1',
  ackLink: 'https://relay.example/ack/t0k',
  escalation: null,
  missed: null,
};

describe('SSML of a call', () => {
  it('escapes the five XML specials and drops control characters, so no text becomes markup', () => {
    expect(escapeSsml(`a & b < c > d " e ' f\u0000\u001f`)).toBe('a &amp; b &lt; c &gt; d &quot; e &apos; f');
    const ssml = toSsml([HOSTILE_TITLE], 'en');
    expect(ssml).not.toContain('<audio');
    expect(ssml).not.toContain('\u0007');
    // The only elements are the script's own.
    expect(new Set([...ssml.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]))).toEqual(
      new Set(['speak', 'lang', 's', 'break']),
    );
    expect(ssmlText(ssml)).toContain('Ransomware </s><audio src="https://evil.example/x.mp3"/> & "more"');
  });

  it.each([
    ['ja', 'ja-JP', '繰り返します。'],
    ['en', 'en-US', 'Once again.'],
  ] as const)('is one <speak> in the contact language (%s → %s), said twice', (lang, locale, again) => {
    const ssml = toSsml(['one.', 'two.'], lang);
    expect(ssml).toBe(
      `<speak><lang xml:lang="${locale}"><s>one.</s><s>two.</s><break time="1s"/><s>${again}</s><s>one.</s><s>two.</s></lang></speak>`,
    );
  });

  it('says a deadline in Japan time, across the date change', () => {
    expect(spokenTime(DUE, 'ja')).toBe('日本時間 11月27日 0時');
    expect(spokenTime('2026-11-26T09:30:00.000Z', 'ja')).toBe('日本時間 11月26日 18時30分');
    expect(spokenTime(DUE, 'en')).toBe('27 November, 00:00 Japan time');
  });
});

describe('who a message says it is from', () => {
  // Every sector's members get these messages: none may name one sector or its ministry.
  it.each(['ja', 'en'] as const)('the system, never one sector or ministry (%s)', (lang) => {
    const messages = [
      render(INCIDENT_FACTS, lang),
      renderAdvisory(ADVISORY_FACTS, lang),
      renderSurvey(
        {
          purpose: 'survey',
          title: { ja: '浸透状況調査', en: 'Penetration survey' },
          tlp: 'GREEN',
          dueAt: DUE,
          link: 'https://relay.example/s/1',
        },
        lang,
      ),
    ];
    for (const message of messages) {
      const said = ssmlText(message.voice);
      expect(message.text.split('\n').at(-1)).toBe(
        lang === 'ja'
          ? 'このメールはセプター情報連絡システムから送信されています。'
          : 'Sent by the CEPTOAR relay.',
      );
      expect(said).toContain(
        lang === 'ja' ? 'こちらは、セプター情報連絡システムです。' : 'This is the CEPTOAR relay.',
      );
      for (const text of [message.subject, message.text, message.short, said])
        expect(text).not.toMatch(/化学|chemical|経済産業省|METI/i);
    }
  });
});

describe('what an incident call reads', () => {
  it.each(['ja', 'en'] as const)('names what is due and by when, in the language (%s)', (lang) => {
    const message = render(INCIDENT_FACTS, lang);
    expect(bodyFor(message, 'voice')).toBe(message.voice);
    const said = ssmlText(message.voice);
    if (lang === 'ja') {
      expect(message.voice).toContain('xml:lang="ja-JP"');
      expect(said).toContain('IT障害報告の受領確認をお願いします。');
      expect(said).toContain('所管省庁の受領の期限は、日本時間 11月27日 0時です。');
      expect(said).toContain('重大度は、緊急です。');
    } else {
      expect(message.voice).toContain('xml:lang="en-US"');
      expect(said).toContain('An IT incident report is waiting for your receipt.');
      expect(said).toContain("The ministry's receipt is due by 27 November, 00:00 Japan time.");
      expect(said).toContain('Severity: critical.');
    }
    // Links are for reading, not for hearing; the report's text is never read.
    expect(said).not.toContain('https://');
    expect(said).not.toContain(RANSOMWARE_REPORT.description);
  });

  it.each(tlpLabels.flatMap((tlp) => [[tlp, 'ja'] as const, [tlp, 'en'] as const]))(
    'TLP:%s (%s): reads the title only where the label lets it leave the system',
    (tlp, lang) => {
      const said = ssmlText(render({ ...INCIDENT_FACTS, tlp }, lang).voice);
      const withheld = tlp === 'RED' || tlp === 'AMBER+STRICT';
      expect(said.includes(RANSOMWARE_REPORT.title)).toBe(!withheld);
      expect(said.includes(lang === 'ja' ? '重大度' : 'Severity')).toBe(!withheld);
      if (withheld)
        expect(said).toContain(lang === 'ja' ? '内容は電話ではお伝えしません' : 'not read over the phone');
      // What is due still is said: the call exists to get someone to act.
      expect(said).toContain(lang === 'ja' ? '期限は' : 'is due by');
    },
  );

  it('reads a hostile title as text', () => {
    const message = render({ ...INCIDENT_FACTS, title: HOSTILE_TITLE, tlp: 'GREEN' }, 'en');
    expect(message.voice).not.toContain('<audio');
    expect(message.voice).toContain('&lt;audio src=&quot;https://evil.example/x.mp3&quot;/&gt; &amp;');
  });
});

describe('what an advisory call reads', () => {
  it.each(['ja', 'en'] as const)('says a drill is a drill, first (%s)', (lang) => {
    const said = ssmlText(renderAdvisory({ ...ADVISORY_FACTS, drill: true }, lang).voice);
    expect(said.startsWith(lang === 'ja' ? 'これは訓練です。' : 'This is a drill.')).toBe(true);
  });

  it.each(tlpLabels.flatMap((tlp) => [[tlp, 'ja'] as const, [tlp, 'en'] as const]))(
    'TLP:%s (%s): the title only where the label allows, the text and notes never',
    (tlp, lang) => {
      const said = ssmlText(renderAdvisory({ ...ADVISORY_FACTS, tlp }, lang).voice);
      const withheld = tlp === 'RED' || tlp === 'AMBER+STRICT';
      expect(said.includes(ADVISORY_FACTS.title)).toBe(!withheld);
      expect(said).not.toContain(ADVISORY_FACTS.body);
      expect(said).not.toContain('経産省より');
      expect(said).not.toContain('https://');
      expect(said).toContain(lang === 'ja' ? '受領を確認してください' : 'acknowledge it');
    },
  );
});

describe('who is called', () => {
  const reported = (severity: 'critical' | 'high') =>
    ({
      type: 'IncidentReported',
      data: {
        incidentId: INCIDENT_ID,
        org: 'asahi-petrochem',
        reportedBy: 'u-asahi-1',
        report: { ...RANSOMWARE_REPORT, severity },
        secretariatDueAt: at(T0, HOURS),
      },
    }) satisfies IncidentEvent;
  const recorded = <E extends IncidentEvent>(event: E, version: number): Recorded<E> => ({
    ...event,
    version,
    recordedAt: T0,
    actor: version === 1 ? ASAHI_MEMBER : WORKFLOW,
  });
  const missed: IncidentEvent = {
    type: 'HopDeadlineMissed',
    data: { hop: 'secretariat', escalation: 1, missedDueAt: at(T0, HOURS), nextDueAt: at(T0, 2 * HOURS) },
  };
  const DIRECTORY: Directory = {
    organizations: {
      secretariat: organizationSchema().parse({
        kind: 'secretariat',
        name: { ja: '事務局', en: 'Secretariat' },
        contacts: [
          { id: 'duty', name: '当番', email: 'duty@sec.example', voice: '+81300000001', primary: 'email' },
          {
            id: 'lead',
            name: '事務局長',
            email: 'lead@sec.example',
            voice: '+81300000002',
            lang: 'en',
            escalation: true,
            primary: 'email',
          },
          { id: 'desk', name: '窓口', email: 'desk@sec.example', primary: 'email' },
        ],
      }),
    },
  };
  const calls = (event: Recorded<IncidentEvent>, severity: 'critical' | 'high'): OutboundNotification[] => {
    const state = given([{ event: reported(severity), at: T0, actor: ASAHI_MEMBER }]);
    if (!state) throw new Error('no incident');
    return messagesFor(event, state, { directory: DIRECTORY, publicUrl: 'https://relay.example' }).filter(
      (m) => m.channel === 'voice',
    );
  };

  it("calls the secretariat's duty contacts that have a voice number when a critical incident is reported", () => {
    const state = given([{ event: reported('critical'), at: T0, actor: ASAHI_MEMBER }]);
    if (!state) throw new Error('no incident');
    expect(notificationsFor(recorded(reported('critical'), 1), state)).toEqual([
      {
        purpose: 'review_requested',
        audience: [{ org: 'secretariat', contacts: 'duty' }],
        hop: 'secretariat',
        call: true,
      },
    ]);
    expect(calls(recorded(reported('critical'), 1), 'critical')).toEqual([
      expect.objectContaining({
        key: '1:review_requested:duty:voice',
        channel: 'voice',
        to: '+81300000001',
        lang: 'ja',
        body: expect.stringMatching(/^<speak><lang xml:lang="ja-JP">.*IT障害報告の確認をお願いします。/),
      }),
    ]);
  });

  it('places no call for a high-severity report: e-mail carries it', () => {
    expect(calls(recorded(reported('high'), 1), 'high')).toEqual([]);
  });

  it('calls as the second route of every escalation, whatever the severity, each in their language', () => {
    expect(calls(recorded(missed, 2), 'high')).toEqual([
      expect.objectContaining({ key: '2:escalation:lead:voice', to: '+81300000002', lang: 'en' }),
      expect.objectContaining({ key: '2:escalation:duty:voice', to: '+81300000001', lang: 'ja' }),
    ]);
  });

  it("calls the ministry's duty contact, in its language, when NISC issues a critical advisory", async () => {
    const ministryDirectory: Directory = {
      organizations: {
        ministry: organizationSchema().parse({
          kind: 'ministry',
          name: { ja: '経済産業省', en: 'METI' },
          contacts: [
            {
              id: 'meti-duty',
              name: '当直',
              email: 'duty@meti.example',
              voice: '+81300000111',
              primary: 'email',
            },
          ],
        }),
      },
    };
    const issue = (severity: 'critical' | 'high') => {
      const [event] = decideAdvisory(
        {
          type: 'IssueAdvisory',
          data: {
            advisoryId: '0b4a3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d',
            title: 'VPN vulnerability',
            body: 'Patch now.',
            tlp: 'AMBER',
            severity,
            ackWithinHours: 24,
            audience: 'all',
            drill: false,
            roster: { members: ['asahi-petrochem'], logins: {} },
          },
        },
        initialAdvisory(),
        { now: T0, actor: NISC, policy: relayPolicy() },
      );
      if (!event) throw new Error('not issued');
      const recorded = { ...event, version: 1, recordedAt: T0, actor: NISC };
      const state = evolveAdvisory(initialAdvisory(), recorded);
      if (!state) throw new Error('no advisory');
      return advisoryMessagesFor(recorded, state, {
        directory: async () => ministryDirectory,
        ackKey: async () => new Uint8Array(32),
        publicUrl: 'https://relay.example',
      });
    };
    const critical = await issue('critical');
    expect(critical.map((m) => m.channel)).toEqual(['email', 'voice']);
    expect(critical[1]).toMatchObject({
      key: '1:forward_requested:meti-duty:voice',
      streamId: 'advisory#0b4a3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d',
      to: '+81300000111',
      lang: 'ja',
      body: expect.stringContaining('情報提供の展開をお願いします。'),
    });
    expect((await issue('high')).map((m) => m.channel)).toEqual(['email']);
  });

  it('calls the advisory chain for a critical forwarding request and for every missed forwarding deadline', () => {
    expect(chainCalls('forward_requested', 'critical')).toBe(true);
    expect(chainCalls('forward_requested', 'high')).toBe(false);
    expect(chainCalls('forward_escalation', 'low')).toBe(true);
    expect(chainCalls('forward_stalled', 'medium')).toBe(true);
    expect(chainCalls('window_closed', 'critical')).toBe(false);
  });

  it('takes only an E.164 voice number, and one for a voice channel', () => {
    const entry = (contact: Record<string, unknown>) =>
      organizationSchema().safeParse({
        kind: 'secretariat',
        name: { ja: '事務局', en: 'Secretariat' },
        contacts: [{ id: 'duty', name: '当番', email: 'duty@sec.example', ...contact }],
      });
    expect(entry({ voice: '03-1234-5678', primary: 'email' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['contacts', 0, 'voice'], message: expect.stringMatching(/E\.164/) }),
    ]);
    expect(entry({ primary: 'email', secondary: 'voice' }).error?.issues).toEqual([
      expect.objectContaining({
        path: ['contacts', 0, 'voice'],
        message: 'the secondary channel voice needs this address',
      }),
    ]);
    expect(entry({ voice: '+81312345678', primary: 'email', secondary: 'voice' }).success).toBe(true);
  });
});

describe('the voice sender', () => {
  const client = new PinpointSMSVoiceV2Client({ region: 'ap-northeast-1' });
  const mock = mockClient(client);
  afterEach(() => mock.reset());
  const POOL = 'arn:aws:sms-voice:ap-northeast-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef';
  const call = (lang: 'ja' | 'en'): OutboundNotification => ({
    key: '1:review_requested:duty:voice',
    streamId: `incident#${INCIDENT_ID}`,
    purpose: 'review_requested',
    channel: 'voice',
    to: '+81300000001',
    subject: '[TLP:AMBER] …',
    body: render(INCIDENT_FACTS, lang).voice,
    lang,
  });

  it.each([
    ['ja', 'MIZUKI'],
    ['en', 'JOANNA'],
  ] as const)(
    'reads the SSML in the voice of the language (%s: %s) from the origination identity',
    async (lang, voice) => {
      mock.on(SendVoiceMessageCommand).resolves({ MessageId: 'm-1' });
      const message = call(lang);
      expect(await voiceSender(client, POOL)(message)).toEqual({ ok: true, messageId: 'm-1' });
      expect(mock.commandCalls(SendVoiceMessageCommand).map((c) => c.args[0].input)).toEqual([
        {
          DestinationPhoneNumber: '+81300000001',
          OriginationIdentity: POOL,
          MessageBody: message.body,
          MessageBodyTextType: 'SSML',
          VoiceId: voice,
          TimeToLive: 3600,
          Context: { key: message.key, purpose: 'review_requested' },
        },
      ]);
    },
  );

  it('records a refused call as failed', async () => {
    mock
      .on(SendVoiceMessageCommand)
      .rejects(new ValidationException({ message: 'bad destination', $metadata: {} }));
    expect(await voiceSender(client, POOL)(call('ja'))).toEqual({
      ok: false,
      reason: 'ValidationException: bad destination',
    });
  });

  it('throws what may pass on a retry, for the queue to retry it', async () => {
    mock
      .on(SendVoiceMessageCommand)
      .rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await expect(voiceSender(client, POOL)(call('ja'))).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('records every call as failed, without calling AWS, where no origination identity is configured', async () => {
    expect(await voiceSender(client, undefined)(call('ja'))).toEqual({
      ok: false,
      reason: expect.stringContaining('voiceOriginationIdentity'),
    });
    expect(mock.commandCalls(SendVoiceMessageCommand)).toEqual([]);
  });

  it("loads the deliverer's call sender with the first call, once, and again after a failed load", async () => {
    mock.on(SendVoiceMessageCommand).resolves({ MessageId: 'm-2' });
    let loads = 0;
    const sender = onFirstUse(async () => {
      loads++;
      if (loads === 1) throw new Error('the module did not load');
      return voiceSender(client, POOL);
    });
    expect(loads).toBe(0);
    await expect(sender(call('ja'))).rejects.toThrow('the module did not load');
    expect(await sender(call('ja'))).toEqual({ ok: true, messageId: 'm-2' });
    expect(await sender(call('en'))).toEqual({ ok: true, messageId: 'm-2' });
    expect(loads).toBe(2);
  });
});
