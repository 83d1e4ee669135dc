import { surveyView } from '../events/survey/views.ts';
import { loadVisibleSurvey, surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/** GET /surveys/{id}: the survey's newest version and where it stands. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const survey = await loadVisibleSurvey(reader, surveyIdFrom(request.params), request.actor);
    return { status: 200, body: surveyView(survey, request.actor) };
  },
);
