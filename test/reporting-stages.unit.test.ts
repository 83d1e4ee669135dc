import { describe, expect, it } from 'vitest';
import {
  addMonthsJst,
  nextStage,
  reportingPreset,
  reportingPresets,
  stageAlarms,
  stageById,
  stageClocks,
  stageRefusal,
  stageRequirementSchema,
} from '../events/reporting.ts';
import * as z from '../events/zod.ts';

// Every expected instant below is worked out by hand; JST is UTC+9 all year.

const JAPAN = reportingPresets['japan-ceptoar'];
const NIS2 = reportingPresets.nis2;
const CIRCIA = reportingPresets.circia;

const CUSTOM = {
  id: 'water-sector',
  names: { ja: '水道分野', en: 'Water sector' },
  source: { citation: 'sector rules, section 3', url: 'https://example.org/water-rules' },
  stages: [
    {
      id: 'first',
      names: { ja: '第一報', en: 'First report' },
      clock: { from: 'detectedAt' },
      within: { hours: 12 },
      requiredFields: [],
      remindBeforeHours: [2],
      escalateAfterHours: 1,
      source: { citation: 'section 3(1)', url: 'https://example.org/water-rules#3-1' },
    },
    {
      id: 'final',
      names: { ja: '最終報', en: 'Final report' },
      clock: { from: 'stage', stage: 'first' },
      within: { months: 2 },
      requiredFields: ['rootCause'],
      remindBeforeHours: [24],
      escalateAfterHours: 0,
      source: { citation: 'section 3(2)', url: 'https://example.org/water-rules#3-2' },
    },
  ],
};

describe('calendar months on the JST calendar', () => {
  it('takes one month from 31 January to 28 February at the same JST time (2027, not a leap year)', () => {
    // 31 Jan 2027 10:00 JST → 28 Feb 2027 10:00 JST.
    expect(addMonthsJst('2027-01-31T01:00:00.000Z', 1)).toBe('2027-02-28T01:00:00.000Z');
  });

  it('takes one month from 31 January to 29 February in a leap year (2028)', () => {
    expect(addMonthsJst('2028-01-31T01:00:00.000Z', 1)).toBe('2028-02-29T01:00:00.000Z');
  });

  it('counts the JST date, not the UTC one', () => {
    // 30 Jan 20:00 UTC is 31 Jan 05:00 JST → 28 Feb 05:00 JST = 27 Feb 20:00 UTC (the UTC calendar would say 28 Feb).
    expect(addMonthsJst('2027-01-30T20:00:00.000Z', 1)).toBe('2027-02-27T20:00:00.000Z');
    // 31 Jan 23:00 JST → 28 Feb 23:00 JST.
    expect(addMonthsJst('2027-01-31T14:00:00.000Z', 1)).toBe('2027-02-28T14:00:00.000Z');
  });

  it('crosses a year end and reads an instant written with a +09:00 offset', () => {
    expect(addMonthsJst('2026-12-31T10:00:00+09:00', 1)).toBe('2027-01-31T01:00:00.000Z');
    // 31 Mar → 30 Apr (April has 30 days).
    expect(addMonthsJst('2027-03-31T10:00:00+09:00', 1)).toBe('2027-04-30T01:00:00.000Z');
  });
});

describe('the japan-ceptoar preset (the default)', () => {
  it('is what an empty setting gives', () => {
    expect(reportingPreset('')).toBe(JAPAN);
    expect(reportingPreset(undefined).id).toBe('japan-ceptoar');
  });

  it('runs 第一報 24 h, 続報 72 h and 最終報 30 days from detection; the report itself is the 第一報', () => {
    // Detected 26 Nov 23:30 JST.
    const detectedAt = '2026-11-26T14:30:00.000Z';
    const clocks = stageClocks(
      JAPAN,
      { detectedAt, submitted: { first: '2026-11-26T15:00:00.000Z' }, ransomPaidAt: null },
      '2026-11-28T00:00:00.000Z',
    );
    expect(clocks.map((c) => [c.id, c.names.ja, c.dueAt, c.status, c.onTime])).toEqual([
      ['first', '第一報', '2026-11-27T14:30:00.000Z', 'done', true],
      ['update', '続報', '2026-11-29T14:30:00.000Z', 'due', null],
      ['final', '最終報', '2026-12-26T14:30:00.000Z', 'due', null],
    ]);
    expect(nextStage(clocks)?.id).toBe('update');
  });

  it('marks a stage overdue after its deadline, and a late submission done but not on time', () => {
    const detectedAt = '2026-11-26T14:30:00.000Z';
    const clocks = stageClocks(
      JAPAN,
      { detectedAt, submitted: { first: '2026-11-27T15:00:00.000Z' }, ransomPaidAt: null },
      '2026-11-29T14:30:00.001Z',
    );
    expect(clocks[0]).toMatchObject({ status: 'done', onTime: false });
    expect(clocks[1]).toMatchObject({ status: 'overdue', submittedAt: null });
    expect(nextStage(clocks)?.id).toBe('update');
  });
});

describe('the nis2 preset (Art. 23(4))', () => {
  it('gives the early warning 24 h across a JST date change', () => {
    // Detected 10 Mar 16:30 UTC = 11 Mar 01:30 JST: the early warning is due 12 Mar 01:30 JST.
    const clocks = stageClocks(
      NIS2,
      { detectedAt: '2027-03-10T16:30:00.000Z', submitted: {}, ransomPaidAt: null },
      '2027-03-10T17:00:00.000Z',
    );
    expect(clocks[0]).toMatchObject({
      id: 'early-warning',
      dueAt: '2027-03-11T16:30:00.000Z',
      status: 'due',
    });
    expect(clocks[1]).toMatchObject({ id: 'notification', dueAt: '2027-03-13T16:30:00.000Z', status: 'due' });
    // The final report waits for the incident notification.
    expect(clocks[2]).toMatchObject({ id: 'final', startedAt: null, dueAt: null, status: 'waiting' });
    expect(nextStage(clocks)?.id).toBe('early-warning');
  });

  it('runs the final report one month from the incident notification: 31 January → 28 February', () => {
    const submitted = {
      'early-warning': '2027-01-29T05:00:00.000Z',
      notification: '2027-01-31T01:00:00.000Z',
    };
    const clocks = stageClocks(
      NIS2,
      { detectedAt: '2027-01-29T01:00:00.000Z', submitted, ransomPaidAt: null },
      '2027-02-01T00:00:00.000Z',
    );
    expect(clocks[2]).toMatchObject({
      id: 'final',
      startedAt: '2027-01-31T01:00:00.000Z',
      dueAt: '2027-02-28T01:00:00.000Z',
      status: 'due',
    });
    expect(nextStage(clocks)?.id).toBe('final');
  });

  it('runs the final report to 29 February in a leap year', () => {
    const submitted = {
      'early-warning': '2028-01-29T05:00:00.000Z',
      notification: '2028-01-31T01:00:00.000Z',
    };
    const [, , final] = stageClocks(
      NIS2,
      { detectedAt: '2028-01-29T01:00:00.000Z', submitted, ransomPaidAt: null },
      '2028-02-01T00:00:00.000Z',
    );
    expect(final?.dueAt).toBe('2028-02-29T01:00:00.000Z');
  });

  it('refuses the final report before the incident notification, and any stage twice', () => {
    const final = stageById(NIS2, 'final');
    if (!final) throw new Error('nis2 has a final stage');
    expect(stageRefusal(final, { 'early-warning': 'x' })).toMatch(/submit the stage "notification"/);
    expect(stageRefusal(final, { 'early-warning': 'x', notification: 'y' })).toBeNull();
    expect(stageRefusal(final, { notification: 'y', final: 'z' })).toMatch(/already submitted/);
  });

  it('requires the final report’s fields, each by name', () => {
    const final = stageById(NIS2, 'final');
    if (!final) throw new Error('nis2 has a final stage');
    const result = z.safeParse(stageRequirementSchema(final), {
      impact: 'Two plants stopped',
      mitigation: 'x',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'crossBorderImpact',
      'rootCause',
    ]);
  });
});

describe('the circia preset (6 U.S.C. 681b)', () => {
  const detectedAt = '2027-05-01T00:00:00.000Z';

  it('runs the covered incident report 72 h from detection; the ransom payment report waits for a payment', () => {
    const clocks = stageClocks(CIRCIA, { detectedAt, submitted: {}, ransomPaidAt: null }, detectedAt);
    expect(clocks.map((c) => [c.id, c.dueAt, c.status])).toEqual([
      ['covered-incident', '2027-05-04T00:00:00.000Z', 'due'],
      ['ransom-payment', null, 'waiting'],
    ]);
  });

  it('counts the ransom payment report 24 h from the payment, not from detection', () => {
    const clocks = stageClocks(
      CIRCIA,
      {
        detectedAt,
        submitted: { 'covered-incident': '2027-05-01T06:00:00.000Z' },
        ransomPaidAt: '2027-05-02T09:30:00.000Z',
      },
      '2027-05-02T10:00:00.000Z',
    );
    expect(clocks[1]).toMatchObject({
      id: 'ransom-payment',
      startedAt: '2027-05-02T09:30:00.000Z',
      dueAt: '2027-05-03T09:30:00.000Z',
      status: 'due',
    });
    expect(nextStage(clocks)?.id).toBe('ransom-payment');
  });
});

describe('reminders and escalation', () => {
  it('reminds before the deadline and escalates at it', () => {
    const first = stageById(JAPAN, 'first');
    if (!first) throw new Error('japan-ceptoar has a first stage');
    expect(
      stageAlarms(first, {
        startedAt: '2026-11-26T14:30:00.000Z',
        dueAt: '2026-11-27T14:30:00.000Z',
        submittedAt: null,
      }),
    ).toEqual({
      reminders: ['2026-11-27T08:30:00.000Z', '2026-11-27T13:30:00.000Z'],
      escalateAt: '2026-11-27T14:30:00.000Z',
    });
  });

  it('drops a reminder that would fall before the clock started, and alarms nothing once submitted', () => {
    const ransom = stageById(CIRCIA, 'ransom-payment');
    if (!ransom) throw new Error('circia has a ransom payment stage');
    const running = { startedAt: '2027-05-02T09:30:00.000Z', dueAt: '2027-05-03T09:30:00.000Z' };
    expect(
      stageAlarms({ ...ransom, remindBeforeHours: [48, 4] }, { ...running, submittedAt: null }).reminders,
    ).toEqual(['2027-05-03T05:30:00.000Z']);
    expect(stageAlarms(ransom, { ...running, submittedAt: '2027-05-02T12:00:00.000Z' })).toEqual({
      reminders: [],
      escalateAt: null,
    });
  });
});

describe('a custom preset', () => {
  it('is read from JSON and its clocks run like a built-in one', () => {
    const preset = reportingPreset(JSON.stringify(CUSTOM));
    const clocks = stageClocks(
      preset,
      {
        detectedAt: '2027-08-31T01:00:00.000Z',
        submitted: { first: '2027-08-31T02:00:00.000Z' },
        ransomPaidAt: null,
      },
      '2027-09-01T00:00:00.000Z',
    );
    // The final runs from the first report, 31 Aug 11:00 JST: two months on is 31 Oct 11:00 JST.
    expect(clocks.map((c) => [c.id, c.dueAt, c.status])).toEqual([
      ['first', '2027-08-31T13:00:00.000Z', 'done'],
      ['final', '2027-10-31T02:00:00.000Z', 'due'],
    ]);
  });

  it('refuses a preset that reuses a built-in id, starts from another stage, or repeats a stage', () => {
    const bad = (changes: object) => () => reportingPreset(JSON.stringify({ ...CUSTOM, ...changes }));
    expect(bad({ id: 'nis2' })).toThrow(/built-in/);
    expect(bad({ stages: [CUSTOM.stages[1]] })).toThrow(/first stage/);
    expect(bad({ stages: [CUSTOM.stages[0], CUSTOM.stages[0]] })).toThrow(/unique/);
    expect(bad({ stages: [{ ...CUSTOM.stages[0], within: { months: 0 } }] })).toThrow();
  });

  it('refuses an unknown preset id', () => {
    expect(() => reportingPreset('gdpr')).toThrow(/unknown reporting preset "gdpr"/);
  });

  it('keeps every built-in preset valid under the custom schema (but for its reserved id)', async () => {
    const { reportingPresetSchema } = await import('../events/reporting.ts');
    for (const preset of Object.values(reportingPresets)) {
      const result = z.safeParse(reportingPresetSchema(), { ...preset, id: `custom-${preset.id}` });
      expect(result.success, preset.id).toBe(true);
    }
  });
});
