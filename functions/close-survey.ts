import { httpHandler } from './commons/http.ts';
import { surveyCommand } from './commons/survey-commands.ts';
import { surveyIdFrom } from './commons/surveys.ts';

/** POST /surveys/{id}/close: the owner closes the survey; no answer or amendment is taken after. */
export const handler = httpHandler({ allow: ['nisc', 'ministry', 'secretariat'] }, async (request) =>
  surveyCommand(request, surveyIdFrom(request.params), { type: 'CloseSurvey', data: {} }),
);
