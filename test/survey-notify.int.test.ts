import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recorded } from '../events/incident/incident.ts';
import type { SurveyEvent, SurveyState } from '../events/survey/survey.ts';
import type { LocalStack } from '../local/stack.ts';
import { FULL_ANSWERS, SELF_ASSESSMENT } from './fixtures/survey-definition.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// Issuing a survey on the local stack: one message per recipient contact through the advisory
// delivery pipeline (caught by the local mail catcher), recorded on each organisation's response
// stream; a redelivered record sends nothing twice; TLP:RED narrows who sees, answers and is told.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

/** The 11 chemical members of the demo directory, each with one contact (e-mail first, SMS second). */
const CHEMICAL = 11;
const member = (org: string, sub?: string) => api.token('member', org, sub);
const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

async function issued(tlp: string, dueAt = hoursFromNow(48), remindAt?: string): Promise<string> {
  const token = await api.token('secretariat');
  const created = await api.call('POST', '/surveys', { token, body: { definition: SELF_ASSESSMENT, tlp } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  const issue = await api.call('POST', `/surveys/${id}/issue`, {
    token,
    body: { dueAt, ...(remindAt ? { remindAt } : {}) },
  });
  expect(issue.status, JSON.stringify(issue.body)).toBe(200);
  return id;
}

const mailsAbout = (id: string) => stack.mail.messages().filter((m) => m.text.includes(`/surveys/${id}`));
const smsAbout = (id: string) => stack.sms.messages().filter((m) => m.text.includes(`/surveys/${id}`));

/** The events of a stream, read from the table the stack writes. */
async function streamEvents(streamId: string) {
  const { store } = await import('../functions/store/store.ts');
  const out: { type: string; data: Record<string, unknown> }[] = [];
  for await (const e of store.readEvents(streamId, { fromVersion: 1 }))
    out.push({ type: e.type, data: e.data as Record<string, unknown> });
  return out;
}

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

describe('issuing a survey tells its recipients', () => {
  let id = '';

  it('sends one e-mail per recipient contact, in the contact’s language, with the console link and no drill mark', async () => {
    id = await issued('AMBER');
    const mails = await eventually(
      async () => (mailsAbout(id).length >= CHEMICAL ? mailsAbout(id) : undefined),
      30_000,
      'an invitation to each chemical member',
    );
    expect(mails).toHaveLength(CHEMICAL);
    expect(new Set(mails.flatMap((m) => m.to)).size).toBe(CHEMICAL);
    const asahi = mails.find((m) => m.to.includes('csirt@asahi-petrochem.ceptoar.example'));
    expect(asahi?.subject).toMatch(/^\[TLP:AMBER\] \[Action\] Survey: please answer \(by .+ JST\)$/);
    expect(asahi?.text).toContain('Survey: Control-system security self-assessment');
    const kaigan = mails.find((m) => m.to.includes('csirt@kaigan-chemical.ceptoar.example'));
    expect(kaigan?.subject).toContain('[TLP:AMBER] 【要回答】調査のお願い');
    expect(kaigan?.text).toContain('調査: 制御システムセキュリティ自己評価');
    for (const m of mails) expect(`${m.subject}${m.text}`).not.toMatch(/訓練|DRILL/);
    // The invitation goes on the primary channel (e-mail for every demo contact), not by SMS.
    expect(smsAbout(id)).toEqual([]);
  });

  it('records each delivery on the organisation’s response stream, which still reads as unanswered', async () => {
    const events = await eventually(
      async () => {
        const es = await streamEvents(`survey-response#${id}#kaigan-chemical`);
        return es.length > 0 ? es : undefined;
      },
      15_000,
      'the recorded delivery',
    );
    expect(events).toEqual([
      {
        type: 'SurveyDelivered',
        data: expect.objectContaining({
          surveyId: id,
          org: 'kaigan-chemical',
          sector: 'chemical',
          purpose: 'survey',
          contactId: 'kaigan-chemical-csirt',
          channel: 'email',
          to: 'csirt@kaigan-chemical.ceptoar.example',
          messageId: expect.any(String),
        }),
      },
    ]);
    const own = await api.call('GET', `/surveys/${id}/response`, { token: await member('kaigan-chemical') });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ status: 'empty', saves: 0 });
  });

  it('sends nothing twice when the issue event is redelivered', async () => {
    const { store } = await import('../functions/store/store.ts');
    const { loadAggregate } = await import('../functions/store/command-runner.ts');
    const { surveys } = await import('../functions/aggregates/surveys.ts');
    const { loadDirectory } = await import('../functions/aggregates/directory.ts');
    const { surveyMessagesFor } = await import('../functions/reactions/survey-reactions.ts');
    const { deliverSurveyBatch } = await import('../functions/notify/survey-delivery.ts');
    const { state } = await loadAggregate(store, surveys, id);
    const orgs = Object.values((state as SurveyState).recipients).flat() as string[];
    expect(orgs).toHaveLength(CHEMICAL);
    await eventually(
      async () => {
        const counts = await Promise.all(orgs.map((o) => streamEvents(`survey-response#${id}#${o}`)));
        return counts.every((es) => es.length === 1);
      },
      15_000,
      'every delivery recorded',
    );
    const stored: Recorded<SurveyEvent>[] = [];
    for await (const e of store.readEvents(`survey#${id}`, { fromVersion: 1 }))
      stored.push({ ...(e as unknown as Recorded<SurveyEvent>) });
    const issue = stored.find((e) => e.type === 'SurveyIssued') as Recorded<SurveyEvent>;
    // The same record again builds the same messages (same keys), and delivering them sends none.
    const again = await surveyMessagesFor(issue, state as SurveyState, {
      directory: () => loadDirectory(store),
      publicUrl: process.env.PUBLIC_URL ?? '',
    });
    expect(again).toHaveLength(CHEMICAL);
    let sent = 0;
    const failed = await deliverSurveyBatch(again, async () => {
      sent++;
      return { ok: true, messageId: 'again' };
    });
    expect(failed).toEqual([]);
    expect(sent).toBe(0);
    expect(await streamEvents(`survey-response#${id}#asahi-petrochem`)).toHaveLength(1);
    expect(mailsAbout(id)).toHaveLength(CHEMICAL);
  });
});

describe('TLP:RED narrows the survey to the named contacts’ logins', () => {
  let id = '';

  it('shows the survey and its response routes to the named login and 404 to a colleague of the same organisation', async () => {
    id = await issued('RED');
    const named = await member('asahi-petrochem');
    const colleague = await member('asahi-petrochem', 'asahi-someone-else');
    expect((await api.call('GET', `/surveys/${id}`, { token: named })).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/surveys/${id}`, undefined],
      ['GET', `/surveys/${id}/response`, undefined],
      ['PUT', `/surveys/${id}/response`, { answers: { policy: 'yes' } }],
      ['POST', `/surveys/${id}/response/submit`, { answers: { policy: 'yes' } }],
      ['GET', `/surveys/${id}/results`, undefined],
    ] as const) {
      const res = await api.call(method, path, { token: colleague, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await api.call('GET', '/surveys', { token: colleague });
    expect(list.body.items.map((s: { id: string }) => s.id)).not.toContain(id);
    expect(
      await streamEvents(`survey-response#${id}#asahi-petrochem`).then((es) =>
        es.some((e) => e.type.startsWith('Response')),
      ),
    ).toBe(false);
    const saved = await api.call('PUT', `/surveys/${id}/response`, {
      token: named,
      body: { answers: { policy: 'yes' } },
    });
    expect(saved.status).toBe(200);
  });

  it('tells the named contacts without the survey’s title', async () => {
    const mails = await eventually(
      async () => (mailsAbout(id).length >= CHEMICAL ? mailsAbout(id) : undefined),
      30_000,
      'the RED invitations',
    );
    for (const m of mails) {
      expect(m.subject).toContain('[TLP:RED]');
      expect(m.text).not.toContain('self-assessment');
      expect(m.text).not.toContain('自己評価');
    }
  });
});

describe('the reminder before the due date', () => {
  it('reminds, at remindAt and on the secondary channel, only the organisations that have not submitted', async () => {
    // The workflow's timer (the survey state machine from the synthesized template) runs in real time.
    const remindAt = new Date(Date.now() + 10_000).toISOString();
    const id = await issued('GREEN', hoursFromNow(24), remindAt);
    const submitted = await api.call('POST', `/surveys/${id}/response/submit`, {
      token: await member('kaigan-chemical'),
      body: { answers: FULL_ANSWERS },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.late).toBe(false);
    const reminders = await eventually(
      async () => (smsAbout(id).length >= CHEMICAL - 1 ? smsAbout(id) : undefined),
      60_000,
      'a reminder by SMS to each silent member',
    );
    expect(reminders).toHaveLength(CHEMICAL - 1);
    expect(reminders.map((m) => m.to)).not.toContain('+819000000001');
    const asahi = reminders.find((m) => m.to === '+819000000000');
    expect(asahi?.text).toContain('[TLP:GREEN] [Reminder] Survey awaiting your answer');
    const minato = reminders.find((m) => m.to === '+819000000002');
    expect(minato?.text).toContain('【再送・要回答】');
    const survey = await streamEvents(`survey#${id}`);
    const due = survey.find((e) => e.type === 'SurveyRemindersDue');
    expect(due?.data.orgs).toHaveLength(CHEMICAL - 1);
    expect(due?.data.orgs).not.toContain('kaigan-chemical');
    // Not before its time.
    for (const m of reminders) expect(Date.parse(m.at)).toBeGreaterThanOrEqual(Date.parse(remindAt));
    // Recorded on the silent organisation's stream beside its invitation.
    await eventually(
      async () => {
        const es = await streamEvents(`survey-response#${id}#asahi-petrochem`);
        return es.some((e) => e.data.purpose === 'survey_reminder' && e.data.channel === 'sms');
      },
      15_000,
      'the recorded reminder',
    );
    // The secretariat sees whom it reached, on which channels, and who answered (the heads the stream
    // projection writes after the events, so read until they have caught up).
    const secretariat = await api.token('secretariat');
    const recipients = await eventually(
      async () => {
        const res = await api.call('GET', `/surveys/${id}/recipients`, { token: secretariat });
        const asahiRow = res.body.items?.find((i: { org: string }) => i.org === 'asahi-petrochem');
        return res.status === 200 && res.body.responded === 1 && asahiRow?.deliveries.length === 2
          ? res
          : undefined;
      },
      15_000,
      'the recipients with the reminder and the answer',
    );
    expect(recipients.body).toMatchObject({
      surveyId: id,
      sector: 'chemical',
      status: 'open',
      invited: CHEMICAL,
      reached: CHEMICAL,
      failed: 0,
      pending: 0,
      responded: 1,
    });
    const row = (org: string) => recipients.body.items.find((i: { org: string }) => i.org === org);
    expect(row('kaigan-chemical')).toMatchObject({ reach: 'reached', response: 'submitted', late: false });
    expect(row('kaigan-chemical').deliveries.map((d: { purpose: string }) => d.purpose)).toEqual(['survey']);
    expect(row('asahi-petrochem')).toMatchObject({ reach: 'reached', response: 'none', attempts: [] });
    expect(
      row('asahi-petrochem').deliveries.map((d: { purpose: string; channel: string; ok: boolean }) => [
        d.purpose,
        d.channel,
        d.ok,
      ]),
    ).toEqual([
      ['survey', 'email', true],
      ['survey_reminder', 'sms', true],
    ]);
    // Per-organisation rows stay with the sector's secretariat.
    for (const token of [
      await member('asahi-petrochem'),
      await api.token('ministry'),
      await api.token('nisc'),
    ])
      expect((await api.call('GET', `/surveys/${id}/recipients`, { token })).status).toBe(403);
    const banking = (
      await api.call<{ token: string }>('POST', '/local/token', {
        body: { role: 'secretariat', sector: 'banking' },
      })
    ).body.token;
    expect((await api.call('GET', `/surveys/${id}/recipients`, { token: banking })).status).toBe(404);
  }, 120_000);
});

describe('a survey closed before its reminder time', () => {
  it('answers the workflow’s recorded wait, so the execution ends, and sends nothing after the close', async () => {
    // The reminder is hours away: only the close can end the execution within the test.
    const id = await issued('GREEN', hoursFromNow(24), hoursFromNow(12));
    const execution = () =>
      stack.sfn.executions().find((x) => x.name === id && x.stateMachineArn.includes('SurveyWorkflow'));
    // The wait records its task token on the survey's stream (a workflow secret: shown by no route).
    const waits = await eventually(
      async () => {
        const es = (await streamEvents(`survey#${id}`)).filter((e) => e.type === 'SurveyWaitStarted');
        return es.length > 0 ? es : undefined;
      },
      30_000,
      'the recorded wait',
    );
    expect(waits[0]?.data).toMatchObject({ wait: 'remind', attempt: 0, taskToken: expect.any(String) });
    expect(execution()?.status).toBe('RUNNING');
    const view = await api.call('GET', `/surveys/${id}`, { token: await api.token('secretariat') });
    expect(JSON.stringify(view.body)).not.toContain(String(waits[0]?.data.taskToken));
    await eventually(async () => mailsAbout(id).length >= CHEMICAL, 30_000, 'the invitations');
    await stack.settle();
    const sentBefore = mailsAbout(id).length + smsAbout(id).length;

    const closed = await api.call('POST', `/surveys/${id}/close`, {
      token: await api.token('secretariat'),
      body: {},
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const ended = await eventually(
      async () => (execution()?.status === 'SUCCEEDED' ? execution() : undefined),
      30_000,
      'the survey workflow to end',
    );
    // Ended by the answered token (the Wait task succeeded), not by its timeout.
    const config = {
      region: stack.sfn.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const client = new SFNClient({ ...config, endpoint: stack.sfn.url });
    const history = (await client.send(new GetExecutionHistoryCommand({ executionArn: ended?.executionArn })))
      .events;
    const types = (history ?? []).map((e) => e.type);
    expect(types).toContain('TaskSucceeded');
    expect(types).not.toContain('TaskTimedOut');
    expect(types.at(-1)).toBe('ExecutionSucceeded');

    // A duplicate answer (the close redelivered) is harmless, and nothing was sent after the close.
    const { StepFunctionsWorkflow } = await import('../functions/workflow/workflow.ts');
    const late = new StepFunctionsWorkflow(client, ended?.stateMachineArn ?? '');
    expect(await late.resume(String(waits[0]?.data.taskToken), { surveyId: id })).toBe('gone');
    await stack.settle();
    expect(mailsAbout(id).length + smsAbout(id).length).toBe(sentBefore);
    expect((await streamEvents(`survey#${id}`)).map((e) => e.type)).not.toContain('SurveyRemindersDue');
  }, 120_000);
});
