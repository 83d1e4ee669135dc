import { describe, expect, it } from 'vitest';
import { type AdvisoryPurpose, advisoryPurposes } from '../events/advisory/advisory.ts';
import { tlpLabels } from '../events/incident/report.ts';
import { type AdvisoryFacts, bodyFor, renderAdvisory } from '../functions/notify/templates.ts';

const purposes: readonly AdvisoryPurpose[] = advisoryPurposes;

const FACTS: AdvisoryFacts = {
  purpose: 'advisory',
  title: 'VPN appliance exploited',
  body: 'Patch the VPN appliances and review their logs.',
  tlp: 'AMBER',
  drill: false,
  dueAt: '2026-11-26T15:00:00.000Z',
  notes: ['経産省より'],
  link: 'https://relay.example/advisories/a1',
  ackLink: 'https://relay.example/ack/t0k',
  escalation: null,
  missed: null,
};

describe('advisory messages, in Japanese and English', () => {
  it.each(purposes.flatMap((p) => [[p, 'ja'] as const, [p, 'en'] as const]))(
    '%s (%s): TLP label and deadline in the subject, links in the body',
    (purpose, lang) => {
      const m = renderAdvisory({ ...FACTS, purpose }, lang);
      expect(m.subject.startsWith('[TLP:AMBER] ')).toBe(true);
      // 2026-11-26T15:00Z is 27 Nov, 00:00 in Tokyo.
      expect(m.subject).toMatch(
        lang === 'ja' ? /\(期限 2026\/11\/27 0:00 JST\)$/ : /\(by 27 Nov 2026, 00:00 JST\)$/,
      );
      expect(m.text).toContain(FACTS.link);
      expect(m.text).toContain(FACTS.ackLink);
      expect(m.text).toMatch(lang === 'ja' ? /セプター情報連絡システム/ : /CEPTOAR relay/);
      expect(m.short).toBe(`${m.subject} ${FACTS.ackLink}`);
    },
  );

  it.each(['ja', 'en'] as const)('marks a drill in front of the subject and in the text (%s)', (lang) => {
    const m = renderAdvisory({ ...FACTS, drill: true }, lang);
    expect(m.subject.startsWith(lang === 'ja' ? '【訓練】[TLP:AMBER]' : '[DRILL] [TLP:AMBER]')).toBe(true);
    expect(m.text.split('\n')[0]).toBe(lang === 'ja' ? 'これは訓練です。' : 'This is a drill.');
  });

  it.each(tlpLabels.flatMap((tlp) => [[tlp, 'ja'] as const, [tlp, 'en'] as const]))(
    '%s (%s): e-mail and SMS carry the text only where the label allows',
    (tlp, lang) => {
      const m = renderAdvisory({ ...FACTS, tlp }, lang);
      const withheld = tlp === 'RED' || tlp === 'AMBER+STRICT';
      for (const channel of ['email', 'sms', 'webhook'] as const) {
        const body = bodyFor(m, channel);
        expect(body.includes(FACTS.body)).toBe(!withheld && channel === 'email');
        expect(body.includes(FACTS.title)).toBe(!withheld && channel === 'email');
        expect(body.includes('経産省より')).toBe(!withheld && channel === 'email');
      }
      expect(m.subject).not.toContain(FACTS.title);
      if (withheld) expect(m.text).toMatch(lang === 'ja' ? /ログイン後に確認/ : /sign in to read it/);
    },
  );

  it('reports the missed count to the secretariat', () => {
    expect(renderAdvisory({ ...FACTS, purpose: 'window_closed', missed: 2 }, 'ja').text).toContain(
      '未確認の受信者: 2',
    );
    expect(renderAdvisory({ ...FACTS, purpose: 'window_closed', missed: 2 }, 'en').text).toContain(
      'Recipients who did not acknowledge: 2',
    );
  });
});
