import type { surveyListSchema, surveyViewSchema } from '../../../events/api/survey.ts';
import type * as z from '../../../events/zod.ts';
import { useT } from '../i18n/lang.ts';

// What the survey pages (surveys.tsx: the list, a survey, its answer form; survey-results.tsx: the
// results) share.

export type SurveyRow = z.output<typeof surveyListSchema>['items'][number];
export type SurveyView = z.output<typeof surveyViewSchema>;

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where a survey stands, as a badge. */
export function SurveyStatus(props: { status: SurveyRow['status'] }) {
  const t = useT();
  return (
    <span class={`badge survey-status survey-status-${props.status}`}>
      {t(`survey.status.${props.status}`)}
    </span>
  );
}

export const maturityKey = (level: number) => `survey.maturity.${level}` as 'survey.maturity.0';
