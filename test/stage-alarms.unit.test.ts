import { describe, expect, it } from 'vitest';
import { organizationSchema } from '../events/directory/directory.ts';
import type { IncidentEvent, IncidentState, Recorded } from '../events/incident/incident.ts';
import { notificationsFor } from '../events/incident/notifications.ts';
import {
  nextStageAlarm,
  pendingStageAlarms,
  planStageAlarms,
  REPLAN_WAIT_MS,
  stageWaitStale,
  stageWorkPending,
} from '../events/incident/stage-alarms.ts';
import { incidentView } from '../events/incident/visibility.ts';
import type { Directory } from '../functions/aggregates/directory.ts';
import { messagesFor } from '../functions/reactions/reactions.ts';
import { advanceStageWorkflow } from '../functions/reactions/workflow-reactions.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';
import { given, spec } from './support/decider.ts';
import {
  ASAHI_MEMBER,
  at,
  HOURS,
  MINISTRY,
  NISC,
  RANSOMWARE_REPORT,
  REPORTED,
  SECRETARIAT,
  T0,
  WORKFLOW,
} from './support/fixtures.ts';

// REPORTED runs under japan-ceptoar: detected 2026-11-26T00:50Z, reported at T0 (01:00Z). Its 続報
// (update) is due 72 h after detection, 2026-11-29T00:50Z, with reminders 24 h and 4 h before; its
// 最終報 (final) 30 days after, 2026-12-26T00:50Z, with reminders 7 days and 1 day before. Both
// escalate at their deadline (escalateAfterHours 0).
const UPDATE_DUE = '2026-11-29T00:50:00.000Z';
const UPDATE_REMIND_24H = '2026-11-28T00:50:00.000Z';
const UPDATE_REMIND_4H = '2026-11-28T20:50:00.000Z';
const FINAL_DUE = '2026-12-26T00:50:00.000Z';
const FINAL_REMIND_7D = '2026-12-19T00:50:00.000Z';

type Given = Parameters<typeof given>[0][number];
const by = (event: IncidentEvent, when: string, actor: Given['actor'] = WORKFLOW): Given => ({
  event,
  at: when,
  actor,
});
const record = (history: Given[], now: string) =>
  spec(history).when({ type: 'RecordStageAlarms', data: {} }, WORKFLOW, now);
const stateOf = (history: Given[]): IncidentState => {
  const state = given(history);
  if (state === null) throw new Error('no incident');
  return state;
};

const reminderOf = (stage: string, when: string, dueAt: string): IncidentEvent => ({
  type: 'StageReminderDue',
  data: { stage, at: when, dueAt },
});
const submitted = (stage: string, when: string): Given =>
  by(
    {
      type: 'FollowUpAdded',
      data: {
        number: 1,
        description: 'update',
        recoveryStatus: 'mitigating',
        resubmitted: false,
        stage,
        details: { impact: 'Ethylene unit 2 stopped' },
      },
    },
    when,
    ASAHI_MEMBER,
  );

describe('stage reminders', () => {
  it('plans the first alarm: the 続報’s reminder 24 h before its deadline', () => {
    expect(pendingStageAlarms(stateOf([REPORTED])).map((a) => [a.stage, a.kind, a.at])).toEqual([
      ['update', 'reminder', UPDATE_REMIND_24H],
      ['update', 'reminder', UPDATE_REMIND_4H],
      ['update', 'escalation', UPDATE_DUE],
      ['final', 'reminder', FINAL_REMIND_7D],
      ['final', 'reminder', '2026-12-25T00:50:00.000Z'],
      ['final', 'escalation', FINAL_DUE],
    ]);
    const plan = planStageAlarms(given([REPORTED]), at(T0, HOURS));
    expect(plan).toMatchObject({ next: 'wait', hop: 'alarm', dueAt: UPDATE_REMIND_24H, attempt: 0 });
    // The seconds left from T0 + 1 h to 2026-11-28T00:50Z: 46 h 50 min.
    expect(plan.timeoutSeconds).toBe((46 * 60 + 50) * 60);
  });

  it('records nothing before the reminder is due, the reminder when it is, and never twice', () => {
    record([REPORTED], at(UPDATE_REMIND_24H, -1000)).thenNothing();
    record([REPORTED], UPDATE_REMIND_24H).thenEvents([reminderOf('update', UPDATE_REMIND_24H, UPDATE_DUE)]);
    const reminded = [REPORTED, by(reminderOf('update', UPDATE_REMIND_24H, UPDATE_DUE), UPDATE_REMIND_24H)];
    // A retried or late timeout before the next alarm records nothing more.
    record(reminded, at(UPDATE_REMIND_24H, HOURS)).thenNothing();
    expect(nextStageAlarm(stateOf(reminded))).toBe(UPDATE_REMIND_4H);
    expect(planStageAlarms(given(reminded), at(UPDATE_REMIND_24H, HOURS))).toMatchObject({
      hop: 'alarm',
      dueAt: UPDATE_REMIND_4H,
      attempt: 1,
    });
  });

  it('escalates at the deadline, once, and then has nothing more for that stage', () => {
    const reminded = [
      REPORTED,
      by(reminderOf('update', UPDATE_REMIND_24H, UPDATE_DUE), UPDATE_REMIND_24H),
      by(reminderOf('update', UPDATE_REMIND_4H, UPDATE_DUE), UPDATE_REMIND_4H),
    ];
    record(reminded, at(UPDATE_DUE, -1)).thenNothing();
    record(reminded, UPDATE_DUE).thenEvents([
      { type: 'StageEscalated', data: { stage: 'update', at: UPDATE_DUE, dueAt: UPDATE_DUE } },
    ]);
    const escalated = [
      ...reminded,
      by(
        { type: 'StageEscalated', data: { stage: 'update', at: UPDATE_DUE, dueAt: UPDATE_DUE } },
        UPDATE_DUE,
      ),
    ];
    record(escalated, at(UPDATE_DUE, HOURS)).thenNothing();
    expect(nextStageAlarm(stateOf(escalated))).toBe(FINAL_REMIND_7D);
    // Twenty days ahead: a bounded wait, planned again after seven days.
    expect(planStageAlarms(given(escalated), at(UPDATE_DUE, HOURS))).toMatchObject({
      hop: 'replan',
      dueAt: at(UPDATE_DUE, HOURS + REPLAN_WAIT_MS),
    });
    // The reader sees both reminders and the escalation on the stage.
    const update = incidentView(stateOf(escalated), at(UPDATE_DUE, HOURS)).stages[1];
    expect(update).toMatchObject({
      id: 'update',
      status: 'overdue',
      reminded: [UPDATE_REMIND_24H, UPDATE_REMIND_4H],
      escalatedAt: UPDATE_DUE,
    });
  });

  it('woken late, records only the latest alarm due: the escalation supersedes the reminders', () => {
    record([REPORTED], at(UPDATE_DUE, HOURS)).thenEvents([
      { type: 'StageEscalated', data: { stage: 'update', at: UPDATE_DUE, dueAt: UPDATE_DUE } },
    ]);
    record([REPORTED], at(UPDATE_REMIND_4H, 60_000)).thenEvents([
      reminderOf('update', UPDATE_REMIND_4H, UPDATE_DUE),
    ]);
  });

  it('records nothing for a submitted stage', () => {
    const done = [REPORTED, submitted('update', at(T0, 2 * HOURS))];
    record(done, at(UPDATE_DUE, HOURS)).thenNothing();
    expect(pendingStageAlarms(stateOf(done)).map((a) => a.stage)).toEqual(['final', 'final', 'final']);
    // Submitted after its reminder, before its deadline: no escalation follows.
    const late = [
      REPORTED,
      by(reminderOf('update', UPDATE_REMIND_24H, UPDATE_DUE), UPDATE_REMIND_24H),
      submitted('update', at(UPDATE_REMIND_24H, HOURS)),
    ];
    record(late, at(UPDATE_DUE, 1)).thenNothing();
  });

  it('records nothing for a closed incident, and the workflow is done', () => {
    const closed = [
      REPORTED,
      by({ type: 'RelayApproved', data: { ministryDueAt: at(T0, 5 * HOURS) } }, at(T0, HOURS), SECRETARIAT),
      by(
        { type: 'ReceiptAcknowledged', data: { hop: 'ministry', niscDueAt: at(T0, 6 * HOURS) } },
        at(T0, 2 * HOURS),
        MINISTRY,
      ),
      by({ type: 'ReceiptAcknowledged', data: { hop: 'nisc' } }, at(T0, 3 * HOURS), NISC),
      by({ type: 'IncidentClosed', data: {} }, at(T0, 4 * HOURS), ASAHI_MEMBER),
    ];
    record(closed, at(UPDATE_DUE, HOURS)).thenNothing();
    expect(planStageAlarms(given(closed), at(T0, 5 * HOURS))).toMatchObject({ next: 'done' });
    expect(stageWorkPending(stateOf(closed))).toBe(false);
  });

  it('has none for a cross-sector exercise’s scripted incident: its after-action report measures it', () => {
    const reported = REPORTED.event;
    if (reported.type !== 'IncidentReported') throw new Error('fixture');
    const scripted = [by({ ...reported, data: { ...reported.data, exerciseId: 'ex-2026-12' } }, REPORTED.at)];
    expect(pendingStageAlarms(stateOf(scripted))).toEqual([]);
    expect(stageWorkPending(stateOf(scripted))).toBe(false);
    record(scripted, at(UPDATE_DUE, HOURS)).thenNothing();
    expect(planStageAlarms(given(scripted), at(T0, HOURS))).toMatchObject({ next: 'done' });
  });

  it('starts no stage workflow for a cross-sector exercise’s scripted incident, one for an ordinary one', async () => {
    const reported = REPORTED.event;
    if (reported.type !== 'IncidentReported') throw new Error('fixture');
    const scripted = { ...reported, data: { ...reported.data, exerciseId: 'ex-2026-12' } };
    const started: string[] = [];
    const workflow: RelayWorkflow = {
      start: async (name) => {
        started.push(name);
        return 'started';
      },
      resume: async () => 'gone',
    };
    const recorded = (event: IncidentEvent): Recorded<IncidentEvent> =>
      ({ ...event, version: 1, recordedAt: REPORTED.at, actor: WORKFLOW }) as Recorded<IncidentEvent>;
    await advanceStageWorkflow(recorded(scripted), stateOf([by(scripted, REPORTED.at)]), workflow);
    expect(started).toEqual([]);
    const ordinary = stateOf([REPORTED]);
    await advanceStageWorkflow(recorded(reported), ordinary, workflow);
    expect(started).toEqual([ordinary.id]);
  });

  it('is done once every stage is submitted', () => {
    const all = [
      REPORTED,
      submitted('update', at(T0, 2 * HOURS)),
      by(
        {
          type: 'FollowUpAdded',
          data: {
            number: 2,
            description: 'final',
            recoveryStatus: 'recovered',
            resubmitted: false,
            stage: 'final',
            details: { impact: 'a', rootCause: 'b', mitigation: 'c' },
          },
        },
        at(T0, 3 * HOURS),
        ASAHI_MEMBER,
      ),
    ];
    expect(planStageAlarms(given(all), at(T0, 3 * HOURS))).toMatchObject({ next: 'done' });
  });

  it('sends nothing late for what had passed before the incident was reported', () => {
    // Reported four days after detection: the 続報’s reminders and deadline had all passed.
    const lateReport = {
      ...REPORTED,
      event: {
        ...REPORTED.event,
        data: { ...REPORTED.event.data, secretariatDueAt: at(UPDATE_DUE, 30 * HOURS) },
      },
      at: at(UPDATE_DUE, 24 * HOURS),
    } satisfies Given;
    record([lateReport], at(UPDATE_DUE, 25 * HOURS)).thenNothing();
    expect(nextStageAlarm(stateOf([lateReport]))).toBe(FINAL_REMIND_7D);
  });
});

describe('an NIS2 incident’s final report', () => {
  const DETECTED = '2027-01-30T20:00:00.000Z';
  const reported: Given = by(
    {
      type: 'IncidentReported',
      data: {
        ...REPORTED.event.data,
        report: { ...RANSOMWARE_REPORT, occurredAt: DETECTED, detectedAt: DETECTED },
        secretariatDueAt: at(DETECTED, 5 * HOURS),
        reporting: { preset: 'nis2' },
      },
    },
    at(DETECTED, HOURS),
    ASAHI_MEMBER,
  );

  it('has its alarms only once the notification it runs from is submitted, a month on the JST calendar', () => {
    expect(pendingStageAlarms(stateOf([reported])).map((a) => a.stage)).toEqual([
      'notification',
      'notification',
      'notification',
    ]);
    // Submitted 31 January 10:00 JST: the final report is due 28 February 10:00 JST (01:00Z).
    const notified = [reported, submitted('notification', '2027-01-31T01:00:00.000Z')];
    expect(pendingStageAlarms(stateOf(notified)).map((a) => [a.stage, a.kind, a.at])).toEqual([
      ['final', 'reminder', '2027-02-21T01:00:00.000Z'],
      ['final', 'reminder', '2027-02-27T01:00:00.000Z'],
      ['final', 'escalation', '2027-02-28T01:00:00.000Z'],
    ]);
  });
});

describe('a CIRCIA incident’s ransom payment clock', () => {
  const DETECTED = '2027-05-01T00:00:00.000Z';
  const REPORTED_AT = '2027-05-01T02:00:00.000Z';
  const reported: Given = by(
    {
      type: 'IncidentReported',
      data: {
        ...REPORTED.event.data,
        report: { ...RANSOMWARE_REPORT, occurredAt: DETECTED, detectedAt: DETECTED },
        secretariatDueAt: at(REPORTED_AT, 4 * HOURS),
        reporting: { preset: 'circia' },
      },
    },
    REPORTED_AT,
    ASAHI_MEMBER,
  );
  const COVERED_DUE = '2027-05-04T00:00:00.000Z';
  const paid = (paidAt: string, when: string): Given =>
    by(
      {
        type: 'FollowUpAdded',
        data: {
          number: 1,
          description: 'Ransom paid',
          recoveryStatus: 'mitigating',
          resubmitted: false,
          details: { ransomPayment: { paidAt, amount: 2.5, currency: 'BTC' } },
        },
      },
      when,
      ASAHI_MEMBER,
    );

  it('has no alarm before a payment (the report was the covered incident report); waits, bounded, for the clock', () => {
    expect(pendingStageAlarms(stateOf([reported]))).toEqual([]);
    const now = at(COVERED_DUE, HOURS);
    expect(planStageAlarms(given([reported]), now)).toMatchObject({
      next: 'wait',
      hop: 'replan',
      dueAt: at(now, REPLAN_WAIT_MS),
      timeoutSeconds: REPLAN_WAIT_MS / 1000,
    });
    expect(stageWorkPending(stateOf([reported]))).toBe(true);
  });

  it('starts the ransom stage’s alarms at the payment: a reminder 4 h before its 24 h deadline', () => {
    // Paid at 09:30 on 6 May, stated at 10:00: due 09:30 on 7 May, reminded at 05:30.
    const history = [reported, paid('2027-05-06T09:30:00.000Z', '2027-05-06T10:00:00.000Z')];
    expect(pendingStageAlarms(stateOf(history)).map((a) => [a.stage, a.kind, a.at, a.dueAt])).toEqual([
      ['ransom-payment', 'reminder', '2027-05-07T05:30:00.000Z', '2027-05-07T09:30:00.000Z'],
      ['ransom-payment', 'escalation', '2027-05-07T09:30:00.000Z', '2027-05-07T09:30:00.000Z'],
    ]);
    record(history, '2027-05-07T05:30:00.000Z').thenEvents([
      reminderOf('ransom-payment', '2027-05-07T05:30:00.000Z', '2027-05-07T09:30:00.000Z'),
    ]);
  });

  it('stated after the reminder time: no late reminder, the escalation at the deadline still comes', () => {
    const history = [reported, paid('2027-05-06T09:30:00.000Z', '2027-05-07T07:00:00.000Z')];
    expect(pendingStageAlarms(stateOf(history)).map((a) => [a.kind, a.at])).toEqual([
      ['escalation', '2027-05-07T09:30:00.000Z'],
    ]);
  });

  it('tells the workflow its clock wait is stale once a payment starts the clock', () => {
    const waiting: Given = by(
      {
        type: 'StageWaitStarted',
        data: { wait: 'replan', attempt: 1, dueAt: at(COVERED_DUE, 7 * 24 * HOURS), taskToken: 't1' },
      },
      at(COVERED_DUE, 1000),
    );
    expect(stageWaitStale(stateOf([reported, waiting]))).toBe(false);
    expect(
      stageWaitStale(
        stateOf([reported, waiting, paid('2027-05-06T09:30:00.000Z', '2027-05-06T10:00:00.000Z')]),
      ),
    ).toBe(true);
  });
});

describe('the stage-alarm workflow’s wait', () => {
  const waitFor = (dueAt: string, token = 't1'): Given =>
    by(
      { type: 'StageWaitStarted', data: { wait: 'alarm', attempt: 0, dueAt, taskToken: token } },
      at(T0, 1000),
    );

  it('is recorded once per task token', () => {
    const command = {
      type: 'StartStageWait',
      data: { wait: 'alarm', attempt: 0, dueAt: UPDATE_REMIND_24H, taskToken: 't1' },
    } as const;
    spec([REPORTED])
      .when(command, WORKFLOW, at(T0, 1000))
      .thenEvents([{ type: 'StageWaitStarted', data: command.data }]);
    spec([REPORTED, waitFor(UPDATE_REMIND_24H)])
      .when(command, WORKFLOW, at(T0, 2000))
      .thenNothing();
  });

  it('is stale when the alarm it waits for is no longer the next one, or nothing is left', () => {
    expect(stageWaitStale(stateOf([REPORTED, waitFor(UPDATE_REMIND_24H)]))).toBe(false);
    // The 続報 submitted: the next alarm is the 最終報’s.
    expect(
      stageWaitStale(stateOf([REPORTED, waitFor(UPDATE_REMIND_24H), submitted('update', at(T0, HOURS))])),
    ).toBe(true);
    expect(stageWaitStale(stateOf([REPORTED]))).toBe(false);
  });

  it('is not stale while bounded short of an alarm further ahead', () => {
    // The 続報 escalated; the 最終報’s first reminder lies 20 days ahead, past the 7-day bound.
    const escalated = by(
      { type: 'StageEscalated', data: { stage: 'update', at: UPDATE_DUE, dueAt: UPDATE_DUE } },
      UPDATE_DUE,
    );
    const replan: Given = by(
      {
        type: 'StageWaitStarted',
        data: { wait: 'replan', attempt: 1, dueAt: at(UPDATE_DUE, REPLAN_WAIT_MS), taskToken: 't2' },
      },
      at(UPDATE_DUE, 1000),
    );
    expect(stageWaitStale(stateOf([REPORTED, escalated, replan]))).toBe(false);
    // The 最終報 submitted too: nothing is left, the wait is answered so the workflow ends.
    const final = by(
      {
        type: 'FollowUpAdded',
        data: {
          number: 2,
          description: 'final',
          recoveryStatus: 'recovered',
          resubmitted: false,
          stage: 'final',
          details: { impact: 'a', rootCause: 'b', mitigation: 'c' },
        },
      },
      at(UPDATE_DUE, HOURS),
      ASAHI_MEMBER,
    );
    expect(stageWaitStale(stateOf([REPORTED, escalated, replan, final]))).toBe(true);
  });
});

describe('stage notifications', () => {
  const DIRECTORY: Directory = {
    organizations: {
      secretariat: organizationSchema().parse({
        kind: 'secretariat',
        name: { ja: '事務局', en: 'Secretariat' },
        contacts: [
          { id: 'duty', name: '当番', email: 'duty@sec.example', primary: 'email' },
          {
            id: 'lead',
            name: '事務局長',
            email: 'lead@sec.example',
            voice: '+81300000002',
            escalation: true,
            primary: 'email',
          },
        ],
      }),
      'asahi-petrochem': organizationSchema().parse({
        kind: 'member',
        name: { ja: '朝日石油化学', en: 'Asahi Petrochemical' },
        contacts: [
          {
            id: 'csirt',
            name: 'CSIRT',
            email: 'csirt@asahi.example',
            phone: '+819000000000',
            lang: 'en',
            primary: 'email',
            secondary: 'sms',
          },
        ],
      }),
    },
  };
  const recorded = (event: IncidentEvent, version: number): Recorded<IncidentEvent> => ({
    ...event,
    version,
    recordedAt: UPDATE_REMIND_24H,
    actor: WORKFLOW,
  });
  const deps = { directory: DIRECTORY, publicUrl: 'https://relay.example' };

  it('reminds the member (the reporter and its organisation’s contacts), naming the stage and its deadline', () => {
    const state = stateOf([REPORTED]);
    const event = recorded(reminderOf('update', UPDATE_REMIND_24H, UPDATE_DUE), 2);
    expect(notificationsFor(event, state)).toEqual([
      {
        purpose: 'stage_reminder',
        audience: [{ reporter: true }, { member: true }],
        hop: null,
        stage: 'update',
        call: false,
      },
    ]);
    const messages = messagesFor(event, state, deps);
    expect(messages.map((m) => [m.to, m.channel])).toEqual([
      [RANSOMWARE_REPORT.contact.email, 'email'],
      [RANSOMWARE_REPORT.contact.phone, 'sms'],
      ['csirt@asahi.example', 'email'],
      ['+819000000000', 'sms'],
    ]);
    // The reporter reads the member's language (en here); the stage's name and deadline in JST.
    const mail = messages.find((m) => m.to === 'csirt@asahi.example');
    expect(mail?.subject).toContain('(Follow-up report)');
    expect(mail?.body).toContain('Report to submit: Follow-up report (due 29 Nov 2026, 09:50 JST)');
  });

  it('escalates to the member and the secretariat’s escalation contacts, with a call', () => {
    const state = stateOf([REPORTED]);
    const event = recorded(
      { type: 'StageEscalated', data: { stage: 'update', at: UPDATE_DUE, dueAt: UPDATE_DUE } },
      2,
    );
    const messages = messagesFor(event, state, deps);
    expect(messages.map((m) => [m.purpose, m.to, m.channel])).toContainEqual([
      'stage_escalation',
      'lead@sec.example',
      'email',
    ]);
    expect(messages.map((m) => [m.to, m.channel])).toContainEqual(['+81300000002', 'voice']);
    expect(messages.map((m) => m.to)).toContain('csirt@asahi.example');
    expect(messages.map((m) => m.to)).not.toContain('duty@sec.example');
    const ja = messages.find((m) => m.to === 'lead@sec.example');
    expect(ja?.subject).toContain('「続報」');
    expect(ja?.body).toContain('提出する報告: 続報 (期限 2026/11/29 9:50 JST)');
  });
});
