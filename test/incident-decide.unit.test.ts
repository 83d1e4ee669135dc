import { describe, expect, it } from 'vitest';
import { jst, renderTimeline } from '../audit/timeline.ts';
import { hopEpisodes } from '../events/audit/hops.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../events/errors.ts';
import { planRelay } from '../events/incident/decide.ts';
import type { IncidentEvent } from '../events/incident/incident.ts';
import { spec } from './support/decider.ts';
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
  RANSOMWARE_REPORT,
  REPORTED,
  SECRETARIAT,
  T0,
  WORKFLOW,
} from './support/fixtures.ts';

const reported = REPORTED;
const T1 = at(T0, 1 * HOURS);
const approved = {
  event: { type: 'RelayApproved', data: { ministryDueAt: at(T1, 4 * HOURS) } } satisfies IncidentEvent,
  at: T1,
  actor: SECRETARIAT,
};
const T2 = at(T0, 2 * HOURS);
const ministryReceived = {
  event: {
    type: 'ReceiptAcknowledged',
    data: { hop: 'ministry', niscDueAt: at(T2, 4 * HOURS) },
  } satisfies IncidentEvent,
  at: T2,
  actor: MINISTRY,
};
const T3 = at(T0, 3 * HOURS);
const niscReceived = {
  event: { type: 'ReceiptAcknowledged', data: { hop: 'nisc' } } satisfies IncidentEvent,
  at: T3,
  actor: NISC,
};
const returned = {
  event: {
    type: 'RelayReturned',
    data: { note: 'Which plant?', memberDueAt: at(T1, 4 * HOURS) },
  } satisfies IncidentEvent,
  at: T1,
  actor: SECRETARIAT,
};

describe('ReportIncident', () => {
  it("records the report, in the member's sector, with the secretariat deadline set by severity (high: 4 h)", () => {
    spec([])
      .when(
        { type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report: RANSOMWARE_REPORT } },
        ASAHI_MEMBER,
        T0,
      )
      .thenEvents([
        {
          ...reported.event,
          data: { ...reported.event.data, sector: 'chemical', reporting: { preset: 'japan-ceptoar' } },
        },
      ]);
  });

  it("hides another sector's incident as not found, whatever the caller's role", () => {
    for (const actor of [
      { kind: 'user', sub: 'gas-sec', role: 'secretariat', sector: 'gas' },
      { kind: 'user', sub: 'fsa', role: 'ministry', org: 'fsa' },
    ] as const) {
      spec([reported])
        .when({ type: 'DecideRelay', data: { decision: 'approve' } }, actor, T1)
        .thenThrows(NotFoundError);
    }
  });

  it('uses the critical deadline of 1 h for a critical incident', () => {
    const [event] = spec([])
      .when(
        {
          type: 'ReportIncident',
          data: { incidentId: INCIDENT_ID, report: { ...RANSOMWARE_REPORT, severity: 'critical' } },
        },
        ASAHI_MEMBER,
        T0,
      )
      .events();
    expect(event?.type === 'IncidentReported' && event.data.secretariatDueAt).toBe(at(T0, 1 * HOURS));
  });

  it('refuses a report whose detection time lies in the future, naming the field', () => {
    const report = { ...RANSOMWARE_REPORT, detectedAt: at(T0, 2 * HOURS) };
    const when = spec([]).when(
      { type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report } },
      ASAHI_MEMBER,
      T0,
    );
    when.thenThrows(ValidationError);
    try {
      when.events();
    } catch (error) {
      expect((error as ValidationError).fields).toEqual([
        { path: 'detectedAt', message: 'must not be in the future' },
      ]);
    }
  });

  it('is for members only', () => {
    spec([])
      .when(
        { type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report: RANSOMWARE_REPORT } },
        SECRETARIAT,
        T0,
      )
      .thenThrows(ForbiddenError);
  });
});

describe('DecideRelay', () => {
  it('approves: the ministry hop starts with its own deadline', () => {
    spec([reported])
      .when({ type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT, T1)
      .thenEvents([approved.event]);
  });

  it('returns the report to the member with a note and a resubmission deadline', () => {
    spec([reported])
      .when({ type: 'DecideRelay', data: { decision: 'return', note: 'Which plant?' } }, SECRETARIAT, T1)
      .thenEvents([returned.event]);
  });

  it('answers 409 when the relay was already approved', () => {
    spec([reported, approved])
      .when({ type: 'DecideRelay', data: { decision: 'approve' } }, SECRETARIAT, T2)
      .thenThrows(IllegalStateError);
  });

  it('is the secretariat’s alone', () => {
    spec([reported])
      .when({ type: 'DecideRelay', data: { decision: 'approve' } }, MINISTRY, T1)
      .thenThrows(ForbiddenError);
  });
});

describe('AddFollowUp', () => {
  it('amends an incident under review without restarting the review', () => {
    spec([reported])
      .when(
        { type: 'AddFollowUp', data: { description: 'DCS confirmed clean', recoveryStatus: 'mitigating' } },
        ASAHI_COLLEAGUE,
        T1,
      )
      .thenEvents([
        {
          type: 'FollowUpAdded',
          data: {
            number: 1,
            description: 'DCS confirmed clean',
            recoveryStatus: 'mitigating',
            resubmitted: false,
          },
        },
      ]);
  });

  it('puts a returned report back under review with a new secretariat deadline', () => {
    spec([reported, returned])
      .when(
        {
          type: 'AddFollowUp',
          data: { description: 'Chiba works, unit 2', recoveryStatus: 'investigating' },
        },
        ASAHI_MEMBER,
        T2,
      )
      .thenEvents([
        {
          type: 'FollowUpAdded',
          data: {
            number: 1,
            description: 'Chiba works, unit 2',
            recoveryStatus: 'investigating',
            resubmitted: true,
            secretariatDueAt: at(T2, 4 * HOURS),
          },
        },
      ]);
  });

  it("hides another company's incident as not found", () => {
    spec([reported])
      .when(
        { type: 'AddFollowUp', data: { description: 'x', recoveryStatus: 'recovered' } },
        KAIGAN_MEMBER,
        T1,
      )
      .thenThrows(NotFoundError);
  });

  it('refuses a follow-up on a closed incident', () => {
    const closed = {
      event: { type: 'IncidentClosed', data: {} } satisfies IncidentEvent,
      at: T3,
      actor: SECRETARIAT,
    };
    spec([reported, approved, ministryReceived, niscReceived, closed])
      .when(
        { type: 'AddFollowUp', data: { description: 'x', recoveryStatus: 'recovered' } },
        ASAHI_MEMBER,
        T3,
      )
      .thenThrows(IllegalStateError);
  });
});

describe('AcknowledgeReceipt', () => {
  it("the ministry's receipt forwards the report to NISC with NISC's deadline", () => {
    spec([reported, approved])
      .when({ type: 'AcknowledgeReceipt', data: {} }, MINISTRY, T2)
      .thenEvents([ministryReceived.event]);
  });

  it("NISC's receipt completes the relay", () => {
    const { state } = spec([reported, approved, ministryReceived, niscReceived]);
    expect(state?.status).toBe('relayed');
    spec([reported, approved, ministryReceived])
      .when({ type: 'AcknowledgeReceipt', data: {} }, NISC, T3)
      .thenEvents([niscReceived.event]);
  });

  it('NISC cannot see an incident the relay has not brought to it yet', () => {
    spec([reported, approved])
      .when({ type: 'AcknowledgeReceipt', data: {} }, NISC, T2)
      .thenThrows(NotFoundError);
  });

  it('a second ministry receipt is a conflict', () => {
    spec([reported, approved, ministryReceived])
      .when({ type: 'AcknowledgeReceipt', data: {} }, MINISTRY, T3)
      .thenThrows(IllegalStateError, /already acknowledged/);
  });
});

describe('CloseIncident', () => {
  it('closes a relayed incident', () => {
    spec([reported, approved, ministryReceived, niscReceived])
      .when({ type: 'CloseIncident', data: { note: 'recovered' } }, ASAHI_MEMBER, T3)
      .thenEvents([{ type: 'IncidentClosed', data: { note: 'recovered' } }]);
  });

  it('the auditor writes nothing', () => {
    spec([reported, approved, ministryReceived, niscReceived])
      .when({ type: 'CloseIncident', data: {} }, AUDITOR, T3)
      .thenThrows(ForbiddenError);
  });
});

describe('the relay workflow', () => {
  const wait = (hop: 'secretariat' | 'ministry', attempt: number, dueAt: string, token: string) => ({
    event: {
      type: 'RelayWaitStarted',
      data: { hop, attempt, dueAt, taskToken: token },
    } satisfies IncidentEvent,
    at: T0,
    actor: WORKFLOW,
  });

  it('plans a wait for the secretariat until its deadline, in whole seconds', () => {
    const { state } = spec([reported]);
    expect(planRelay(state, at(T0, 1500))).toEqual({
      next: 'wait',
      hop: 'secretariat',
      attempt: 0,
      dueAt: at(T0, 4 * HOURS),
      timeoutSeconds: 4 * 3600 - 1,
    });
  });

  it('records a missed deadline as an escalation with a new deadline', () => {
    const late = at(T0, 4 * HOURS + 1000);
    spec([reported, wait('secretariat', 0, at(T0, 4 * HOURS), 'tok-1')])
      .when({ type: 'RecordDeadlineMiss', data: { hop: 'secretariat', attempt: 0 } }, WORKFLOW, late)
      .thenEvents([
        {
          type: 'HopDeadlineMissed',
          data: {
            hop: 'secretariat',
            escalation: 1,
            missedDueAt: at(T0, 4 * HOURS),
            nextDueAt: at(late, 4 * HOURS),
          },
        },
      ]);
  });

  it('ignores a timeout that arrives after the hop was done (a late callback)', () => {
    spec([reported, approved])
      .when(
        { type: 'RecordDeadlineMiss', data: { hop: 'secretariat', attempt: 0 } },
        WORKFLOW,
        at(T0, 5 * HOURS),
      )
      .thenNothing();
  });

  it('ignores a repeated timeout for an escalation already recorded', () => {
    const miss = {
      event: {
        type: 'HopDeadlineMissed',
        data: {
          hop: 'secretariat',
          escalation: 1,
          missedDueAt: at(T0, 4 * HOURS),
          nextDueAt: at(T0, 8 * HOURS),
        },
      } satisfies IncidentEvent,
      at: at(T0, 4 * HOURS),
      actor: WORKFLOW,
    };
    spec([reported, miss])
      .when(
        { type: 'RecordDeadlineMiss', data: { hop: 'secretariat', attempt: 0 } },
        WORKFLOW,
        at(T0, 9 * HOURS),
      )
      .thenNothing();
  });

  it('stalls after the third escalation, and the next decision restarts the workflow', () => {
    const misses = [1, 2, 3].map((n) => ({
      event: {
        type: 'HopDeadlineMissed',
        data: {
          hop: 'secretariat',
          escalation: n,
          missedDueAt: at(T0, 4 * n * HOURS),
          nextDueAt: at(T0, 4 * (n + 1) * HOURS),
        },
      } satisfies IncidentEvent,
      at: at(T0, 4 * n * HOURS),
      actor: WORKFLOW,
    }));
    const late = at(T0, 17 * HOURS);
    spec([reported, ...misses])
      .when({ type: 'RecordDeadlineMiss', data: { hop: 'secretariat', attempt: 3 } }, WORKFLOW, late)
      .thenEvents([{ type: 'RelayStalled', data: { hop: 'secretariat', escalations: 3 } }]);
    const stalled = {
      event: { type: 'RelayStalled', data: { hop: 'secretariat', escalations: 3 } } satisfies IncidentEvent,
      at: late,
      actor: WORKFLOW,
    };
    expect(planRelay(spec([reported, ...misses, stalled]).state, late).next).toBe('stalled');
    const afterApproval = spec([reported, ...misses, stalled, { ...approved, at: late }]).state;
    expect(afterApproval?.restartAt).toBe(6);
    expect(afterApproval?.stalledHop).toBeNull();
  });

  it('records a retried wait with the same token once', () => {
    spec([reported, wait('secretariat', 0, at(T0, 4 * HOURS), 'tok-1')])
      .when(
        {
          type: 'StartRelayWait',
          data: { hop: 'secretariat', attempt: 0, dueAt: at(T0, 4 * HOURS), taskToken: 'tok-1' },
        },
        WORKFLOW,
        T0,
      )
      .thenNothing();
  });

  it('plans nothing once NISC has received the report', () => {
    expect(planRelay(spec([reported, approved, ministryReceived, niscReceived]).state, T3).next).toBe('done');
  });

  it('records a delivery once per key', () => {
    const delivered = {
      event: {
        type: 'NotificationDelivered',
        data: {
          key: '1:review_requested:sec-duty:email',
          purpose: 'review_requested',
          channel: 'email',
          to: 'a@b.example',
          messageId: 'm1',
        },
      } satisfies IncidentEvent,
      at: T0,
      actor: WORKFLOW,
    };
    spec([reported, delivered])
      .when(
        {
          type: 'RecordNotification',
          data: {
            key: '1:review_requested:sec-duty:email',
            purpose: 'review_requested',
            channel: 'email',
            to: 'a@b.example',
            outcome: { ok: true, messageId: 'm2' },
          },
        },
        WORKFLOW,
        T1,
      )
      .thenNothing();
  });
});

describe('RecordNotificationAttempt', () => {
  const KEY = '1:review_requested:sec-duty:webhook';
  const about = { key: KEY, purpose: 'review_requested' as const, channel: 'webhook' as const };
  const attempt = (n: number) => ({
    type: 'RecordNotificationAttempt' as const,
    data: { ...about, attempt: n, status: 503, error: 'HTTP 503', nextAttemptAt: at(T0, n * 60_000) },
  });
  const attemptFailed = (n: number) => ({
    event: { type: 'NotificationAttemptFailed', data: attempt(n).data } satisfies IncidentEvent,
    at: at(T0, n * 1000),
    actor: WORKFLOW,
  });

  it('records a failed attempt the queue retries, with the failure’s class only', () => {
    spec([reported])
      .when(attempt(1), WORKFLOW, T0)
      .thenEvents([{ type: 'NotificationAttemptFailed', data: attempt(1).data }]);
  });

  it('records the same attempt once (a redelivered queue message), the next one again', () => {
    spec([reported, attemptFailed(1)])
      .when(attempt(1), WORKFLOW, T1)
      .thenNothing();
    spec([reported, attemptFailed(1)])
      .when(attempt(2), WORKFLOW, T1)
      .thenEvents([{ type: 'NotificationAttemptFailed', data: attempt(2).data }]);
  });

  it('records nothing for an attempt reported after its message’s outcome', () => {
    const delivered = {
      event: {
        type: 'NotificationDelivered',
        data: { ...about, to: 'https://hooks.secretariat.example/ceptoar', messageId: 'http-204' },
      } satisfies IncidentEvent,
      at: T1,
      actor: WORKFLOW,
    };
    spec([reported, attemptFailed(1), delivered])
      .when(attempt(2), WORKFLOW, T1)
      .thenNothing();
  });

  it('folds the attempts into the state, in order, without touching the deliveries', () => {
    const state = spec([reported, attemptFailed(1), attemptFailed(2)]).state;
    expect(state?.deliveries).toEqual([]);
    expect(state?.attempts).toEqual([
      { ...attempt(1).data, at: at(T0, 1000) },
      { ...attempt(2).data, at: at(T0, 2000) },
    ]);
  });

  it('records no attempt on an incident that does not exist', () => {
    spec([]).when(attempt(1), WORKFLOW, T0).thenThrows(NotFoundError);
  });

  it("is in the audit timeline as a retried attempt, and changes no hop's episode", () => {
    const history = [reported, attemptFailed(1)];
    const stored = history.map((g, i) => ({
      streamId: `incident#${INCIDENT_ID}`,
      version: i + 1,
      schemaVersion: 1,
      type: g.event.type,
      data: g.event.data,
      recordedAt: g.at,
      actor: g.actor,
    }));
    const text = renderTimeline(`incident#${INCIDENT_ID}`, stored, 'en', T1);
    expect(text).toContain(
      `v2  notification attempt failed (retried) — webhook #1: HTTP 503 (→ ${jst(at(T0, 60_000))})`,
    );
    expect(hopEpisodes(stored as never)).toEqual(hopEpisodes(stored.slice(0, 1) as never));
  });
});
