import type { EventReader } from '../commons/event-store.ts';
import type { ExerciseSummaryProvider, SurveySummaryProvider } from './annual-report.ts';

/**
 * The report's survey and exercise sections come from modules built beside this one
 * (functions/surveys/report-summary.ts, functions/exercises/report-summary.ts). Until they are
 * wired here, none is set and those sections say there were none. Each provider receives
 * `{ reader }` as its deps.
 */
export interface ReportProviders {
  surveys?: SurveySummaryProvider;
  exercises?: ExerciseSummaryProvider;
}

const providers: ReportProviders = {};

/** The providers the report reads its survey and exercise sections from. */
export const reportProviders = (): Readonly<ReportProviders> => providers;

/** Sets (or, with undefined, clears) a provider: the wiring, and the tests' injection. */
export function setReportProviders(next: ReportProviders): void {
  providers.surveys = next.surveys;
  providers.exercises = next.exercises;
}

/** What a provider receives as its deps. */
export interface ProviderDeps {
  readonly reader: EventReader;
}
