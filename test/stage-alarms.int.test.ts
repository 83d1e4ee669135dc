import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { SHORT_STAGE_CLOCKS } from './support/fixtures.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// The local stack under a custom preset with minute-scale clocks (CEPTOAR_REPORTING_PRESET; stage
// clocks are legal deadlines, never time-scaled): the 続報 is due 18 s after detection, reminded
// 9 s before, escalated at its deadline. Time scale 1, so the relay's own hops stay quiet.

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack({ timeScale: 1, reportingPreset: JSON.stringify(SHORT_STAGE_CLOCKS) });
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const SECOND = 1000;

describe('reporting-stage reminders and escalations on the local stack', () => {
  it('reminds the member before the deadline, escalates after it, once each, and nothing for a submitted stage', async () => {
    const detectedAt = new Date().toISOString();
    const late = await api.report('asahi-petrochem', { occurredAt: detectedAt, detectedAt });
    const onTime = await api.report('asahi-petrochem', { occurredAt: detectedAt, detectedAt });
    const member = await api.token('member', 'asahi-petrochem');
    const submitted = await api.call('POST', `/incidents/${onTime}/follow-ups`, {
      token: member,
      body: { description: 'Unit 2 stopped', recoveryStatus: 'mitigating', stage: 'update', impact: 'a' },
    });
    expect(submitted.status).toBe(201);

    const of = async (id: string, type: string) => (await api.events(id)).filter((e) => e.type === type);
    const reminder = await eventually(
      async () => (await of(late, 'StageReminderDue'))[0],
      60 * SECOND,
      'the reminder',
    );
    const updateDue = new Date(Date.parse(detectedAt) + 18 * SECOND).toISOString();
    expect(reminder.data).toEqual({
      stage: 'update',
      at: new Date(Date.parse(detectedAt) + 9 * SECOND).toISOString(),
      dueAt: updateDue,
    });
    const escalation = await eventually(
      async () => (await of(late, 'StageEscalated'))[0],
      60 * SECOND,
      'the escalation',
    );
    expect(escalation.data).toEqual({ stage: 'update', at: updateDue, dueAt: updateDue });
    // With every alarm recorded and no clock left to start, the stage workflow ends.
    await eventually(
      async () =>
        stack.sfn
          .executions()
          .find(
            (x) => x.name === late && x.stateMachineArn.includes('StageWorkflow') && x.status === 'SUCCEEDED',
          ),
      30 * SECOND,
      'the stage workflow to succeed',
    );
    await stack.settle();

    // Once each: a retried or late timeout recorded nothing twice.
    expect(await of(late, 'StageReminderDue')).toHaveLength(1);
    expect(await of(late, 'StageEscalated')).toHaveLength(1);
    // The submitted stage had nothing; no stage workflow waits for it: it ended once every stage was
    // in, or was never started when the reactor read the report with the stage already submitted.
    expect(await of(onTime, 'StageReminderDue')).toEqual([]);
    expect(await of(onTime, 'StageEscalated')).toEqual([]);
    expect([undefined, 'SUCCEEDED']).toContain(
      stack.sfn.executions().find((x) => x.name === onTime && x.stateMachineArn.includes('StageWorkflow'))
        ?.status,
    );

    // The reminder went to the member (the reporter and its CSIRT); the escalation to them and the
    // secretariat's escalation contact, each delivery recorded on the stream.
    const delivered = (await of(late, 'NotificationDelivered')).map((e) => `${e.data.purpose}:${e.data.to}`);
    expect(delivered).toEqual(
      expect.arrayContaining([
        'stage_reminder:yamada@asahi-petrochem.ceptoar.example',
        'stage_reminder:csirt@asahi-petrochem.ceptoar.example',
        'stage_escalation:yamada@asahi-petrochem.ceptoar.example',
        'stage_escalation:csirt@asahi-petrochem.ceptoar.example',
        'stage_escalation:lead@secretariat.ceptoar.example',
      ]),
    );
    expect(delivered).not.toContain('stage_reminder:lead@secretariat.ceptoar.example');
    expect(delivered.filter((d) => d.startsWith('stage_'))).not.toContain(
      'stage_escalation:duty@secretariat.ceptoar.example',
    );
    const mails = (address: string) =>
      stack.mail.messages().filter((m) => m.to.includes(address) && m.text.includes(late));
    // The secretariat's lead reads Japanese, the member's CSIRT English: both name the stage and its deadline.
    expect(mails('lead@secretariat.ceptoar.example').map((m) => m.subject)).toContainEqual(
      expect.stringMatching(
        /^\[TLP:AMBER\] 【期限超過】IT障害報告の提出期限を過ぎています「続報」 \(期限 .+ JST\)$/,
      ),
    );
    expect(mails('csirt@asahi-petrochem.ceptoar.example').map((m) => m.subject)).toContainEqual(
      expect.stringMatching(
        /^\[TLP:AMBER\] \[Reminder\] IT incident report due soon \(Follow-up report\) \(due .+ JST\)$/,
      ),
    );

    // The incident page shows the reminder and the escalation on the stage.
    const view = await api.call('GET', `/incidents/${late}`, { token: await api.token('secretariat') });
    expect(view.body.stages[1]).toMatchObject({
      id: 'update',
      status: 'overdue',
      reminded: [reminder.data.at],
      escalatedAt: updateDue,
    });
    expect(view.body.stages[0]).toMatchObject({ id: 'first', reminded: [], escalatedAt: null });
    expect(JSON.stringify(await api.events(late))).not.toContain('taskToken');
  });
});
