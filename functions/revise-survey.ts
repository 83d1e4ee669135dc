import { reviseSurveyBody } from '../events/survey/body.ts';
import { surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { surveyCommand } from './surveys/survey-commands.ts';

/** PUT /surveys/{id}: the owner edits the survey; the edit is a new version (answers name theirs). */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: reviseSurveyBody() },
  async (request) =>
    surveyCommand(request, surveyIdFrom(request.params), { type: 'ReviseSurvey', data: request.body }),
);
