import type { ActivityKind, ActivityState } from '../../events/activity/activity.ts';
import { activityKinds, activityView } from '../../events/activity/activity.ts';
import type { MaybePlan } from '../../events/activity/plan.ts';
import type { AdvisoryState } from '../../events/advisory/advisory.ts';
import { acknowledgedWithinOneDay, type TransmissionReport } from '../../events/advisory/report.ts';
import type { IncidentState } from '../../events/incident/incident.ts';
import { categories } from '../../events/incident/report.ts';
import { severities } from '../../events/policy.ts';
import type { SectorId } from '../../events/sector/catalog.ts';
import type { ComplianceRow, StageComplianceRow } from '../audit/audit-compliance.ts';

/**
 * The fiscal-year activity report (年度活動報告・次年度活動計画) of a sector, computed from what the
 * event log held at a signed checkpoint. Pure: the same inputs give the same report, every list
 * sorted, no clock read (the moment is the checkpoint's).
 */

/** A survey's summary for the report (functions/surveys/report-summary.ts provides them). */
export interface SurveySummary {
  readonly id: string;
  readonly title: { readonly ja: string; readonly en: string };
  readonly series?: string;
  readonly issuedAt: string;
  readonly dueAt: string;
  readonly closedAt?: string;
  readonly invited: number;
  readonly responded: number;
  readonly late: number;
  readonly responseRate: number;
  readonly sectorScore?: { readonly median: number; readonly q1: number; readonly q3: number };
}

/** A cross-sector exercise's summary for the report (functions/exercises/report-summary.ts provides them). */
export interface ExerciseSummary {
  readonly id: string;
  readonly title: { readonly ja: string; readonly en: string };
  readonly startedAt: string;
  readonly sectors: readonly string[];
  readonly participants: readonly { org: string; name: string; role: 'participant' | 'observer' }[];
  readonly injects: number;
  readonly expectedActions: number;
  readonly actionsOnTime: number;
  readonly actionsLate: number;
  readonly actionsMissed: number;
}

/** What a summary provider is asked: a sector's period (the fiscal year) as of a moment. */
export interface SummaryQuery {
  readonly sector: string;
  readonly from: string;
  readonly to: string;
  readonly asOf?: string;
}

/** `surveySummariesForReport`'s shape; `deps` is whatever the provider needs (its store). */
export type SurveySummaryProvider = (deps: unknown, q: SummaryQuery) => Promise<SurveySummary[]>;
/** `exerciseSummariesForReport`'s shape. */
export type ExerciseSummaryProvider = (deps: unknown, q: SummaryQuery) => Promise<ExerciseSummary[]>;

/** The signed checkpoint a report was computed against. */
export interface ReportCheckpoint {
  readonly id: string;
  readonly createdAt: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly algorithm: string;
  readonly keyId: string;
}

/** Everything the report is computed from, read from the log up to the checkpoint. */
export interface AnnualReportInputs {
  readonly sector: SectorId;
  readonly sectorNames: { readonly ja: string; readonly en: string };
  /** The sector's member count (its entry, as the seed's CEPTOAR map states it). */
  readonly members: number;
  readonly fiscalYear: number;
  readonly period: { readonly from: string; readonly to: string };
  /** What the caller asked for (absent: the latest checkpoint). */
  readonly asOf: string | null;
  readonly checkpoint: ReportCheckpoint;
  /** The sector's incidents reported in the period. */
  readonly incidents: readonly IncidentState[];
  readonly compliance: {
    readonly rows: readonly ComplianceRow[];
    readonly stages: readonly StageComplianceRow[];
  };
  /** The sector's advisories issued in the period, with their transmission reports. */
  readonly advisories: readonly { readonly state: AdvisoryState; readonly report: TransmissionReport }[];
  readonly activities: readonly ActivityState[];
  readonly plan: MaybePlan;
  readonly surveys: readonly SurveySummary[];
  readonly exercises: readonly ExerciseSummary[];
}

const byString =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** Computes the report. */
export function buildAnnualReport(i: AnnualReportInputs) {
  const incidents = [...i.incidents].sort(byString((s) => `${s.createdAt}#${s.id}`));
  const matrix = categories.map((category) => ({
    category,
    bySeverity: severities.map((severity) => ({
      severity,
      count: incidents.filter((s) => s.report.category === category && s.severity === severity).length,
    })),
    total: incidents.filter((s) => s.report.category === category).length,
  }));

  const ordinary = i.advisories
    .filter((a) => !a.state.drill && a.state.contactCheck !== true)
    .sort(byString((a) => `${a.state.createdAt}#${a.state.id}`));
  const advisoryRows = ordinary.map(({ state, report }) => ({
    id: state.id,
    title: state.title,
    tlp: state.tlp,
    severity: state.severity,
    issuerRole: state.issuerRole,
    issuedAt: state.createdAt,
    /** Reached the secretariat: issued by it, or forwarded down to it. */
    receivedAt:
      state.issuerRole === 'secretariat' ? state.createdAt : (state.hops.secretariat?.startedAt ?? null),
    sharedAt: state.distributedAt,
    recipients: report.overall.recipients,
    acknowledgedWithinWindow: report.overall.acknowledgedWithinWindow,
    rate: report.overall.rate,
    forwards: report.stages
      .filter((s) => s.stage !== 'members')
      .map((s) => ({ stage: s.stage, withinDeadline: s.withinDeadline === 1 })),
  }));
  const totals = (rows: typeof advisoryRows) => {
    const recipients = rows.reduce((n, r) => n + r.recipients, 0);
    const acked = rows.reduce((n, r) => n + r.acknowledgedWithinWindow, 0);
    return {
      count: rows.length,
      received: rows.filter((r) => r.receivedAt !== null).length,
      shared: rows.filter((r) => r.sharedAt !== null).length,
      recipients,
      acknowledgedWithinWindow: acked,
      rate: ratio(acked, recipients),
    };
  };

  const drills = i.advisories
    .filter((a) => a.state.drill && a.state.contactCheck !== true)
    .sort(byString((a) => `${a.state.createdAt}#${a.state.id}`))
    .map(({ state, report }) => {
      const withinOneDay = acknowledgedWithinOneDay(report);
      return {
        id: state.id,
        title: state.title,
        issuedAt: state.createdAt,
        distributedAt: report.distributedAt,
        ackDueAt: report.ackDueAt,
        windowHours: report.windowHours,
        recipients: report.overall.recipients,
        acknowledgedWithinWindow: report.overall.acknowledgedWithinWindow,
        windowRate: report.overall.rate,
        acknowledgedWithinOneDay: withinOneDay,
        oneDayRate: ratio(withinOneDay, report.overall.recipients),
        /** Seconds each recipient took, sorted (the chart's steps); null: not acknowledged. */
        secondsToAcknowledge: report.recipients
          .map((r) => r.secondsToAcknowledge)
          .sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b)),
      };
    });

  const activities = [...i.activities].sort(byString((a) => `${a.date}#${a.id}`)).map(activityView);
  const activityCounts = activityKinds.map((kind: ActivityKind) => ({
    kind,
    count: activities.filter((a) => a.kind === kind).length,
  }));

  const surveys = [...i.surveys].sort(byString((s) => `${s.issuedAt}#${s.id}`));
  const exercises = [...i.exercises].sort(byString((e) => `${e.startedAt}#${e.id}`)).map((e) => ({
    ...e,
    sectors: [...e.sectors].sort(),
    participants: [...e.participants].sort(byString((p) => `${p.role}#${p.org}#${p.name}`)),
    participantCount: e.participants.filter((p) => p.role === 'participant').length,
    observerCount: e.participants.filter((p) => p.role === 'observer').length,
  }));

  return {
    sector: i.sector,
    sectorNames: { ja: i.sectorNames.ja, en: i.sectorNames.en },
    members: i.members,
    fiscalYear: i.fiscalYear,
    planYear: i.fiscalYear + 1,
    period: { from: i.period.from, to: i.period.to },
    asOf: i.asOf,
    checkpoint: { ...i.checkpoint },
    incidents: {
      reported: incidents.length,
      relayed: incidents.filter((s) => s.hops.ministry.startedAt !== null).length,
      closed: incidents.filter((s) => s.closedAt !== null).length,
      byCategory: matrix,
      bySeverity: severities.map((severity) => ({
        severity,
        count: incidents.filter((s) => s.severity === severity).length,
      })),
      compliance: i.compliance.rows.map(({ slowest: _s, ...row }) => row),
      stages: i.compliance.stages.map((s) => ({ ...s, names: { ja: s.names.ja, en: s.names.en } })),
    },
    advisories: {
      fromNisc: totals(advisoryRows.filter((r) => r.issuerRole === 'nisc')),
      fromMinistry: totals(advisoryRows.filter((r) => r.issuerRole === 'ministry')),
      fromSecretariat: totals(advisoryRows.filter((r) => r.issuerRole === 'secretariat')),
      all: totals(advisoryRows),
      items: advisoryRows,
    },
    drills: {
      count: drills.length,
      recipients: drills.reduce((n, d) => n + d.recipients, 0),
      acknowledgedWithinOneDay: drills.reduce((n, d) => n + d.acknowledgedWithinOneDay, 0),
      oneDayRate: ratio(
        drills.reduce((n, d) => n + d.acknowledgedWithinOneDay, 0),
        drills.reduce((n, d) => n + d.recipients, 0),
      ),
      items: drills,
    },
    surveys: { count: surveys.length, items: surveys },
    exercises: { count: exercises.length, items: exercises },
    activities: { count: activities.length, byKind: activityCounts, items: activities },
    plan: i.plan
      ? {
          sections: i.plan.sections.map((s) => ({ heading: s.heading, body: s.body })),
          savedAt: i.plan.savedAt,
          version: i.plan.version,
        }
      : null,
  };
}

export type AnnualReport = ReturnType<typeof buildAnnualReport>;
