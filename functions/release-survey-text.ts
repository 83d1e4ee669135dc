import { releaseTextBody } from '../events/survey/body.ts';
import { surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { surveyCommand } from './surveys/survey-commands.ts';

/**
 * POST /surveys/{id}/free-text/{questionId}/release: the sector's secretariat releases its edit of a
 * free-text question's answers; only that edit leaves the sector (the ministry and NISC see it).
 */
export const handler = httpHandler({ allow: ['secretariat'], body: releaseTextBody }, async (request) =>
  surveyCommand(request, surveyIdFrom(request.params), {
    type: 'ReleaseFreeText',
    data: { questionId: request.params.questionId ?? '', texts: request.body.texts },
  }),
);
