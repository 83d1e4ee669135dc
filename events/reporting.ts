import { text } from './fields.ts';
import * as z from './zod.ts';

/*
 * Reporting stages on legal clocks: an incident is reported in stages (第一報 / 続報 / 最終報;
 * NIS2's early warning, incident notification and final report; CIRCIA's covered incident and
 * ransom payment reports), each with its own deadline. A preset is one sector's set of stages; it
 * sits here, beside the relay policy (policy.ts), and is pure: no clock, no environment. The hop
 * relay (secretariat → ministry → NISC) is unchanged and runs on every report whatever its stage.
 */

/**
 * Fields a follow-up may carry beyond its description and recovery status; a stage names the ones
 * it requires. The first stage is always the incident report itself (POST /incidents), whose own
 * schema already requires what a first report holds, so a first stage requires none of these.
 */
export const stageFields = [
  'impact',
  'indicators',
  'rootCause',
  'mitigation',
  'crossBorderImpact',
  'ransomPayment',
] as const;
export type StageField = (typeof stageFields)[number];

const isoInstant = () =>
  z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });

/** The schema of each stage field, as a follow-up carries it (built on use: see policy.ts on cold starts). */
export const stageFieldSchemas = () => ({
  /** The assessment of the incident's severity and impact (NIS2 Art. 23(4)(b), (d)(i)). */
  impact: text(20_000),
  /** Indicators of compromise, where available (NIS2 Art. 23(4)(b)). */
  indicators: text(20_000),
  /** The type of threat or root cause that likely triggered the incident (NIS2 Art. 23(4)(d)(ii)). */
  rootCause: text(20_000),
  /** Mitigation measures applied and ongoing (NIS2 Art. 23(4)(d)(iii)). */
  mitigation: text(20_000),
  /** Cross-border impact, where there is one (NIS2 Art. 23(4)(a), (d)(iv)). */
  crossBorderImpact: text(5_000),
  /** A ransom payment made (CIRCIA, 6 U.S.C. 681b(a)(2)): when, how much, in what. */
  ransomPayment: z.strictObject({
    paidAt: isoInstant(),
    amount: z.number().check(z.positive()),
    currency: text(20),
    note: z.optional(text(5_000)),
  }),
});

/** The stage fields a follow-up carries, as parsed. */
export type StageDetails = {
  [K in StageField]?: z.output<ReturnType<typeof stageFieldSchemas>[K]>;
};

/** What starts a stage's clock. */
export type StageClockStart =
  /** The moment the member became aware: the report's `detectedAt`. */
  | { readonly from: 'detectedAt' }
  /** The submission of an earlier stage (NIS2: the final report runs from the incident notification). */
  | { readonly from: 'stage'; readonly stage: string }
  /** The ransom payment's time, as the member states it (CIRCIA). */
  | { readonly from: 'ransomPaidAt' };

/** How long a stage's clock runs: hours, or calendar months on the JST calendar (see addMonthsJst). */
export type StageWindow = { readonly hours: number } | { readonly months: number };

/** Where a rule comes from: the article and a URL to its text. */
export interface LegalSource {
  readonly citation: string;
  readonly url: string;
}

/** One stage of a preset. */
export interface StageDefinition {
  readonly id: string;
  readonly names: { readonly ja: string; readonly en: string };
  readonly clock: StageClockStart;
  readonly within: StageWindow;
  readonly requiredFields: readonly StageField[];
  /** Hours before the deadline at which the member is reminded. */
  readonly remindBeforeHours: readonly number[];
  /** Hours after the deadline at which a missing report escalates to the secretariat. */
  readonly escalateAfterHours: number;
  readonly source: LegalSource;
}

/** A sector's reporting stages, first to last (the first is the incident report itself). */
export interface ReportingPreset {
  readonly id: string;
  readonly names: { readonly ja: string; readonly en: string };
  readonly source: LegalSource;
  readonly stages: readonly StageDefinition[];
}

const NIS2: LegalSource = {
  citation: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)',
  url: 'https://eur-lex.europa.eu/eli/dir/2022/2555/oj',
};
const CIRCIA: LegalSource = {
  citation: 'CIRCIA, 6 U.S.C. 681b(a)',
  url: 'https://www.law.cornell.edu/uscode/text/6/681b',
};
const NISC_PLAN: LegalSource = {
  citation: 'NISC, 重要インフラのサイバーセキュリティに係る行動計画 (情報共有体制; no statutory hours)',
  url: 'https://www.nisc.go.jp/policy/group/infra/index.html',
};

/** The built-in presets. `japan-ceptoar` is the default. */
export const reportingPresets = {
  /*
   * Japanese practice has no single statute with hours for a CEPTOAR member's report: the NISC action
   * plan asks for reports "速やかに". The defaults follow the seed's own KPI (information passed on
   * within one day: 第一報 within 24 h), a 続報 within 72 h, and a 最終報 within 30 days as the
   * 確報 of the Act on the Protection of Personal Information's rules (個人情報保護法施行規則 第8条) and
   * the 詳報 of the electricity reporting rules set it. A sector that differs supplies a custom preset.
   */
  'japan-ceptoar': {
    id: 'japan-ceptoar',
    names: { ja: '重要インフラ分野 (第一報・続報・最終報)', en: 'Japanese CEPTOAR practice' },
    source: NISC_PLAN,
    stages: [
      {
        id: 'first',
        names: { ja: '第一報', en: 'First report' },
        clock: { from: 'detectedAt' },
        within: { hours: 24 },
        requiredFields: [],
        remindBeforeHours: [6, 1],
        escalateAfterHours: 0,
        source: NISC_PLAN,
      },
      {
        id: 'update',
        names: { ja: '続報', en: 'Follow-up report' },
        clock: { from: 'detectedAt' },
        within: { hours: 72 },
        requiredFields: ['impact'],
        remindBeforeHours: [24, 4],
        escalateAfterHours: 0,
        source: NISC_PLAN,
      },
      {
        id: 'final',
        names: { ja: '最終報', en: 'Final report' },
        clock: { from: 'detectedAt' },
        within: { hours: 30 * 24 },
        requiredFields: ['impact', 'rootCause', 'mitigation'],
        remindBeforeHours: [7 * 24, 24],
        escalateAfterHours: 0,
        source: {
          citation: '個人情報の保護に関する法律施行規則 第8条第1項 (確報: 30 日以内), as practice',
          url: 'https://laws.e-gov.go.jp/law/428M60020000003',
        },
      },
    ],
  },
  nis2: {
    id: 'nis2',
    names: { ja: 'NIS2 指令 第23条', en: 'NIS2 Directive, Art. 23' },
    source: NIS2,
    stages: [
      {
        id: 'early-warning',
        names: { ja: '早期警告', en: 'Early warning' },
        clock: { from: 'detectedAt' },
        within: { hours: 24 },
        requiredFields: [],
        remindBeforeHours: [6, 1],
        escalateAfterHours: 0,
        source: {
          ...NIS2,
          citation: 'Directive (EU) 2022/2555, Art. 23(4)(a): within 24 hours of becoming aware',
        },
      },
      {
        id: 'notification',
        names: { ja: 'インシデント通知', en: 'Incident notification' },
        clock: { from: 'detectedAt' },
        within: { hours: 72 },
        requiredFields: ['impact'],
        remindBeforeHours: [24, 4],
        escalateAfterHours: 0,
        source: {
          ...NIS2,
          citation: 'Directive (EU) 2022/2555, Art. 23(4)(b): within 72 hours of becoming aware',
        },
      },
      {
        id: 'final',
        names: { ja: '最終報告', en: 'Final report' },
        clock: { from: 'stage', stage: 'notification' },
        within: { months: 1 },
        requiredFields: ['impact', 'rootCause', 'mitigation', 'crossBorderImpact'],
        remindBeforeHours: [7 * 24, 24],
        escalateAfterHours: 0,
        source: {
          ...NIS2,
          citation:
            'Directive (EU) 2022/2555, Art. 23(4)(d): not later than one month after the submission of the incident notification',
        },
      },
    ],
  },
  circia: {
    id: 'circia',
    names: { ja: 'CIRCIA (米国)', en: 'CIRCIA (United States)' },
    source: CIRCIA,
    stages: [
      {
        id: 'covered-incident',
        names: { ja: '対象インシデント報告', en: 'Covered cyber incident report' },
        clock: { from: 'detectedAt' },
        within: { hours: 72 },
        requiredFields: [],
        remindBeforeHours: [24, 4],
        escalateAfterHours: 0,
        source: {
          ...CIRCIA,
          citation:
            '6 U.S.C. 681b(a)(1)(A): not later than 72 hours after the entity reasonably believes the incident occurred',
        },
      },
      {
        id: 'ransom-payment',
        names: { ja: '身代金支払報告', en: 'Ransom payment report' },
        clock: { from: 'ransomPaidAt' },
        within: { hours: 24 },
        requiredFields: ['ransomPayment'],
        remindBeforeHours: [4],
        escalateAfterHours: 0,
        source: {
          ...CIRCIA,
          citation: '6 U.S.C. 681b(a)(2)(A): not later than 24 hours after the ransom payment has been made',
        },
      },
    ],
  },
} as const satisfies Record<string, ReportingPreset>;

export type BuiltInPresetId = keyof typeof reportingPresets;
export const builtInPresetIds = Object.keys(reportingPresets) as BuiltInPresetId[];
export const DEFAULT_PRESET_ID: BuiltInPresetId = 'japan-ceptoar';
export const defaultReportingPreset: ReportingPreset = reportingPresets[DEFAULT_PRESET_ID];

/** A preset's or a stage's id. */
export const reportingId = () =>
  z.string().check(z.regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a lowercase id (a-z, 0-9, -) such as final'));
const slug = reportingId;
const names = () => z.strictObject({ ja: text(100), en: text(100) });
const source = () => z.strictObject({ citation: text(500), url: z.url() });

/** A custom preset (CEPTOAR_REPORTING_PRESET as JSON): checked whole, stage by stage. */
export const reportingPresetSchema = () =>
  z
    .strictObject({
      id: slug(),
      names: names(),
      source: source(),
      stages: z
        .array(
          z.strictObject({
            id: slug(),
            names: names(),
            clock: z.union([
              z.strictObject({ from: z.literal('detectedAt') }),
              z.strictObject({ from: z.literal('stage'), stage: slug() }),
              z.strictObject({ from: z.literal('ransomPaidAt') }),
            ]),
            within: z.union([
              z.strictObject({ hours: z.number().check(z.positive(), z.lte(24 * 366)) }),
              z.strictObject({ months: z.int().check(z.gte(1), z.lte(12)) }),
            ]),
            requiredFields: z.array(z.enum(stageFields)),
            remindBeforeHours: z.array(z.number().check(z.positive())),
            escalateAfterHours: z.number().check(z.gte(0)),
            source: source(),
          }),
        )
        .check(z.minLength(1), z.maxLength(10)),
    })
    .check(
      z.refine((p) => !builtInPresetIds.includes(p.id as BuiltInPresetId), {
        path: ['id'],
        message: 'must not reuse a built-in preset id',
      }),
      z.refine((p) => new Set(p.stages.map((s) => s.id)).size === p.stages.length, {
        path: ['stages'],
        message: 'stage ids must be unique',
      }),
      z.refine((p) => p.stages[0]?.clock.from === 'detectedAt' && p.stages[0].requiredFields.length === 0, {
        path: ['stages', 0],
        message:
          'the first stage is the incident report: its clock runs from detectedAt and it requires no follow-up fields',
      }),
      z.refine(
        (p) =>
          p.stages.every((s, i) => {
            const { clock } = s;
            return (
              clock.from !== 'stage' || p.stages.slice(0, i).some((earlier) => earlier.id === clock.stage)
            );
          }),
        { path: ['stages'], message: 'a stage may only run from an earlier stage' },
      ),
    );

/**
 * The preset an incident runs under, from what its report recorded: a built-in by id, a custom one
 * whole. A built-in id this code no longer knows reads as the default.
 */
export function presetOf(recorded: {
  readonly preset: string;
  readonly customPreset: ReportingPreset | null;
}) {
  if (recorded.customPreset !== null) return recorded.customPreset;
  return recorded.preset in reportingPresets
    ? reportingPresets[recorded.preset as BuiltInPresetId]
    : defaultReportingPreset;
}

/** What an incident report records of its preset: a built-in's id, or a custom preset whole. */
export interface RecordedPreset {
  readonly preset: string;
  readonly custom?: ReportingPreset;
}

export const recordedPreset = (preset: ReportingPreset): RecordedPreset =>
  preset.id in reportingPresets && reportingPresets[preset.id as BuiltInPresetId] === preset
    ? { preset: preset.id }
    : { preset: preset.id, custom: preset };

/**
 * The preset from configuration: empty for the default, a built-in id, or a custom preset as JSON.
 * Throws on anything else (a deployment with a broken preset must not start).
 */
export function reportingPreset(value?: string): ReportingPreset {
  const v = value?.trim() ?? '';
  if (v === '') return defaultReportingPreset;
  if (v in reportingPresets) return reportingPresets[v as BuiltInPresetId];
  if (!v.startsWith('{'))
    throw new Error(`unknown reporting preset "${v}" (built in: ${builtInPresetIds.join(', ')})`);
  return reportingPresetSchema().parse(JSON.parse(v));
}

// ---- Clocks ----

const HOUR_MS = 3_600_000;
/** Japan Standard Time, UTC+9 all year (no daylight saving). */
const JST_OFFSET_MS = 9 * HOUR_MS;

/**
 * Adds calendar months on the JST calendar, keeping the JST time of day. A day that the target month
 * lacks becomes its last day: one month from 31 January 10:00 JST is 28 February 10:00 JST (29 February
 * in a leap year). The JST date counts, not the UTC one: 30 January 20:00 UTC is 31 January 05:00 JST,
 * so a month later is 28 February 05:00 JST (27 February 20:00 UTC).
 */
export function addMonthsJst(iso: string, months: number): string {
  const jst = new Date(Date.parse(iso) + JST_OFFSET_MS);
  const year = jst.getUTCFullYear();
  const month = jst.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const shifted = Date.UTC(
    year,
    month,
    Math.min(jst.getUTCDate(), lastDay),
    jst.getUTCHours(),
    jst.getUTCMinutes(),
    jst.getUTCSeconds(),
    jst.getUTCMilliseconds(),
  );
  return new Date(shifted - JST_OFFSET_MS).toISOString();
}

/** The deadline of a window that starts at `start`. */
export function deadline(start: string, within: StageWindow): string {
  return 'hours' in within
    ? new Date(Date.parse(start) + within.hours * HOUR_MS).toISOString()
    : addMonthsJst(start, within.months);
}

/** What the clocks of an incident's stages read from. */
export interface StageFacts {
  readonly detectedAt: string;
  /** When each submitted stage was submitted, by stage id. */
  readonly submitted: Readonly<Record<string, string>>;
  readonly ransomPaidAt: string | null;
}

/** When a stage's clock started, or null while what starts it has not happened. */
export function clockStart(stage: StageDefinition, facts: StageFacts): string | null {
  const { clock } = stage;
  switch (clock.from) {
    case 'detectedAt':
      return facts.detectedAt;
    case 'stage':
      return facts.submitted[clock.stage] ?? null;
    case 'ransomPaidAt':
      return facts.ransomPaidAt;
    default: {
      const _never: never = clock;
      return _never;
    }
  }
}

/**
 * A stage as a reader sees it. `waiting`: its clock has not started (the stage it runs from was not
 * submitted, or no ransom was paid); `due`: running; `overdue`: past its deadline and not submitted;
 * `done`: submitted (late when `submittedAt` is after `dueAt`).
 */
export type StageStatus = 'done' | 'due' | 'overdue' | 'waiting';

export interface StageClock {
  readonly id: string;
  readonly names: { readonly ja: string; readonly en: string };
  readonly startedAt: string | null;
  readonly dueAt: string | null;
  readonly submittedAt: string | null;
  readonly status: StageStatus;
  /** Submitted by its deadline; null while not submitted or without a deadline. */
  readonly onTime: boolean | null;
}

/** Every stage's clock at `now`, in the preset's order. */
export function stageClocks(preset: ReportingPreset, facts: StageFacts, now: string): StageClock[] {
  return preset.stages.map((stage) => {
    const start = clockStart(stage, facts);
    // Written as the API writes instants (a report may state detectedAt with +09:00), so they compare as strings.
    const startedAt = start === null ? null : new Date(Date.parse(start)).toISOString();
    const dueAt = startedAt === null ? null : deadline(startedAt, stage.within);
    const submittedAt = facts.submitted[stage.id] ?? null;
    const status: StageStatus =
      submittedAt !== null
        ? 'done'
        : dueAt === null
          ? 'waiting'
          : Date.parse(now) > Date.parse(dueAt)
            ? 'overdue'
            : 'due';
    const onTime =
      submittedAt === null || dueAt === null ? null : Date.parse(submittedAt) <= Date.parse(dueAt);
    return { id: stage.id, names: stage.names, startedAt, dueAt, submittedAt, status, onTime };
  });
}

/** The stage to report next: of the unsubmitted stages whose clocks run, the one due first (ties: preset order). */
export function nextStage(clocks: readonly StageClock[]): StageClock | null {
  let next: StageClock | null = null;
  for (const clock of clocks) {
    if (clock.status !== 'due' && clock.status !== 'overdue') continue;
    if (next === null || Date.parse(clock.dueAt ?? '') < Date.parse(next.dueAt ?? '')) next = clock;
  }
  return next;
}

/** When to remind the member of a stage, and when to escalate it: only for a running, unsubmitted stage. */
export function stageAlarms(
  stage: StageDefinition,
  clock: Pick<StageClock, 'startedAt' | 'dueAt' | 'submittedAt'>,
): { reminders: string[]; escalateAt: string | null } {
  if (clock.submittedAt !== null || clock.dueAt === null || clock.startedAt === null)
    return { reminders: [], escalateAt: null };
  const due = Date.parse(clock.dueAt);
  const start = Date.parse(clock.startedAt);
  const reminders = [...new Set(stage.remindBeforeHours)]
    .map((h) => due - h * HOUR_MS)
    // A reminder before the clock started would remind of a report nobody could have made yet.
    .filter((t) => t > start)
    .sort((a, b) => a - b)
    .map((t) => new Date(t).toISOString());
  return { reminders, escalateAt: new Date(due + stage.escalateAfterHours * HOUR_MS).toISOString() };
}

/** The stage of a preset by id, or undefined. */
export const stageById = (preset: ReportingPreset, id: string): StageDefinition | undefined =>
  preset.stages.find((s) => s.id === id);

/**
 * Why a stage may not be submitted now (already submitted, or the stage its clock runs from is not
 * in yet), or null when it may.
 */
export function stageRefusal(
  stage: StageDefinition,
  submitted: Readonly<Record<string, string>>,
): string | null {
  if (submitted[stage.id] !== undefined) return `the stage "${stage.id}" was already submitted`;
  if (stage.clock.from === 'stage' && submitted[stage.clock.stage] === undefined)
    return `submit the stage "${stage.clock.stage}" before "${stage.id}"`;
  return null;
}

/** The fields a stage requires, as a zod schema over a follow-up's body. */
export function stageRequirementSchema(stage: StageDefinition) {
  const all = stageFieldSchemas();
  const shape: Partial<Record<StageField, (typeof all)[StageField]>> = {};
  for (const field of stage.requiredFields) shape[field] = all[field];
  return z.object(shape);
}
