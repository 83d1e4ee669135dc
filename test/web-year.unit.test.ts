import { describe, expect, it } from 'vitest';
import { createSurveyBody } from '../events/survey/body.ts';
import { answersSchema, definitionSchema } from '../events/survey/definition.ts';
import * as z from '../events/zod.ts';
import { minutesName } from '../web/src/minutes-name.ts';
import { menuCurrent, parseRoute, pathOf, type Route } from '../web/src/routes.ts';
import {
  answerErrorsOf,
  answersBody,
  builderOf,
  emptyBuilder,
  emptyQuestion,
  formAnswersOf,
  optionsOf,
  surveyBody,
} from '../web/src/survey-form.ts';
import { SELF_ASSESSMENT } from './fixtures/survey-definition.ts';

// The pure parts of the survey, activity and report pages: what the answer form sends, the API's
// per-question errors as messages, the builder's body, a minutes file name, and the routes.

const def = z.parse(definitionSchema(), SELF_ASSESSMENT);

describe('the answer form', () => {
  it('sends what is shown and typed, numbers as numbers, and leaves a hidden answer out', () => {
    const form = {
      policy: 'no',
      'policy-year': '2024-04-01',
      staff: ' 3 ',
      'c-access': '2',
      measures: [],
      comment: '',
    };
    // "no" hides the adoption date: it stays in the form but is not sent.
    expect(answersBody(def, form)).toEqual({ policy: 'no', staff: 3, 'c-access': 2 });
    expect(answersBody(def, { ...form, policy: 'yes' })).toEqual({
      policy: 'yes',
      'policy-year': '2024-04-01',
      staff: 3,
      'c-access': 2,
    });
    // What it sends is what the API's own schema keeps.
    const sent = answersBody(def, { ...form, policy: 'yes' });
    expect(z.parse(answersSchema(def, { final: false }), sent)).toEqual(sent);
  });

  it('sends a number that is not one as typed, so the API names the question', () => {
    expect(answersBody(def, { staff: 'three' })).toEqual({ staff: 'three' });
  });

  it('reads saved answers back into the form', () => {
    expect(formAnswersOf({ staff: 3, measures: ['monitoring'], policy: 'yes' })).toEqual({
      staff: '3',
      measures: ['monitoring'],
      policy: 'yes',
    });
  });

  it("words the API's errors per question, the first of each", () => {
    expect(
      answerErrorsOf([
        { path: 'answers.c-access', message: 'must be a maturity level 0 to 4' },
        { path: 'answers.staff', message: 'must be at least 0' },
        { path: 'answers.staff', message: 'must be a whole number' },
        { path: 'answers.policy-year', message: 'this question must be answered' },
        { path: 'answers.comment', message: 'must be at most 500 characters' },
        { path: 'answers.measures', message: 'at most 2 choices' },
        { path: 'answers.x', message: 'no such question in this version' },
        { path: 'answers.odd', message: 'something else' },
        { path: 'dueAt', message: 'ignored: not an answer' },
      ]),
    ).toEqual({
      'c-access': { key: 'survey.error.maturity' },
      staff: { key: 'survey.error.min', params: { min: '0' } },
      'policy-year': { key: 'error.required' },
      comment: { key: 'error.tooLong', params: { max: '500' } },
      measures: { key: 'survey.error.maxChoices', params: { max: '2' } },
      x: { key: 'survey.error.unknownQuestion' },
      odd: { key: 'error.invalid' },
    });
  });
});

describe('the survey builder', () => {
  it('reads options one a line, values in order, English and score optional', () => {
    expect(optionsOf('はい | Yes | 4\n\n いいえ \n')).toEqual([
      { value: 'o1', label: { ja: 'はい', en: 'Yes' }, score: 4 },
      { value: 'o2', label: { ja: 'いいえ', en: 'いいえ' } },
    ]);
  });

  it("builds a body the API's schema takes: kinds, required, a condition on an earlier answer", () => {
    const f = emptyBuilder();
    f.titleJa = '外部サービスへの依存状況調査';
    f.titleEn = 'Dependence on external services';
    const section = f.sections[0];
    if (!section) throw new Error('no section');
    section.titleJa = 'クラウド';
    section.titleEn = 'Cloud';
    section.questions = [
      {
        ...emptyQuestion('q1'),
        labelJa: '利用',
        labelEn: 'Use',
        required: true,
        options: 'はい|Yes|4\nいいえ|No|0',
      },
      { ...emptyQuestion('q2'), kind: 'number', labelJa: '件数', labelEn: 'How many', min: '0', max: '' },
      {
        ...emptyQuestion('q3'),
        kind: 'maturity',
        labelJa: '管理',
        labelEn: 'Management',
        showIfQuestion: 'q1',
        showIfValues: 'o1, 2',
      },
    ];
    const body = surveyBody(f);
    const parsed = createSurveyBody().safeParse(body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const questions = parsed.data?.definition.sections[0]?.questions ?? [];
    expect(questions.map((q) => [q.id, q.kind, q.required])).toEqual([
      ['q1', 'single', true],
      ['q2', 'number', false],
      ['q3', 'maturity', false],
    ]);
    expect(questions[1]).toMatchObject({ min: 0 });
    expect(questions[1]).not.toHaveProperty('max');
    expect(questions[2]?.showIf).toEqual({ question: 'q1', anyOf: ['o1', 2] });
  });

  it('reads a survey back for a revision, and unchanged gives the same definition', () => {
    const withExtras = z.parse(definitionSchema(), {
      ...SELF_ASSESSMENT,
      description: { ja: '年次の自己評価', en: 'The yearly self-assessment' },
    });
    const f = builderOf(withExtras, 'AMBER');
    expect(f.sections[0]?.questions[0]).toMatchObject({
      options: 'はい | Yes | 4\n一部 | Partly | 2\nいいえ | No | 0',
      optionValues: ['yes', 'partly', 'no'],
    });
    expect(f.sections[0]?.questions[1]).toMatchObject({
      showIfQuestion: 'policy',
      showIfValues: 'yes, partly',
    });
    expect(f.sections[0]?.questions[2]).toMatchObject({ min: '0', max: '500' });
    const body = surveyBody(f);
    expect(z.parse(definitionSchema(), body.definition)).toEqual(withExtras);
  });

  it("keeps an option's value by its line, gives a new line a value none uses, and drops what a new kind lacks", () => {
    const f = builderOf(def, 'AMBER');
    const policy = f.sections[0]?.questions[0];
    const staff = f.sections[0]?.questions[2];
    if (!policy || !staff) throw new Error('no question');
    policy.options =
      'はい（全社）| Yes, company-wide | 4\n一部 | Partly | 2\nいいえ | No | 0\n検討中 | Planned | 1';
    staff.kind = 'text';
    const parsed = z.parse(definitionSchema(), surveyBody(f).definition);
    const [single, , text] = parsed.sections[0]?.questions ?? [];
    expect(single?.kind === 'single' && single.options.map((o) => o.value)).toEqual([
      'yes',
      'partly',
      'no',
      'o1',
    ]);
    expect(single?.kind === 'single' && single.options[0]?.label.en).toBe('Yes, company-wide');
    // A number's `integer` has no place on a text question; the text gets the schema's default length.
    expect(text).toMatchObject({ kind: 'text', maxLength: 4000 });
    expect(text).not.toHaveProperty('integer');
  });

  it('leaves an empty builder to the schema, which names the fields', () => {
    const parsed = createSurveyBody().safeParse(surveyBody(emptyBuilder()));
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'definition.title.ja',
        'definition.sections.0.title.ja',
        'definition.sections.0.questions.0.label.ja',
        'definition.sections.0.questions.0.options',
      ]),
    );
  });
});

describe('minutes file names', () => {
  it('keeps letters and digits of any script, spaces and . _ - ( ), and replaces the rest', () => {
    expect(minutesName('WG議事録 (第1回).pdf')).toBe('WG議事録 (第1回).pdf');
    expect(minutesName('a/b\\c:d.txt')).toBe('a_b_c_d.txt');
    expect(minutesName('')).toBe('minutes');
    expect(minutesName(`${'x'.repeat(200)}.pdf`)).toHaveLength(120);
  });
});

describe('the routes of the year', () => {
  it('reads and writes each page, /surveys/new before a survey id', () => {
    const routes: Route[] = [
      { name: 'surveys' },
      { name: 'newSurvey' },
      { name: 'survey', id: '0b0e2d5a-3f3e-4a57-9a5e-0c6a4a1f8e21' },
      { name: 'surveyResults', id: '0b0e2d5a-3f3e-4a57-9a5e-0c6a4a1f8e21' },
      { name: 'editSurvey', id: '0b0e2d5a-3f3e-4a57-9a5e-0c6a4a1f8e21' },
      { name: 'activities' },
      { name: 'annualReport' },
      { name: 'plan', sector: 'chemical', fy: '2026' },
    ];
    for (const route of routes) expect(parseRoute(pathOf(route))).toEqual(route);
    expect(pathOf({ name: 'newSurvey' })).toBe('/app/surveys/new');
    expect(pathOf({ name: 'plan', sector: 'chemical', fy: '2026' })).toBe('/app/reports/chemical/2026/plan');
  });

  it('marks the surveys entry on a survey, its results, the builder and its edit page; the report on the plan', () => {
    const menu: Route['name'][] = ['queue', 'surveys', 'activities', 'annualReport'];
    for (const page of ['survey', 'surveyResults', 'newSurvey', 'editSurvey'] as const)
      expect(menuCurrent(menu, page)('surveys')).toBe('true');
    expect(menuCurrent(menu, 'plan')('annualReport')).toBe('true');
  });
});
