import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../events/errors.ts';
import { answersSchema, definitionSchema, type SurveyDefinition } from '../events/survey/definition.ts';
import { scoreAnswers, spread, suppressCells } from '../events/survey/results.ts';
import {
  decideResponse,
  decideSurvey,
  evolveResponse,
  evolveSurvey,
  type MaybeResponse,
  type MaybeSurvey,
  planSurvey,
  type ResponseEvent,
  type ResponseState,
  type SurveyEvent,
  type SurveyState,
  surveyWaitToEnd,
} from '../events/survey/survey.ts';
import { canSeeSurvey, recipientsView, resultsView } from '../events/survey/views.ts';
import * as z from '../events/zod.ts';
import { loadResponsesIn } from '../functions/aggregates/surveys.ts';
import { advanceSurveyWorkflow } from '../functions/reactions/workflow-reactions.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';
import { FULL_ANSWERS, SELF_ASSESSMENT } from './fixtures/survey-definition.ts';

const T0 = '2026-07-01T00:00:00.000Z';
const DUE = '2026-09-30T00:00:00.000Z';
const AFTER_DUE = '2026-10-02T00:00:00.000Z';
const SECRETARIAT: Actor = { kind: 'user', sub: 'sec-1', role: 'secretariat', org: 'secretariat' };
const GAS_SECRETARIAT: Actor = { kind: 'user', sub: 'gsec', role: 'secretariat', sector: 'gas' };
const MINISTRY: Actor = { kind: 'user', sub: 'meti-1', role: 'ministry', org: 'ministry' };
const SYSTEM: Actor = { kind: 'system', sub: 'system:survey-workflow' };
const member = (org: string): Actor => ({ kind: 'user', sub: `${org}-1`, role: 'member', org });
const ORGS = ['a', 'b', 'c', 'd', 'e'];

const def = (): SurveyDefinition => z.parse(definitionSchema(), SELF_ASSESSMENT);

function foldSurvey(events: SurveyEvent[], start: MaybeSurvey = null, at = T0): MaybeSurvey {
  return events.reduce<MaybeSurvey>(
    (s, e, i) => evolveSurvey(s, { ...e, version: i + 1, recordedAt: at, actor: SECRETARIAT }),
    start,
  );
}
const foldResponse = (state: MaybeResponse, events: ResponseEvent[], at: string) =>
  events.reduce<MaybeResponse>(
    (s, e, i) => evolveResponse(s, { ...e, version: i + 1, recordedAt: at, actor: SYSTEM }),
    state,
  );

function issuedSurvey(k = 3) {
  const created = decideSurvey(
    {
      type: 'CreateSurvey',
      data: {
        surveyId: 's1',
        sectors: ['chemical'],
        owner: { role: 'secretariat', sector: 'chemical' },
        tlp: 'AMBER',
        resultsTlp: 'AMBER',
        k,
        definition: SELF_ASSESSMENT,
      },
    },
    null,
    { now: T0, actor: SECRETARIAT },
  );
  const draft = foldSurvey(created);
  const issued = decideSurvey(
    { type: 'IssueSurvey', data: { dueAt: DUE, roster: { chemical: ORGS } } },
    draft,
    {
      now: T0,
      actor: SECRETARIAT,
    },
  );
  const s = foldSurvey(issued, draft);
  if (!s) throw new Error('no survey');
  return s;
}

describe('the answers schema built from a definition', () => {
  it('accepts a complete set of answers and keeps the values', () => {
    expect(z.parse(answersSchema(def(), { final: true }), FULL_ANSWERS)).toEqual(FULL_ANSWERS);
  });

  it('names each bad answer by its question id', () => {
    const result = z.safeParse(answersSchema(def(), { final: true }), {
      policy: 'maybe',
      'c-access': 5,
      staff: 1.5,
      'policy-year': 'yesterday',
      nosuch: 1,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['c-access', 'c-backup', 'nosuch', 'policy', 'staff']);
  });

  it('requires a conditional question only when it is shown, and drops answers to hidden ones', () => {
    const schema = answersSchema(def(), { final: true });
    const base = { 'c-access': 1, 'c-backup': 1 };
    const shown = z.safeParse(schema, { ...base, policy: 'partly' });
    expect(shown.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['policy-year', 'this question must be answered'],
    ]);
    const hidden = z.parse(schema, { ...base, policy: 'no', 'policy-year': '2020-01-01' });
    expect(hidden).toEqual({ ...base, policy: 'no' });
  });

  it('lets a draft leave required questions out but still checks what it gives', () => {
    const schema = answersSchema(def(), { final: false });
    expect(z.parse(schema, { 'c-access': 2 })).toEqual({ 'c-access': 2 });
    expect(z.safeParse(schema, { 'c-access': 9 }).success).toBe(false);
  });

  it('refuses a definition whose condition names a later question or repeats an id', () => {
    const bad = structuredClone(SELF_ASSESSMENT) as unknown as {
      sections: { questions: { id: string; showIf?: unknown }[] }[];
    };
    (bad.sections[0] as { questions: { id: string; showIf?: unknown }[] }).questions[0] = {
      ...(bad.sections[0]?.questions[0] as { id: string }),
      showIf: { question: 'c-access', anyOf: [1] },
    };
    (bad.sections[1] as { questions: { id: string }[] }).questions[0] = {
      ...(bad.sections[1]?.questions[0] as { id: string }),
      id: 'staff',
    };
    const paths = z.safeParse(definitionSchema(), bad).error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['sections.0.questions.0.showIf.question', 'sections.1.questions.0.id']);
  });
});

describe('scoring', () => {
  it('scores maturity as level ÷ 4 and choices by their option scores, per section and overall', () => {
    expect(scoreAnswers(def(), FULL_ANSWERS)).toEqual({
      sections: { governance: 100, controls: 58.3 },
      overall: 68.8,
    });
  });

  it('leaves a section without a scored answer unscored', () => {
    expect(scoreAnswers(def(), { staff: 3 })).toEqual({
      sections: { governance: null, controls: null },
      overall: null,
    });
  });

  it('gives the median and quartiles by linear interpolation', () => {
    expect(spread([10, 20, 30, 40, 50])).toEqual({ median: 30, q1: 20, q3: 40 });
    expect(spread([1, 2, 3, 4])).toEqual({ median: 2.5, q1: 1.8, q3: 3.3 });
  });
});

describe('k-anonymity', () => {
  const cell = (value: string, count: number) => ({ value, label: { ja: value, en: value }, count });

  it('withholds cells of 1 to k−1 and a second cell when only one would be withheld', () => {
    const { cells, suppressed } = suppressCells(
      [cell('yes', 5), cell('partly', 1), cell('no', 4), cell('na', 0)],
      3,
    );
    expect(suppressed).toBe(true);
    expect(cells.map((c) => c.count)).toEqual([5, null, null, 0]);
  });

  it('leaves a question alone when every cell reaches k', () => {
    expect(suppressCells([cell('yes', 3), cell('no', 0)], 3)).toEqual({
      cells: [cell('yes', 3), cell('no', 0)],
      suppressed: false,
    });
  });
});

describe('the survey and response deciders', () => {
  it('lets only the owner revise, and a revision is a new version', () => {
    const s = issuedSurvey();
    expect(() =>
      decideSurvey({ type: 'ReviseSurvey', data: { definition: SELF_ASSESSMENT } }, s, {
        now: T0,
        actor: GAS_SECRETARIAT,
      }),
    ).toThrow(ForbiddenError);
    const changed = { ...SELF_ASSESSMENT, title: { ja: '改訂版', en: 'Revised' } };
    expect(
      decideSurvey({ type: 'ReviseSurvey', data: { definition: changed } }, s, {
        now: T0,
        actor: SECRETARIAT,
      }),
    ).toMatchObject([{ type: 'SurveyRevised', data: { surveyVersion: 2 } }]);
  });

  it('refuses a due date in the past, naming the field', () => {
    const draft = foldSurvey(
      decideSurvey(
        {
          type: 'CreateSurvey',
          data: {
            surveyId: 's2',
            sectors: ['chemical'],
            owner: { role: 'secretariat', sector: 'chemical' },
            tlp: 'GREEN',
            resultsTlp: 'GREEN',
            k: 3,
            definition: SELF_ASSESSMENT,
          },
        },
        null,
        { now: T0, actor: SECRETARIAT },
      ),
    );
    try {
      decideSurvey(
        { type: 'IssueSurvey', data: { dueAt: '2026-01-01T00:00:00Z', roster: { chemical: ORGS } } },
        draft,
        {
          now: T0,
          actor: SECRETARIAT,
        },
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields.map((f) => f.path)).toContain('dueAt');
    }
  });

  it('saves drafts, submits, amends, records a late first submission, and refuses after close', () => {
    const survey = issuedSurvey();
    const ctx = (now: string, org = 'a') => ({ now, actor: member(org), survey });
    let r = foldResponse(
      null,
      decideResponse({ type: 'SaveDraft', data: { answers: { policy: 'yes' } } }, null, ctx(T0)),
      T0,
    );
    r = foldResponse(
      r,
      decideResponse({ type: 'SaveDraft', data: { answers: FULL_ANSWERS } }, r, ctx(T0)),
      T0,
    );
    expect(r?.saves).toBe(2);
    const submitted = decideResponse({ type: 'SubmitResponse', data: {} }, r, ctx(T0));
    expect(submitted).toMatchObject([{ type: 'ResponseSubmitted', data: { late: false, surveyVersion: 1 } }]);
    r = foldResponse(r, submitted, T0);
    expect(decideResponse({ type: 'SubmitResponse', data: {} }, r, ctx(AFTER_DUE))).toMatchObject([
      { type: 'ResponseAmended', data: { late: true } },
    ]);
    expect(
      decideResponse({ type: 'SubmitResponse', data: { answers: FULL_ANSWERS } }, null, ctx(AFTER_DUE, 'b')),
    ).toMatchObject([{ type: 'ResponseSubmitted', data: { late: true, org: 'b' } }]);
    expect(() =>
      decideResponse({ type: 'SaveDraft', data: { answers: {} } }, null, ctx(T0, 'outsider')),
    ).toThrow(NotFoundError);
    const closed = foldSurvey(
      decideSurvey({ type: 'CloseSurvey', data: {} }, survey, { now: T0, actor: SECRETARIAT }),
      survey,
    );
    if (!closed) throw new Error('no survey');
    expect(() =>
      decideResponse({ type: 'SaveDraft', data: { answers: {} } }, r, {
        now: T0,
        actor: member('a'),
        survey: closed,
      }),
    ).toThrow(IllegalStateError);
  });

  it('reminds only the organisations that have not submitted, once', () => {
    const survey = issuedSurvey();
    const events = decideSurvey({ type: 'RecordSurveyReminders', data: { responded: ['a', 'c'] } }, survey, {
      now: T0,
      actor: SYSTEM,
    });
    expect(events).toEqual([{ type: 'SurveyRemindersDue', data: { orgs: ['b', 'd', 'e'] } }]);
    const after = foldSurvey(events, survey);
    expect(
      decideSurvey({ type: 'RecordSurveyReminders', data: { responded: [] } }, after, {
        now: T0,
        actor: SYSTEM,
      }),
    ).toEqual([]);
  });

  it('records the workflow’s wait once per token, and names its token to answer once the survey is closed', async () => {
    const survey = issuedSurvey();
    const wait = { wait: 'remind' as const, attempt: 0, dueAt: '2026-08-15T00:00:00.000Z', taskToken: 't-1' };
    const start = { type: 'StartSurveyWait' as const, data: wait };
    expect(() => decideSurvey(start, survey, { now: T0, actor: SECRETARIAT })).toThrow(ForbiddenError);
    const recorded = decideSurvey(start, survey, { now: T0, actor: SYSTEM });
    expect(recorded).toEqual([{ type: 'SurveyWaitStarted', data: wait }]);
    const waiting = foldSurvey(recorded, survey) as NonNullable<MaybeSurvey>;
    // A retried step carries the same token: nothing twice. An open survey's wait is left to its timer.
    expect(decideSurvey(start, waiting, { now: T0, actor: SYSTEM })).toEqual([]);
    expect(surveyWaitToEnd(waiting)).toBeNull();
    const closedEvents = decideSurvey({ type: 'CloseSurvey', data: {} }, waiting, {
      now: T0,
      actor: SECRETARIAT,
    });
    const closed = foldSurvey(closedEvents, waiting) as NonNullable<MaybeSurvey>;
    expect(surveyWaitToEnd(closed)).toBe('t-1');
    expect(planSurvey(closed, T0)).toMatchObject({ next: 'done' });
    // A wait the step recorded after the close (it raced it) is kept, so the reactor answers it too.
    const raced = decideSurvey({ ...start, data: { ...wait, taskToken: 't-2' } }, closed, {
      now: T0,
      actor: SYSTEM,
    });
    expect(surveyWaitToEnd(foldSurvey(raced, closed) as NonNullable<MaybeSurvey>)).toBe('t-2');
    // A survey stream written before waits were recorded folds as before, with no token to answer.
    const old = foldSurvey(closedEvents, survey) as NonNullable<MaybeSurvey>;
    expect(old.wait).toBeUndefined();
    expect(surveyWaitToEnd(old)).toBeNull();

    // The stream reactor: the close answers the token; the issue starts the workflow.
    const calls: string[] = [];
    const workflow: RelayWorkflow = {
      start: async (name) => {
        calls.push(`start ${name}`);
        return 'started';
      },
      resume: async (token) => {
        calls.push(`resume ${token}`);
        return 'gone';
      },
    };
    const rec = (e: SurveyEvent) => ({ ...e, version: 5, recordedAt: T0, actor: SECRETARIAT });
    await advanceSurveyWorkflow(
      rec({ type: 'SurveyIssued', data: { dueAt: DUE, remindAt: DUE, recipients: {} } }),
      survey,
      workflow,
    );
    await advanceSurveyWorkflow(rec({ type: 'SurveyWaitStarted', data: wait }), waiting, workflow);
    await advanceSurveyWorkflow(rec({ type: 'SurveyClosed', data: {} }), closed, workflow);
    await advanceSurveyWorkflow(rec({ type: 'SurveyClosed', data: {} }), old, workflow);
    expect(calls).toEqual(['start s1', 'resume t-1']);
  });
});

describe('the results views', () => {
  const survey = issuedSurvey(3);
  const answersOf: Record<string, Record<string, unknown>> = {
    a: FULL_ANSWERS,
    b: { ...FULL_ANSWERS, 'c-access': 4, comment: 'a.example.co.jp の担当者が退職' },
    c: { ...FULL_ANSWERS, policy: 'no', 'c-access': 1 },
    d: { ...FULL_ANSWERS, 'c-backup': 4 },
  };
  const responses = Object.entries(answersOf).map(([org, answers]) => {
    const ev = decideResponse({ type: 'SubmitResponse', data: { answers } }, null, {
      now: T0,
      actor: member(org),
      survey,
    });
    const r = foldResponse(null, ev, T0);
    if (!r) throw new Error('no response');
    return r;
  });

  it('shows the secretariat every cell, every free text and each member’s scores', () => {
    const view = resultsView(survey, responses, SECRETARIAT);
    const policy = view.sectors[0]?.questions.find((q) => q.id === 'policy');
    expect(policy?.cells?.map((c) => c.count)).toEqual([3, 0, 1]);
    expect(view.sectors[0]?.questions.find((q) => q.id === 'comment')?.texts).toHaveLength(4);
    expect('members' in view && view.members.map((m) => m.org)).toEqual(['a', 'b', 'c', 'd']);
    expect(view.sectors[0]).toMatchObject({ invited: 5, responded: 4, responseRate: 0.8 });
  });

  it('withholds small cells and free text from the ministry, and a member sees its own scores against the sector', () => {
    const view = resultsView(survey, responses, MINISTRY);
    const policy = view.sectors[0]?.questions.find((q) => q.id === 'policy');
    expect(policy?.cells?.map((c) => c.count)).toEqual([null, 0, null]);
    expect(policy?.suppressed).toBe(true);
    expect(view.sectors[0]?.questions.find((q) => q.id === 'comment')?.texts).toBeUndefined();
    expect('members' in view).toBe(false);
    const mine = resultsView(survey, responses, member('a'));
    expect('own' in mine && mine.own?.scores.overall).toBe(68.8);
    expect(mine.sectors[0]?.score.overall).toBeDefined();
  });

  it('hides a survey from another sector and a draft from everyone but its owner', () => {
    expect(canSeeSurvey(survey, GAS_SECRETARIAT)).toBe(false);
    expect(canSeeSurvey(survey, member('a'))).toBe(true);
    expect(canSeeSurvey(survey, member('zz'))).toBe(false);
  });
});

describe("the secretariat's recipients view", () => {
  const survey = issuedSurvey();
  const base = { surveyId: 's1', sector: 'chemical' as const };
  const message = (
    org: string,
    contactId: string,
    channel: 'email' | 'sms',
    purpose = 'survey' as const,
  ) => ({
    ...base,
    org,
    key: `2:${purpose}:${contactId}:${channel}`,
    purpose,
    contactId,
    channel,
    to: channel === 'email' ? `${contactId}@example.jp` : '+819000000000',
  });
  // a: reached by e-mail after one failed attempt, then answered; b: the e-mail bounced for good;
  // c: being retried; d, e: nothing recorded yet.
  const a = foldResponse(
    null,
    [
      {
        type: 'SurveyDeliveryAttemptFailed',
        data: { ...message('a', 'a-csirt', 'email'), attempt: 1, error: 'Throttling', nextAttemptAt: T0 },
      },
      { type: 'SurveyDelivered', data: { ...message('a', 'a-csirt', 'email'), messageId: 'm1' } },
      ...decideResponse({ type: 'SubmitResponse', data: { answers: FULL_ANSWERS } }, null, {
        now: T0,
        actor: member('a'),
        survey,
      }),
    ],
    T0,
  );
  const b = foldResponse(
    null,
    [
      {
        type: 'SurveyDeliveryFailed',
        data: { ...message('b', 'b-csirt', 'email'), reason: 'MessageRejected' },
      },
    ],
    T0,
  );
  const c = foldResponse(
    null,
    [
      {
        type: 'SurveyDeliveryAttemptFailed',
        data: {
          ...message('c', 'c-csirt', 'sms'),
          attempt: 2,
          status: 503,
          error: 'HTTP 503',
          nextAttemptAt: DUE,
        },
      },
    ],
    T0,
  );
  const responses = [a, b, c].filter((r): r is NonNullable<typeof r> => r !== null);

  it('names every organisation asked: reached, failed or pending, and where its answer stands', () => {
    const view = recipientsView(survey, responses, 'chemical');
    expect(view).toMatchObject({ invited: 5, reached: 1, failed: 1, pending: 3, responded: 1 });
    expect(view.items.map((i) => [i.org, i.reach, i.response])).toEqual([
      ['a', 'reached', 'submitted'],
      ['b', 'failed', 'none'],
      ['c', 'pending', 'none'],
      ['d', 'pending', 'none'],
      ['e', 'pending', 'none'],
    ]);
    const [rowA, , rowC] = view.items;
    expect(rowA?.attempts).toEqual([
      expect.objectContaining({
        key: '2:survey:a-csirt:email',
        attempt: 1,
        error: 'Throttling',
        contactId: 'a-csirt',
      }),
    ]);
    expect(rowA?.deliveries).toEqual([
      expect.objectContaining({ purpose: 'survey', channel: 'email', to: 'a-csirt@example.jp', ok: true }),
    ]);
    expect(rowC?.attempts[0]).toMatchObject({ status: 503, error: 'HTTP 503', nextAttemptAt: DUE });
  });

  it("is empty for a sector the survey was not issued to, and leaves another sector's responses out", () => {
    expect(recipientsView(survey, responses, 'gas')).toMatchObject({ invited: 0, items: [] });
    const elsewhere = responses.map((r) => ({ ...r, sector: 'gas' as const }));
    expect(recipientsView(survey, elsewhere, 'chemical')).toMatchObject({
      invited: 5,
      reached: 0,
      pending: 5,
    });
  });
});

describe("the response heads a reader's results need", () => {
  // Two sectors' recipients; each head's state names its organisation and sector.
  const survey = {
    ...issuedSurvey(),
    sectors: ['chemical', 'gas'] as const,
    recipients: { chemical: ORGS, gas: ['g2', 'g1'] },
  } as SurveyState;
  const head = (org: string, sector: string) => ({
    streamId: `survey-response#s1#${org}`,
    version: 1,
    state: { surveyId: 's1', org, sector } as unknown as ResponseState,
  });
  function fakeStore() {
    const calls: { listed: string[]; byId: string[][] } = { listed: [], byId: [] };
    return {
      calls,
      async listHeads(query: { key: string }) {
        calls.listed.push(query.key);
        return { items: [head('a', 'chemical'), head('g1', 'gas')], cursor: null };
      },
      async loadHeads(ids: readonly string[]) {
        calls.byId.push([...ids]);
        // Out of order, as parallel batches answer; one recipient has not answered (no head).
        const found = ids.filter((id) => !id.endsWith('#c')).reverse();
        return new Map(found.map((id) => [id, head(id.split('#')[2] ?? '', 'x')]));
      },
    };
  }

  it("reads only a sector's recipients by stream id when the reader sees fewer sectors than the survey", async () => {
    const store = fakeStore();
    const got = await loadResponsesIn(store as never, survey, ['gas']);
    expect(store.calls).toEqual({ listed: [], byId: [['survey-response#s1#g2', 'survey-response#s1#g1']] });
    expect(got.map((r) => r.org)).toEqual(['g1', 'g2']);
    const chemical = await loadResponsesIn(store as never, survey, ['chemical']);
    expect(chemical.map((r) => r.org)).toEqual(['a', 'b', 'd', 'e']);
  });

  it('lists every response head in one Query when the reader sees all of its sectors', async () => {
    const store = fakeStore();
    const got = await loadResponsesIn(store as never, survey, ['chemical', 'gas', 'water']);
    expect(store.calls).toEqual({ listed: ['survey-responses#s1'], byId: [] });
    expect(got.map((r) => r.org)).toEqual(['a', 'g1']);
  });
});
