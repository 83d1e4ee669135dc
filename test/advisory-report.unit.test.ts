import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import {
  type AdvisoryEvent,
  type AdvisoryState,
  evolveAdvisory,
  evolveRecipient,
  type MaybeRecipient,
  type RecipientEvent,
  type RecipientState,
} from '../events/advisory/advisory.ts';
import { reportCsv, transmissionReport } from '../events/advisory/report.ts';
import { at, HOURS, MINISTRY, NISC, SECRETARIAT, T0 } from './support/fixtures.ts';

const ID = '0b4a3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d';
const SYSTEM: Actor = { kind: 'system', sub: 'system:advisory-workflow' };
const h = (n: number) => at(T0, n * HOURS);

// The hand-computed example. NISC issues a drill at T0. The ministry (due T0+4h) forwards
// at T0+1h: within. The secretariat (due T0+5h) misses it, is escalated at T0+5h and
// forwards at T0+6h: not within. Distributed at T0+6h with a 24 h window: reminders at
// T0+18h, deadline T0+30h. Asahi acknowledges at T0+7h (1 h = 3600 s), Kaigan after its
// reminder at T0+20h (14 h = 50400 s), Minato never (missed). Members: 2 of 3 within the
// window; overall rate 2/3; stages: ministry 1/1, secretariat 0/1, members 2/3.
const advisoryEvents: [AdvisoryEvent, string, Actor][] = [
  [
    {
      type: 'AdvisoryIssued',
      data: {
        advisoryId: ID,
        title: '訓練',
        body: '受領確認をお願いします。',
        tlp: 'GREEN',
        severity: 'high',
        ackWithinHours: 24,
        audience: 'all',
        drill: true,
        issuedBy: 'u-nisc-1',
        issuerRole: 'nisc',
        forwardDueAt: h(4),
      },
    },
    T0,
    NISC,
  ],
  [{ type: 'AdvisoryForwarded', data: { hop: 'ministry', nextDueAt: h(5) } }, h(1), MINISTRY],
  [
    {
      type: 'ForwardDeadlineMissed',
      data: { hop: 'secretariat', escalation: 1, missedDueAt: h(5), nextDueAt: h(9) },
    },
    h(5),
    SYSTEM,
  ],
  [{ type: 'AdvisoryForwarded', data: { hop: 'secretariat' } }, h(6), SECRETARIAT],
  [
    {
      type: 'AdvisoryDistributed',
      data: {
        recipients: ['asahi-petrochem', 'kaigan-chemical', 'minato-polymer'],
        ackDueAt: h(30),
        remindAt: h(18),
      },
    },
    h(6),
    SECRETARIAT,
  ],
  [{ type: 'RemindersDue', data: { orgs: ['kaigan-chemical', 'minato-polymer'] } }, h(18), SYSTEM],
  [{ type: 'AckWindowClosed', data: { missed: ['minato-polymer'], acknowledged: 2 } }, h(30), SYSTEM],
];

const advisory = advisoryEvents.reduce<AdvisoryState | null>(
  (s, [event, recordedAt, actor], i) => evolveAdvisory(s, { ...event, version: i + 1, recordedAt, actor }),
  null,
) as AdvisoryState;

function recipient(org: string, events: [RecipientEvent['type'], string, Partial<RecipientEvent['data']>][]) {
  return events.reduce<MaybeRecipient>((s, [type, recordedAt, extra], i) => {
    const base = { advisoryId: ID, org };
    const data =
      type === 'AdvisoryAcknowledged'
        ? { ...base, contactId: `${org}-csirt`, by: 'x', via: 'link', ...extra }
        : {
            ...base,
            key: `${i}`,
            purpose: 'advisory',
            contactId: `${org}-csirt`,
            channel: 'email',
            to: `csirt@${org}.example`,
            messageId: 'm',
            reason: 'r',
            ...extra,
          };
    return evolveRecipient(s, { type, data, version: i + 1, recordedAt, actor: SYSTEM } as never);
  }, null) as RecipientState;
}

const recipients = [
  recipient('asahi-petrochem', [
    ['AdvisoryDelivered', h(6), {}],
    ['AdvisoryAcknowledged', h(7), {}],
  ]),
  recipient('kaigan-chemical', [
    ['AdvisoryDelivered', h(6), {}],
    ['AdvisoryDelivered', h(18), { purpose: 'reminder', channel: 'sms', to: '+819000000001' }],
    ['AdvisoryAcknowledged', h(20), {}],
  ]),
  recipient('minato-polymer', [
    ['AdvisoryDeliveryFailed', h(6), {}],
    ['AdvisoryDelivered', h(18), { purpose: 'reminder', channel: 'sms', to: '+819000000002' }],
  ]),
];

describe('the drill report', () => {
  const report = transmissionReport(advisory, recipients);

  it('matches the hand-computed rates, overall and per stage', () => {
    expect(report.overall).toEqual({ recipients: 3, acknowledgedWithinWindow: 2, rate: 2 / 3 });
    expect(report.stages.map((s) => [s.stage, s.expected, s.withinDeadline, s.rate])).toEqual([
      ['ministry', 1, 1, 1],
      ['secretariat', 1, 0, 0],
      ['members', 3, 2, 2 / 3],
    ]);
    expect(report.stages[1]).toMatchObject({
      dueAt: h(5),
      forwardedAt: h(6),
      secondsToForward: 5 * 3600,
      escalations: 1,
    });
    expect(report.drill).toBe(true);
  });

  it('gives each recipient its time to acknowledge, reminder and miss', () => {
    expect(
      report.recipients.map((r) => [r.org, r.secondsToAcknowledge, r.withinWindow, r.reminded, r.missed]),
    ).toEqual([
      ['asahi-petrochem', 3600, true, false, false],
      ['kaigan-chemical', 50400, true, true, false],
      ['minato-polymer', null, false, true, true],
    ]);
    expect(report.recipients[2]).toMatchObject({ deliveredAt: null, deliveryFailures: 1 });
  });

  it('writes the same figures as CSV', () => {
    expect(reportCsv(report).split('\r\n')).toEqual([
      'row,stage_or_org,expected,within_deadline,rate,delivered_at,channel,acknowledged_at,seconds_to_acknowledge,within_window,reminded,missed',
      'stage,ministry,1,1,1,,,,,,,',
      'stage,secretariat,1,0,0,,,,,,,',
      'stage,members,3,2,0.6666666666666666,,,,,,,',
      `recipient,asahi-petrochem,,,,${h(6)},email,${h(7)},3600,true,false,false`,
      `recipient,kaigan-chemical,,,,${h(6)},email,${h(20)},50400,true,true,false`,
      'recipient,minato-polymer,,,,,,,,false,true,true',
      '',
    ]);
  });
});
