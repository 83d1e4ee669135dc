import { exerciseSummariesForReport } from '../exercises/report-summary.ts';
import type { EventReader } from '../store/event-store.ts';
import { surveySummariesForReport } from '../surveys/report-summary.ts';
import type { ExerciseSummaryProvider, SurveySummaryProvider } from './annual-report.ts';

/**
 * The report's survey and exercise sections come from their own modules
 * (functions/surveys/report-summary.ts, functions/exercises/report-summary.ts), set here by
 * default; a test may set others. Each provider receives `{ reader }` as its deps.
 */
export interface ReportProviders {
  surveys?: SurveySummaryProvider;
  exercises?: ExerciseSummaryProvider;
}

const providers: ReportProviders = {
  surveys: (deps, q) => surveySummariesForReport(deps as ProviderDeps, q),
  exercises: (deps, q) => exerciseSummariesForReport(deps as ProviderDeps, q),
};

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
