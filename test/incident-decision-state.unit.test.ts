import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { type DecisionContext, decide, type IncidentCommand } from '../events/incident/decide.ts';
import {
  decisionState,
  evolve,
  type IncidentEvent,
  initialState,
  type MaybeIncident,
  type Recorded,
} from '../events/incident/incident.ts';
import {
  canSee,
  type IncidentListing,
  incidentListing,
  incidentSummary,
} from '../events/incident/visibility.ts';
import {
  ASAHI_COLLEAGUE,
  ASAHI_MEMBER,
  AUDITOR,
  at,
  HOURS,
  INCIDENT_ID,
  KAIGAN_MEMBER,
  MINISTRY,
  NISC,
  POLICY,
  RANSOMWARE_REPORT,
  SECRETARIAT,
  T0,
  WORKFLOW,
} from './support/fixtures.ts';

// The store keeps only decisionState(state) beside the newest event, and commands decide and
// fold on it. That is sound only if, at every point of a stream, deciding any command on the
// cut-down state gives what deciding it on the whole state gives, and folding the next event
// onto the cut-down state and cutting down again gives the cut-down whole state.

const LONG_TEXT = '長い続報の本文。'.repeat(2_000);

/** A stream that goes through every kind of event: returns, resubmissions, waits, misses, deliveries. */
const HISTORY: { event: IncidentEvent; at: string; actor: Actor }[] = [
  {
    event: {
      type: 'IncidentReported',
      data: {
        incidentId: INCIDENT_ID,
        org: 'asahi-petrochem',
        reportedBy: ASAHI_MEMBER.sub,
        report: { ...RANSOMWARE_REPORT, description: LONG_TEXT },
        secretariatDueAt: at(T0, 4 * HOURS),
      },
    },
    at: T0,
    actor: ASAHI_MEMBER,
  },
  {
    event: {
      type: 'RelayWaitStarted',
      data: { hop: 'secretariat', attempt: 0, dueAt: at(T0, 4 * HOURS), taskToken: 'token-s0' },
    },
    at: at(T0, 1000),
    actor: WORKFLOW,
  },
  {
    event: {
      type: 'NotificationAttemptFailed',
      data: {
        key: '1:review_requested:sec-duty:email',
        purpose: 'review_requested',
        channel: 'email',
        attempt: 1,
        error: 'ThrottlingException',
        nextAttemptAt: at(T0, 31_500),
      },
    },
    at: at(T0, 1500),
    actor: WORKFLOW,
  },
  {
    event: {
      type: 'NotificationDelivered',
      data: {
        key: '1:review_requested:sec-duty:email',
        purpose: 'review_requested',
        channel: 'email',
        to: 'duty@secretariat.example',
        messageId: '<m1@ses>',
      },
    },
    at: at(T0, 2000),
    actor: WORKFLOW,
  },
  {
    event: {
      type: 'FollowUpAdded',
      data: { number: 1, description: LONG_TEXT, recoveryStatus: 'mitigating', resubmitted: false },
    },
    at: at(T0, HOURS),
    actor: ASAHI_MEMBER,
  },
  {
    event: {
      type: 'HopDeadlineMissed',
      data: {
        hop: 'secretariat',
        escalation: 1,
        missedDueAt: at(T0, 4 * HOURS),
        nextDueAt: at(T0, 8 * HOURS),
      },
    },
    at: at(T0, 4 * HOURS + 1000),
    actor: WORKFLOW,
  },
  {
    event: { type: 'RelayReturned', data: { note: '詳細を', memberDueAt: at(T0, 9 * HOURS) } },
    at: at(T0, 5 * HOURS),
    actor: SECRETARIAT,
  },
  {
    event: {
      type: 'FollowUpAdded',
      data: {
        number: 2,
        description: LONG_TEXT,
        recoveryStatus: 'mitigating',
        resubmitted: true,
        secretariatDueAt: at(T0, 10 * HOURS),
      },
    },
    at: at(T0, 6 * HOURS),
    actor: ASAHI_MEMBER,
  },
  {
    event: { type: 'RelayApproved', data: { ministryDueAt: at(T0, 11 * HOURS) } },
    at: at(T0, 7 * HOURS),
    actor: SECRETARIAT,
  },
  {
    event: {
      type: 'NotificationAttemptFailed',
      data: {
        key: '8:relay:meti-duty:webhook',
        purpose: 'relay',
        channel: 'webhook',
        attempt: 1,
        status: 503,
        error: 'HTTP 503',
        nextAttemptAt: at(T0, 7 * HOURS + 31_000),
      },
    },
    at: at(T0, 7 * HOURS + 1000),
    actor: WORKFLOW,
  },
  {
    event: {
      type: 'NotificationFailed',
      data: {
        key: '8:relay:meti-duty:sms',
        purpose: 'relay',
        channel: 'sms',
        to: '+81300000000',
        reason: 'opted out',
      },
    },
    at: at(T0, 7 * HOURS + 1000),
    actor: WORKFLOW,
  },
  {
    event: { type: 'ReceiptAcknowledged', data: { hop: 'ministry', niscDueAt: at(T0, 12 * HOURS) } },
    at: at(T0, 8 * HOURS),
    actor: MINISTRY,
  },
  {
    event: {
      type: 'StageWaitStarted',
      data: { wait: 'alarm', attempt: 0, dueAt: '2026-11-28T00:50:00.000Z', taskToken: 'stage-t0' },
    },
    at: at(T0, 8 * HOURS + 1000),
    actor: WORKFLOW,
  },
  {
    event: {
      type: 'StageReminderDue',
      data: { stage: 'update', at: '2026-11-28T00:50:00.000Z', dueAt: '2026-11-29T00:50:00.000Z' },
    },
    at: at(T0, 8 * HOURS + 2000),
    actor: WORKFLOW,
  },
  {
    event: { type: 'RelayStalled', data: { hop: 'nisc', escalations: 3 } },
    at: at(T0, 20 * HOURS),
    actor: WORKFLOW,
  },
  {
    event: { type: 'ReceiptAcknowledged', data: { hop: 'nisc', note: '受領' } },
    at: at(T0, 21 * HOURS),
    actor: NISC,
  },
  { event: { type: 'IncidentClosed', data: {} }, at: at(T0, 22 * HOURS), actor: SECRETARIAT },
];

const followUp: IncidentCommand = {
  type: 'AddFollowUp',
  data: { description: 'recovered', recoveryStatus: 'recovered' },
};
/** Every command, by every actor that could send it. */
const COMMANDS: [IncidentCommand, Actor][] = [
  ...[ASAHI_MEMBER, ASAHI_COLLEAGUE, KAIGAN_MEMBER, SECRETARIAT].map((a): [IncidentCommand, Actor] => [
    followUp,
    a,
  ]),
  [{ type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT],
  [{ type: 'DecideRelay', data: { decision: 'return', note: 'more' } }, SECRETARIAT],
  [{ type: 'AcknowledgeReceipt', data: {} }, MINISTRY],
  [{ type: 'AcknowledgeReceipt', data: { note: 'ok' } }, NISC],
  [{ type: 'AcknowledgeReceipt', data: {} }, AUDITOR],
  [{ type: 'CloseIncident', data: {} }, SECRETARIAT],
  [{ type: 'CloseIncident', data: {} }, ASAHI_MEMBER],
  [{ type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report: RANSOMWARE_REPORT } }, ASAHI_MEMBER],
  ...(['secretariat', 'member', 'ministry', 'nisc'] as const).flatMap((hop): [IncidentCommand, Actor][] => [
    [
      { type: 'StartRelayWait', data: { hop, attempt: 0, dueAt: at(T0, HOURS), taskToken: 'token-s0' } },
      WORKFLOW,
    ],
    [
      { type: 'StartRelayWait', data: { hop, attempt: 1, dueAt: at(T0, HOURS), taskToken: `t-${hop}` } },
      WORKFLOW,
    ],
    [{ type: 'RecordDeadlineMiss', data: { hop, attempt: 0 } }, WORKFLOW],
    [{ type: 'RecordDeadlineMiss', data: { hop, attempt: 1 } }, WORKFLOW],
  ]),
  [
    {
      type: 'StartStageWait',
      data: { wait: 'alarm', attempt: 0, dueAt: at(T0, HOURS), taskToken: 'stage-t0' },
    },
    WORKFLOW,
  ],
  [
    {
      type: 'StartStageWait',
      data: { wait: 'replan', attempt: 1, dueAt: at(T0, HOURS), taskToken: 'stage-t1' },
    },
    WORKFLOW,
  ],
  [{ type: 'RecordStageAlarms', data: {} }, WORKFLOW],
  ...['1:review_requested:sec-duty:email', '8:relay:meti-duty:sms', '9:relayed:nisc-duty:email'].map(
    (key): [IncidentCommand, Actor] => [
      {
        type: 'RecordNotification',
        data: {
          key,
          purpose: 'relay',
          channel: 'email',
          to: 'x@example.jp',
          outcome: { ok: true, messageId: '<m@ses>' },
        },
      },
      WORKFLOW,
    ],
  ),
  // Retried attempts: before and after their message's outcome, the same and the next attempt.
  ...(
    [
      ['1:review_requested:sec-duty:email', 1],
      ['1:review_requested:sec-duty:email', 2],
      ['8:relay:meti-duty:webhook', 1],
      ['8:relay:meti-duty:webhook', 2],
    ] as const
  ).map(([key, attempt]): [IncidentCommand, Actor] => [
    {
      type: 'RecordNotificationAttempt',
      data: {
        key,
        purpose: 'relay',
        channel: 'webhook',
        attempt,
        error: 'HTTP 502',
        nextAttemptAt: at(T0, HOURS),
      },
    },
    WORKFLOW,
  ]),
];

/** What a decision comes to: the events, or the error's class and message. */
function outcome(command: IncidentCommand, state: MaybeIncident, ctx: DecisionContext) {
  try {
    return { events: decide(command, state, ctx) };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

const recorded = (i: number): Recorded<IncidentEvent> => {
  const g = HISTORY[i] as (typeof HISTORY)[number];
  return { ...g.event, version: i + 1, recordedAt: g.at, actor: g.actor };
};

describe('the incident decision state', () => {
  it('decides every command as the whole state does, at every version of the stream', () => {
    let whole: MaybeIncident = initialState();
    let cut: MaybeIncident = decisionState(whole);
    let checked = 0;
    for (let i = 0; i <= HISTORY.length; i++) {
      // Within a deadline and past every deadline, so that misses are decided both ways.
      for (const now of [at(T0, 3 * HOURS), at(T0, 48 * HOURS)]) {
        for (const [command, actor] of COMMANDS) {
          const ctx: DecisionContext = { now, actor, policy: POLICY };
          expect(outcome(command, cut, ctx), `${command.type} by ${actor.sub} at v${i}`).toEqual(
            outcome(command, whole, ctx),
          );
          checked++;
        }
      }
      if (i === HISTORY.length) break;
      whole = evolve(whole, recorded(i));
      cut = decisionState(evolve(cut, recorded(i)));
      expect(cut, `fold at v${i + 1}`).toEqual(decisionState(whole));
    }
    expect(checked).toBe((HISTORY.length + 1) * 2 * COMMANDS.length);
  });

  it('does not grow with the follow-ups: a stream of 200 long follow-ups has a snapshot of one', () => {
    let whole = initialState();
    whole = evolve(whole, recorded(0));
    const sizeAfter = (n: number) => {
      let s = whole;
      for (let k = 1; k <= n; k++) {
        s = evolve(s, {
          type: 'FollowUpAdded',
          data: { number: k, description: LONG_TEXT, recoveryStatus: 'mitigating', resubmitted: false },
          version: k + 1,
          recordedAt: at(T0, k * 1000),
          actor: ASAHI_MEMBER,
        });
      }
      return { whole: JSON.stringify(s).length, cut: JSON.stringify(decisionState(s)).length };
    };
    const one = sizeAfter(1);
    const many = sizeAfter(200);
    expect(many.whole).toBeGreaterThan(50 * one.whole);
    // Only the digits of the version and of the last follow-up's number grow.
    expect(many.cut).toBeLessThanOrEqual(one.cut + 4);
    expect(one.cut).toBeLessThan(2_000);
  });
});

// Lists read an incident's listing (its list item), not its whole state: at every point of a stream, and for
// every reader, the listing must list the incident as the whole state would (the same row, the same visibility).
describe('the incident listing', () => {
  const READERS = [ASAHI_MEMBER, ASAHI_COLLEAGUE, KAIGAN_MEMBER, SECRETARIAT, MINISTRY, NISC, AUDITOR];

  it('lists as the whole state does, at every version of the stream, for every reader, at several moments', () => {
    let whole: MaybeIncident = initialState();
    let checked = 0;
    for (let i = 0; i < HISTORY.length; i++) {
      whole = evolve(whole, recorded(i));
      if (whole === null) throw new Error('no incident');
      // As the list item stores it: JSON.
      const stored: IncidentListing = JSON.parse(JSON.stringify(incidentListing(whole)));
      const listing = incidentListing(stored);
      expect(listing, `a listing's listing at v${i + 1}`).toEqual(stored);
      expect(JSON.stringify(listing)).not.toContain('長い続報');
      for (const now of [at(T0, 3 * HOURS), at(T0, 48 * HOURS), at(T0, 40 * 24 * HOURS)]) {
        expect(incidentSummary(listing, now), `row at v${i + 1}, ${now}`).toEqual(
          incidentSummary(whole, now),
        );
        checked++;
      }
      for (const actor of READERS) {
        expect(canSee(listing, actor), `${actor.sub} at v${i + 1}`).toBe(canSee(whole, actor));
        checked++;
      }
    }
    expect(checked).toBe(HISTORY.length * (3 + READERS.length));
  });
});
