import { surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { surveyCommand } from './surveys/survey-commands.ts';

/** POST /surveys/{id}/close: the owner closes the survey; no answer or amendment is taken after. */
export const handler = httpHandler({ allow: ['nisc', 'ministry', 'secretariat'] }, async (request) =>
  surveyCommand(request, surveyIdFrom(request.params), { type: 'CloseSurvey', data: {} }),
);
