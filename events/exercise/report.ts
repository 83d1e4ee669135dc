import { groupBy } from '../group-by.ts';
import { ministryOf, ministryOrgId, NISC_ORG, type SectorId } from '../sector/catalog.ts';
import type { ActionKind, ActionRole, ExerciseState, Inject, InjectKind } from './exercise.ts';

/**
 * The after-action report of an exercise, computed from what the log recorded up to `asOf`: for
 * every released inject and every organisation expected to act on it, the time from the release to
 * the action and whether it came on time, late, or not at all. Pure: the handler reads the log.
 */

/** One action the normal system recorded on an inject's incident or advisory. */
export interface ObservedAction {
  readonly injectId: string;
  readonly role: ActionRole;
  /** The acting organisation (for the chain's hops, the hop's organisation). */
  readonly org: string;
  readonly at: string;
}

export type Outcome = 'on_time' | 'late' | 'missed' | 'pending';

/** One expected action of one organisation on one inject. */
export interface ReportRow {
  readonly injectId: string;
  readonly kind: InjectKind;
  readonly sector: SectorId;
  readonly subjectId: string;
  readonly releasedAt: string;
  readonly role: ActionRole;
  readonly action: ActionKind;
  readonly org: string;
  readonly dueAt: string;
  readonly actedAt: string | null;
  /** Seconds from the release to the action (wall clock, not scaled). */
  readonly seconds: number | null;
  readonly outcome: Outcome;
}

/** Counts of outcomes and the share on time among the expected actions whose outcome is known. */
export interface Tally {
  readonly expected: number;
  readonly onTime: number;
  readonly late: number;
  readonly missed: number;
  readonly pending: number;
  /** On time ÷ expected (pending included), 0..1; null with nothing expected. */
  readonly rate: number | null;
}

export interface ExerciseReport {
  readonly exerciseId: string;
  readonly title: { ja: string; en: string };
  readonly status: ExerciseState['status'];
  readonly asOf: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly timeScale: number;
  readonly injects: number;
  readonly released: number;
  readonly overall: Tally;
  /** Per stage (inject kind, role and action): the transmission rate of that stage. */
  readonly stages: ReadonlyArray<
    { stage: string; kind: InjectKind; role: ActionRole; action: ActionKind } & Tally
  >;
  /** The comparison table across sectors. */
  readonly sectors: ReadonlyArray<{ sector: SectorId; medianSeconds: number | null } & Tally>;
  readonly organizations: ReadonlyArray<{ org: string; sector: SectorId; role: ActionRole } & Tally>;
  readonly rows: readonly ReportRow[];
  /** Releases and actions in time order, for the timeline chart. */
  readonly timeline: ReadonlyArray<{
    at: string;
    offsetSeconds: number;
    injectId: string;
    sector: SectorId;
    org: string | null;
    what: 'released' | ActionKind;
    outcome: Outcome | null;
  }>;
}

/** Who is expected to act on an inject in a role: the reporter or the participating members, the sector's secretariat, its ministry, NISC. */
export function expectedOrgs(
  state: ExerciseState,
  inject: Inject,
  role: ActionRole,
  secretariatOf: Readonly<Partial<Record<SectorId, string>>>,
): string[] {
  switch (role) {
    case 'member':
      return inject.kind === 'incident'
        ? [inject.from]
        : state.participants
            .filter((p) => p.sector === inject.sector && p.kind === 'member' && p.role === 'participant')
            .map((p) => p.org);
    case 'secretariat':
      return [secretariatOf[inject.sector] ?? `secretariat:${inject.sector}`];
    case 'ministry':
      return [ministryOrgId(ministryOf[inject.sector])];
    case 'nisc':
      return [NISC_ORG];
    default: {
      const _never: never = role;
      return _never;
    }
  }
}

function tally(rows: readonly ReportRow[]): Tally {
  const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
  const onTime = count('on_time');
  return {
    expected: rows.length,
    onTime,
    late: count('late'),
    missed: count('missed'),
    pending: count('pending'),
    rate: rows.length === 0 ? null : onTime / rows.length,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The report of the exercise as folded up to `asOf`, from the actions observed up to `asOf`. An
 * action not taken is `missed` once its deadline passed or the exercise ended, `pending` before.
 */
export function exerciseReport(input: {
  state: ExerciseState;
  asOf: string;
  actions: readonly ObservedAction[];
  secretariatOf: Readonly<Partial<Record<SectorId, string>>>;
  subjectIdOf: (injectId: string) => string;
}): ExerciseReport {
  const { state, asOf, actions, secretariatOf } = input;
  const rows: ReportRow[] = [];
  for (const inject of state.injects) {
    const released = state.released[inject.id];
    if (!released) continue;
    for (const e of inject.expected) {
      const dueAt = new Date(
        Date.parse(released.at) + (e.withinMinutes * 60_000) / state.timeScale,
      ).toISOString();
      for (const org of expectedOrgs(state, inject, e.role, secretariatOf)) {
        const acted = actions
          .filter(
            (a) =>
              a.injectId === inject.id &&
              a.role === e.role &&
              (e.role !== 'member' || a.org === org) &&
              a.at <= asOf,
          )
          .map((a) => a.at)
          .sort()[0];
        const outcome: Outcome = acted
          ? acted <= dueAt
            ? 'on_time'
            : 'late'
          : state.status === 'ended' || asOf >= dueAt
            ? 'missed'
            : 'pending';
        rows.push({
          injectId: inject.id,
          kind: inject.kind,
          sector: inject.sector,
          subjectId: input.subjectIdOf(inject.id),
          releasedAt: released.at,
          role: e.role,
          action: e.action,
          org,
          dueAt,
          actedAt: acted ?? null,
          seconds: acted ? (Date.parse(acted) - Date.parse(released.at)) / 1000 : null,
          outcome,
        });
      }
    }
  }
  const stages = [...groupBy(rows, (r) => `${r.kind}:${r.role}:${r.action}`)].map(([stage, rs]) => ({
    stage,
    kind: rs[0]?.kind as InjectKind,
    role: rs[0]?.role as ActionRole,
    action: rs[0]?.action as ActionKind,
    ...tally(rs),
  }));
  const sectors = state.sectors.map((sector) => {
    const rs = rows.filter((r) => r.sector === sector);
    return {
      sector,
      ...tally(rs),
      medianSeconds: median(rs.flatMap((r) => (r.seconds === null ? [] : [r.seconds]))),
    };
  });
  const organizations = [...groupBy(rows, (r) => `${r.org} ${r.sector} ${r.role}`)].map(([, rs]) => ({
    org: rs[0]?.org ?? '',
    sector: rs[0]?.sector as SectorId,
    role: rs[0]?.role as ActionRole,
    ...tally(rs),
  }));
  const start = state.startedAt ?? asOf;
  const offset = (at: string) => (Date.parse(at) - Date.parse(start)) / 1000;
  const timeline = [
    ...state.injects.flatMap((i) => {
      const r = state.released[i.id];
      return r
        ? [
            {
              at: r.at,
              offsetSeconds: offset(r.at),
              injectId: i.id,
              sector: i.sector,
              org: null,
              what: 'released' as const,
              outcome: null,
            },
          ]
        : [];
    }),
    ...rows.flatMap((r) =>
      r.actedAt
        ? [
            {
              at: r.actedAt,
              offsetSeconds: offset(r.actedAt),
              injectId: r.injectId,
              sector: r.sector,
              org: r.org,
              what: r.action,
              outcome: r.outcome,
            },
          ]
        : [],
    ),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    exerciseId: state.id,
    title: state.title,
    status: state.status,
    asOf,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
    timeScale: state.timeScale,
    injects: state.injects.length,
    released: Object.keys(state.released).length,
    overall: tally(rows),
    stages,
    sectors,
    organizations,
    rows,
    timeline,
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The report's rows as CSV (one line per organisation and expected action), then the sector comparison. */
export function exerciseReportCsv(report: ExerciseReport): string {
  const header = [
    'inject',
    'kind',
    'sector',
    'org',
    'role',
    'action',
    'released_at',
    'due_at',
    'acted_at',
    'seconds',
    'outcome',
  ];
  const lines = [header.join(',')];
  for (const r of report.rows)
    lines.push(
      [
        r.injectId,
        r.kind,
        r.sector,
        r.org,
        r.role,
        r.action,
        r.releasedAt,
        r.dueAt,
        r.actedAt,
        r.seconds,
        r.outcome,
      ]
        .map(csvCell)
        .join(','),
    );
  lines.push('');
  lines.push('sector,expected,on_time,late,missed,pending,rate,median_seconds');
  for (const s of report.sectors)
    lines.push(
      [s.sector, s.expected, s.onTime, s.late, s.missed, s.pending, s.rate, s.medianSeconds]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}
