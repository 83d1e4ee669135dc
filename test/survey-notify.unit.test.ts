import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { NotFoundError } from '../events/errors.ts';
import type { Recorded } from '../events/incident/incident.ts';
import {
  decideResponse,
  decideSurvey,
  evolveResponse,
  evolveSurvey,
  type MaybeSurvey,
  planSurvey,
  type SurveyEvent,
  type SurveyState,
} from '../events/survey/survey.ts';
import { canSeeSurvey } from '../events/survey/views.ts';
import { type Directory, parseDirectory } from '../functions/aggregates/directory.ts';
import { surveyMessagesFor } from '../functions/reactions/survey-reactions.ts';
import { SELF_ASSESSMENT } from './fixtures/survey-definition.ts';

// Given a survey's events, when it is issued or its reminders fall due, then these messages; and the
// TLP rule that decides who of a recipient organisation sees and answers it.
const T0 = '2026-07-01T00:00:00.000Z';
const DUE = '2026-09-30T00:00:00.000Z';
const SECRETARIAT: Actor = { kind: 'user', sub: 'sec-1', role: 'secretariat' };
const SYSTEM: Actor = { kind: 'system', sub: 'system:survey-workflow' };
const URL = 'https://relay.example/app';

const contact = (id: string, extra: Record<string, unknown>) => ({
  id,
  name: id,
  escalation: false,
  primary: 'email',
  secondary: 'sms',
  ...extra,
});
/** Two members: `a` with a Japanese named contact and an English desk without a login; `b` with one on webhook first. */
const DIRECTORY: Directory = parseDirectory({
  organizations: {
    a: {
      kind: 'member',
      name: { ja: 'A化学', en: 'A Chemical' },
      contacts: [
        contact('a-csirt', {
          login: 'a-login',
          lang: 'ja',
          email: 'csirt@a.example',
          phone: '+819011110000',
        }),
        contact('a-desk', { lang: 'en', email: 'desk@a.example', phone: '+819011110001' }),
      ],
    },
    b: {
      kind: 'member',
      name: { ja: 'B化学', en: 'B Chemical' },
      contacts: [
        contact('b-csirt', {
          login: 'b-login',
          lang: 'en',
          primary: 'webhook',
          secondary: 'email',
          webhook: 'https://b.example/hook',
          email: 'csirt@b.example',
        }),
      ],
    },
  },
});

function history(tlp: 'AMBER' | 'RED'): { events: Recorded<SurveyEvent>[]; state: SurveyState } {
  const created = decideSurvey(
    {
      type: 'CreateSurvey',
      data: {
        surveyId: '5b9f1f64-7a0e-4d4b-9d59-0c6f5d0e2a11',
        sectors: ['chemical'],
        owner: { role: 'secretariat', sector: 'chemical' },
        tlp,
        resultsTlp: tlp,
        k: 3,
        definition: SELF_ASSESSMENT,
      },
    },
    null,
    { now: T0, actor: SECRETARIAT },
  );
  let state: MaybeSurvey = null;
  const events: Recorded<SurveyEvent>[] = [];
  const fold = (es: SurveyEvent[], actor: Actor) => {
    for (const e of es) {
      const recorded = { ...e, version: events.length + 1, recordedAt: T0, actor };
      events.push(recorded);
      state = evolveSurvey(state, recorded);
    }
  };
  fold(created, SECRETARIAT);
  fold(
    decideSurvey(
      {
        type: 'IssueSurvey',
        data: {
          dueAt: DUE,
          roster: { chemical: ['b', 'a'] },
          logins: { a: ['a-login'], b: ['b-login'] },
        },
      },
      state,
      { now: T0, actor: SECRETARIAT },
    ),
    SECRETARIAT,
  );
  return { events, state: state as unknown as SurveyState };
}

const deps = { directory: async () => DIRECTORY, publicUrl: URL };

describe('survey messages', () => {
  it('invites every contact of every recipient on its primary channel, in its language, with the console link', async () => {
    const { events, state } = history('AMBER');
    const issued = events[1] as Recorded<SurveyEvent>;
    const messages = await surveyMessagesFor(issued, state, deps);
    expect(messages.map((m) => [m.org, m.contactId, m.channel, m.to, m.purpose]).sort()).toEqual([
      ['a', 'a-csirt', 'email', 'csirt@a.example', 'survey'],
      ['a', 'a-desk', 'email', 'desk@a.example', 'survey'],
      ['b', 'b-csirt', 'webhook', 'https://b.example/hook', 'survey'],
    ]);
    const ja = messages.find((m) => m.contactId === 'a-csirt');
    expect(ja?.subject).toContain('[TLP:AMBER] 【要回答】調査のお願い');
    expect(ja?.body).toContain('調査: 制御システムセキュリティ自己評価');
    expect(ja?.body).toContain(`回答: ${URL}/surveys/${state.id}`);
    const en = messages.find((m) => m.contactId === 'a-desk');
    expect(en?.subject).toMatch(/^\[TLP:AMBER\] \[Action\] Survey: please answer \(by .+ JST\)$/);
    expect(en?.body).toContain('Survey: Control-system security self-assessment');
    // A survey is never a drill.
    for (const m of messages) expect(`${m.subject}${m.body}`).not.toMatch(/訓練|DRILL/);
    // Recorded on each organisation's response stream, keyed by event, contact and channel (redelivery sends nothing twice).
    expect(ja).toMatchObject({
      streamId: `survey-response#${state.id}#a`,
      key: `2:survey:a-csirt:email`,
    });
  });

  it('reminds the silent organisations only, on each contact’s secondary channel', async () => {
    const { events, state } = history('AMBER');
    const due = decideSurvey({ type: 'RecordSurveyReminders', data: { responded: ['a'] } }, state, {
      now: T0,
      actor: SYSTEM,
    });
    expect(due).toEqual([{ type: 'SurveyRemindersDue', data: { orgs: ['b'] } }]);
    const reminder = {
      ...(due[0] as SurveyEvent),
      version: events.length + 1,
      recordedAt: T0,
      actor: SYSTEM,
    };
    const messages = await surveyMessagesFor(reminder, evolveSurvey(state, reminder) as SurveyState, deps);
    expect(messages.map((m) => [m.org, m.channel, m.to, m.purpose])).toEqual([
      ['b', 'email', 'csirt@b.example', 'survey_reminder'],
    ]);
    expect(messages[0]?.subject).toContain('[Reminder] Survey awaiting your answer');
  });

  it('tells only the named contacts of a TLP:RED survey, and says nothing of its content', async () => {
    const { events, state } = history('RED');
    expect(state.named).toEqual({ a: ['a-login'], b: ['b-login'] });
    const messages = await surveyMessagesFor(events[1] as Recorded<SurveyEvent>, state, deps);
    expect(messages.map((m) => m.contactId).sort()).toEqual(['a-csirt', 'b-csirt']);
    for (const m of messages) expect(m.body).not.toContain('self-assessment');
    for (const m of messages) expect(m.body).not.toContain('自己評価');
  });

  it('sends nothing for the survey’s other events', async () => {
    const { events, state } = history('AMBER');
    expect(await surveyMessagesFor(events[0] as Recorded<SurveyEvent>, state, deps)).toEqual([]);
  });
});

describe('TLP:RED narrows a survey to the named logins', () => {
  const named: Actor = { kind: 'user', sub: 'a-login', role: 'member', org: 'a' };
  const colleague: Actor = { kind: 'user', sub: 'a-someone-else', role: 'member', org: 'a' };

  it('shows it to the named login of a recipient and not to a colleague of the same organisation', () => {
    const { state } = history('RED');
    expect(canSeeSurvey(state, named)).toBe(true);
    expect(canSeeSurvey(state, colleague)).toBe(false);
    const amber = history('AMBER').state;
    expect(canSeeSurvey(amber, colleague)).toBe(true);
  });

  it('refuses the colleague’s draft as no such survey (404), and takes the named login’s', () => {
    const { state } = history('RED');
    const save = { type: 'SaveDraft' as const, data: { answers: { policy: 'yes' } } };
    expect(() => decideResponse(save, null, { now: T0, actor: colleague, survey: state })).toThrow(
      NotFoundError,
    );
    expect(decideResponse(save, null, { now: T0, actor: named, survey: state })).toHaveLength(1);
  });

  it('names no logins for a survey issued below RED', () => {
    expect(history('AMBER').state.named).toBeUndefined();
  });
});

describe('recording a survey message on the response stream', () => {
  it('records a delivery once per key, before the organisation has answered, and leaves the response empty', () => {
    const { state } = history('AMBER');
    const record = {
      type: 'RecordSurveyDelivery' as const,
      data: {
        org: 'a',
        key: '2:survey:a-csirt:email',
        purpose: 'survey' as const,
        contactId: 'a-csirt',
        channel: 'email' as const,
        to: 'csirt@a.example',
        outcome: { ok: true as const, messageId: 'm-1' },
      },
    };
    const ctx = { now: T0, actor: SYSTEM, survey: state };
    const [event] = decideResponse(record, null, ctx);
    expect(event).toEqual({
      type: 'SurveyDelivered',
      data: { surveyId: state.id, sector: 'chemical', ...record.data, outcome: undefined, messageId: 'm-1' },
    });
    const after = evolveResponse(null, {
      ...(event as NonNullable<typeof event>),
      version: 1,
      recordedAt: T0,
      actor: SYSTEM,
    });
    expect(after).toMatchObject({
      submitted: null,
      draft: null,
      saves: 0,
      deliveries: [{ ok: true, channel: 'email' }],
    });
    expect(decideResponse(record, after, ctx)).toEqual([]);
    expect(() =>
      decideResponse(record, null, { ...ctx, actor: { kind: 'user', sub: 'x', role: 'member', org: 'a' } }),
    ).toThrow();
  });

  it('records a failed attempt the queue retries once per attempt, and none once the outcome is in', () => {
    const { state } = history('AMBER');
    const ctx = { now: T0, actor: SYSTEM, survey: state };
    const message = {
      org: 'a',
      key: '2:survey:a-csirt:webhook',
      purpose: 'survey' as const,
      contactId: 'a-csirt',
      channel: 'webhook' as const,
    };
    const attempt = (n: number) => ({
      type: 'RecordSurveyDeliveryAttempt' as const,
      data: { ...message, attempt: n, status: 503, error: 'HTTP 503', nextAttemptAt: T0 },
    });
    const fold = (s: ReturnType<typeof evolveResponse>, events: ReturnType<typeof decideResponse>) =>
      events.reduce(
        (acc, e, i) => evolveResponse(acc, { ...e, version: i + 1, recordedAt: T0, actor: SYSTEM }),
        s,
      );
    const first = decideResponse(attempt(1), null, ctx);
    expect(first).toEqual([
      {
        type: 'SurveyDeliveryAttemptFailed',
        data: { surveyId: state.id, sector: 'chemical', ...attempt(1).data },
      },
    ]);
    const once = fold(null, first);
    expect(once?.attempts).toEqual(
      [{ ...attempt(1).data, org: undefined, at: T0 }].map(({ org: _, ...a }) => a),
    );
    // The same attempt again (a redelivered queue message) records nothing; the next one does.
    expect(decideResponse(attempt(1), once, ctx)).toEqual([]);
    const twice = fold(once, decideResponse(attempt(2), once, ctx));
    expect(twice?.attempts?.map((a) => a.attempt)).toEqual([1, 2]);
    // Delivered: an attempt reported late changes nothing.
    const delivered = fold(
      twice,
      decideResponse(
        {
          type: 'RecordSurveyDelivery',
          data: { ...message, to: 'https://a.example/hook', outcome: { ok: true, messageId: 'http-204' } },
        },
        twice,
        ctx,
      ),
    );
    expect(decideResponse(attempt(3), delivered, ctx)).toEqual([]);
    expect(() =>
      decideResponse(attempt(1), null, {
        ...ctx,
        actor: { kind: 'user', sub: 'x', role: 'member', org: 'a' },
      }),
    ).toThrow();
  });
});

describe('the survey workflow’s plan', () => {
  it('waits until remindAt while the survey is open and unreminded, then ends', () => {
    const { state } = history('AMBER');
    const plan = planSurvey(state, T0);
    expect(plan).toMatchObject({ next: 'wait', hop: 'remind', dueAt: state.remindAt });
    expect(plan.timeoutSeconds).toBe((Date.parse(state.remindAt ?? '') - Date.parse(T0)) / 1000);
    // A past reminder time times out at once.
    expect(planSurvey(state, DUE)).toMatchObject({ next: 'wait', timeoutSeconds: 1 });
    const [due] = decideSurvey({ type: 'RecordSurveyReminders', data: { responded: [] } }, state, {
      now: T0,
      actor: SYSTEM,
    });
    const reminded = evolveSurvey(state, {
      ...(due as SurveyEvent),
      version: 3,
      recordedAt: T0,
      actor: SYSTEM,
    });
    expect(planSurvey(reminded, T0)).toMatchObject({ next: 'done' });
    expect(planSurvey(null, T0)).toMatchObject({ next: 'done' });
  });
});
