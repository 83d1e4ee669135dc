import { canSeeSurvey, surveyRow } from '../events/survey/views.ts';
import { loadAllSurveys } from './aggregates/surveys.ts';
import { sectorParam } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/**
 * GET /surveys: the surveys the caller may see, newest first (`?sector=` narrows to one sector).
 * Surveys are few (dozens a year over every sector): one partition, read whole.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const sector = sectorParam(request.query.sector);
    const items = (await loadAllSurveys(reader))
      .filter((s) => canSeeSurvey(s, request.actor) && (sector === undefined || s.sectors.includes(sector)))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
      .map((s) => surveyRow(s, request.actor));
    return { status: 200, body: { items } };
  },
);
