import { describe, expect, it } from 'vitest';
import { IllegalStateError, ValidationError } from '../events/errors.ts';
import type { IncidentEvent } from '../events/incident/incident.ts';
import { incidentStages, incidentView } from '../events/incident/visibility.ts';
import { reportingPreset, reportingPresets } from '../events/reporting.ts';
import { spec } from './support/decider.ts';
import { ASAHI_MEMBER, at, HOURS, INCIDENT_ID, RANSOMWARE_REPORT, REPORTED, T0 } from './support/fixtures.ts';

// REPORTED is a report recorded before stages existed (no `reporting`): it reads under japan-ceptoar.
// RANSOMWARE_REPORT was detected 2026-11-26T00:50Z (09:50 JST) and reported at T0 (01:00Z).

const followUp = (data: Extract<IncidentEvent, { type: 'FollowUpAdded' }>['data'], when: string) => ({
  event: { type: 'FollowUpAdded', data } satisfies IncidentEvent,
  at: when,
  actor: ASAHI_MEMBER,
});

/** A report under a named preset, detected and reported at the times given. */
function reportedUnder(preset: string, detectedAt: string, reportedAt: string) {
  return {
    event: {
      type: 'IncidentReported',
      data: {
        ...REPORTED.event.data,
        report: { ...RANSOMWARE_REPORT, occurredAt: detectedAt, detectedAt },
        secretariatDueAt: at(reportedAt, 4 * HOURS),
        reporting: { preset },
      },
    } satisfies IncidentEvent,
    at: reportedAt,
    actor: ASAHI_MEMBER,
  };
}

describe('the stages of an incident recorded before stages existed', () => {
  it('folds as before and reads under japan-ceptoar: the report was the 第一報', () => {
    const { state } = spec([REPORTED]);
    if (state === null) throw new Error('reported');
    expect(state.status).toBe('awaiting_secretariat');
    const { stages, nextStage } = incidentStages(state, at(T0, HOURS));
    expect(stages.map((s) => [s.id, s.names.ja, s.dueAt, s.submittedAt, s.status])).toEqual([
      ['first', '第一報', '2026-11-27T00:50:00.000Z', T0, 'done'],
      ['update', '続報', '2026-11-29T00:50:00.000Z', null, 'due'],
      ['final', '最終報', '2026-12-26T00:50:00.000Z', null, 'due'],
    ]);
    expect(nextStage?.id).toBe('update');
    const view = incidentView(state, at(T0, HOURS));
    expect(view.preset).toBe('japan-ceptoar');
    expect(view).not.toHaveProperty('stageSubmissions');
  });

  it('shows a stage overdue once its deadline passed', () => {
    const { state } = spec([REPORTED]);
    if (state === null) throw new Error('reported');
    const { stages } = incidentStages(state, '2026-11-29T00:50:00.001Z');
    expect(stages[1]?.status).toBe('overdue');
  });
});

describe('a new report', () => {
  it('records the preset of its context (a built-in by id)', () => {
    const [event] = spec([])
      .when(
        { type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report: RANSOMWARE_REPORT } },
        ASAHI_MEMBER,
        T0,
        reportingPresets.nis2,
      )
      .events();
    expect(event?.type === 'IncidentReported' && event.data.reporting).toEqual({ preset: 'nis2' });
  });

  it('records a custom preset whole, so a later configuration does not move its clocks', () => {
    const custom = reportingPreset(
      JSON.stringify({
        ...reportingPresets['japan-ceptoar'],
        id: 'water-sector',
        stages: reportingPresets['japan-ceptoar'].stages.slice(0, 1),
      }),
    );
    const [event] = spec([])
      .when(
        { type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report: RANSOMWARE_REPORT } },
        ASAHI_MEMBER,
        T0,
        custom,
      )
      .events();
    expect(event?.type === 'IncidentReported' && event.data.reporting).toEqual({
      preset: 'water-sector',
      custom,
    });
    const { state } = spec([{ event: event as IncidentEvent, at: T0, actor: ASAHI_MEMBER }]);
    if (state === null) throw new Error('reported');
    expect(incidentStages(state, T0).stages.map((s) => s.id)).toEqual(['first']);
  });
});

describe('a follow-up that names its stage', () => {
  it('fulfils the 続報 with its impact assessment', () => {
    const T1 = at(T0, 5 * HOURS);
    const events = spec([REPORTED])
      .when(
        {
          type: 'AddFollowUp',
          data: {
            description: 'Historian restored from backup',
            recoveryStatus: 'mitigating',
            stage: 'update',
            impact: 'Production continued; shipments delayed half a day',
          },
        },
        ASAHI_MEMBER,
        T1,
      )
      .events();
    expect(events).toEqual([
      {
        type: 'FollowUpAdded',
        data: {
          number: 1,
          description: 'Historian restored from backup',
          recoveryStatus: 'mitigating',
          resubmitted: false,
          stage: 'update',
          details: { impact: 'Production continued; shipments delayed half a day' },
        },
      },
    ]);
    const { state } = spec([REPORTED, { event: events[0] as IncidentEvent, at: T1, actor: ASAHI_MEMBER }]);
    if (state === null) throw new Error('reported');
    const { stages, nextStage } = incidentStages(state, T1);
    expect(stages[1]).toMatchObject({ id: 'update', submittedAt: T1, status: 'done', onTime: true });
    expect(nextStage?.id).toBe('final');
    expect(state.followUps[0]?.stage).toBe('update');
  });

  it('answers 400 naming each field the 最終報 requires and the follow-up lacks', () => {
    const when = spec([REPORTED]).when(
      {
        type: 'AddFollowUp',
        data: { description: 'Closed out', recoveryStatus: 'recovered', stage: 'final', impact: 'none' },
      },
      ASAHI_MEMBER,
      at(T0, HOURS),
    );
    when.thenThrows(ValidationError);
    try {
      when.events();
    } catch (error) {
      expect((error as ValidationError).fields.map((f) => f.path).sort()).toEqual([
        'mitigation',
        'rootCause',
      ]);
      expect((error as ValidationError).fields[0]?.message).toMatch(/最終報/);
    }
  });

  it('answers 400 for a stage the incident’s preset does not have', () => {
    spec([REPORTED])
      .when(
        {
          type: 'AddFollowUp',
          data: { description: 'x', recoveryStatus: 'mitigating', stage: 'early-warning' },
        },
        ASAHI_MEMBER,
        at(T0, HOURS),
      )
      .thenThrows(ValidationError);
  });

  it('answers 409 for the first stage, which the report itself fulfilled, and for a stage submitted twice', () => {
    spec([REPORTED])
      .when(
        { type: 'AddFollowUp', data: { description: 'x', recoveryStatus: 'mitigating', stage: 'first' } },
        ASAHI_MEMBER,
        at(T0, HOURS),
      )
      .thenThrows(IllegalStateError, /already submitted/);
    const update = followUp(
      {
        number: 1,
        description: 'x',
        recoveryStatus: 'mitigating',
        resubmitted: false,
        stage: 'update',
        details: { impact: 'y' },
      },
      at(T0, HOURS),
    );
    spec([REPORTED, update])
      .when(
        {
          type: 'AddFollowUp',
          data: { description: 'x', recoveryStatus: 'mitigating', stage: 'update', impact: 'z' },
        },
        ASAHI_MEMBER,
        at(T0, 2 * HOURS),
      )
      .thenThrows(IllegalStateError, /already submitted/);
  });

  it('keeps a follow-up without a stage exactly as before', () => {
    spec([REPORTED])
      .when(
        { type: 'AddFollowUp', data: { description: 'x', recoveryStatus: 'mitigating' } },
        ASAHI_MEMBER,
        at(T0, HOURS),
      )
      .thenEvents([
        {
          type: 'FollowUpAdded',
          data: { number: 1, description: 'x', recoveryStatus: 'mitigating', resubmitted: false },
        },
      ]);
  });
});

describe('an NIS2 incident', () => {
  // Detected 29 Jan 2027 08:00 JST, early warning (the report) at 10:00 JST.
  const reported = reportedUnder('nis2', '2027-01-28T23:00:00.000Z', '2027-01-29T01:00:00.000Z');
  const notification = followUp(
    {
      number: 1,
      description: 'Initial assessment',
      recoveryStatus: 'mitigating',
      resubmitted: false,
      stage: 'notification',
      details: { impact: 'One plant stopped' },
    },
    // 31 Jan 10:00 JST.
    '2027-01-31T01:00:00.000Z',
  );
  const finalReport = {
    description: 'Final report',
    recoveryStatus: 'recovered' as const,
    stage: 'final',
    impact: 'One plant stopped for 2 days',
    rootCause: 'Phishing e-mail with a macro',
    mitigation: 'Macros blocked; EDR on every historian',
    crossBorderImpact: 'None',
  };

  it('refuses the final report before the incident notification (409)', () => {
    spec([reported])
      .when({ type: 'AddFollowUp', data: finalReport }, ASAHI_MEMBER, '2027-01-30T00:00:00.000Z')
      .thenThrows(IllegalStateError, /submit the stage "notification"/);
  });

  it('runs the final report one month from the notification sent on 31 January: due 28 February', () => {
    const { state } = spec([reported, notification]);
    if (state === null) throw new Error('reported');
    const { stages, nextStage } = incidentStages(state, '2027-02-01T00:00:00.000Z');
    expect(stages.map((s) => [s.id, s.dueAt, s.status])).toEqual([
      ['early-warning', '2027-01-29T23:00:00.000Z', 'done'],
      ['notification', '2027-01-31T23:00:00.000Z', 'done'],
      ['final', '2027-02-28T01:00:00.000Z', 'due'],
    ]);
    expect(nextStage?.id).toBe('final');
    spec([reported, notification])
      .when({ type: 'AddFollowUp', data: finalReport }, ASAHI_MEMBER, '2027-02-20T00:00:00.000Z')
      .thenEvents([
        {
          type: 'FollowUpAdded',
          data: {
            number: 2,
            description: 'Final report',
            recoveryStatus: 'recovered',
            resubmitted: false,
            stage: 'final',
            details: {
              impact: 'One plant stopped for 2 days',
              rootCause: 'Phishing e-mail with a macro',
              mitigation: 'Macros blocked; EDR on every historian',
              crossBorderImpact: 'None',
            },
          },
        },
      ]);
  });
});

describe('a CIRCIA incident', () => {
  const reported = reportedUnder('circia', '2027-05-01T00:00:00.000Z', '2027-05-01T02:00:00.000Z');
  const ransom = {
    description: 'Ransom paid to restore the historian',
    recoveryStatus: 'mitigating' as const,
    stage: 'ransom-payment',
    ransomPayment: { paidAt: '2027-05-02T09:30:00.000Z', amount: 2.5, currency: 'BTC' },
  };

  it('starts the ransom payment clock at the payment the member states: due 24 h after it', () => {
    const events = spec([reported])
      .when({ type: 'AddFollowUp', data: ransom }, ASAHI_MEMBER, '2027-05-03T10:00:00.000Z')
      .events();
    const { state } = spec([
      reported,
      { event: events[0] as IncidentEvent, at: '2027-05-03T10:00:00.000Z', actor: ASAHI_MEMBER },
    ]);
    if (state === null) throw new Error('reported');
    const [covered, payment] = incidentStages(state, '2027-05-03T10:00:00.000Z').stages;
    expect(covered).toMatchObject({ dueAt: '2027-05-04T00:00:00.000Z', status: 'done', onTime: true });
    // Submitted half an hour after the 24 h ran out.
    expect(payment).toMatchObject({
      startedAt: '2027-05-02T09:30:00.000Z',
      dueAt: '2027-05-03T09:30:00.000Z',
      submittedAt: '2027-05-03T10:00:00.000Z',
      status: 'done',
      onTime: false,
    });
  });

  it('answers 400 for a ransom payment report without the payment, or with a payment in the future', () => {
    const { ransomPayment: _p, ...withoutPayment } = ransom;
    spec([reported])
      .when({ type: 'AddFollowUp', data: withoutPayment }, ASAHI_MEMBER, '2027-05-02T10:00:00.000Z')
      .thenThrows(ValidationError);
    spec([reported])
      .when(
        {
          type: 'AddFollowUp',
          data: { ...ransom, ransomPayment: { ...ransom.ransomPayment, paidAt: '2027-05-09T00:00:00.000Z' } },
        },
        ASAHI_MEMBER,
        '2027-05-02T10:00:00.000Z',
      )
      .thenThrows(ValidationError);
  });
});
