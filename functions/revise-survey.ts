import { reviseSurveyBody } from '../events/survey/body.ts';
import { httpHandler } from './commons/http.ts';
import { surveyCommand } from './commons/survey-commands.ts';
import { surveyIdFrom } from './commons/surveys.ts';

/** PUT /surveys/{id}: the owner edits the survey; the edit is a new version (answers name theirs). */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: reviseSurveyBody },
  async (request) =>
    surveyCommand(request, surveyIdFrom(request.params), { type: 'ReviseSurvey', data: request.body }),
);
