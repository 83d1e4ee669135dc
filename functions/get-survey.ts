import { surveyView } from '../events/survey/views.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';
import { loadVisibleSurvey, surveyIdFrom } from './commons/surveys.ts';

/** GET /surveys/{id}: the survey's newest version and where it stands. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const survey = await loadVisibleSurvey(reader, surveyIdFrom(request.params), request.actor);
    return { status: 200, body: surveyView(survey, request.actor) };
  },
);
