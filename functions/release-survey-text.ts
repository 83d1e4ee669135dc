import { releaseTextBody } from '../events/survey/body.ts';
import { httpHandler } from './commons/http.ts';
import { surveyCommand } from './commons/survey-commands.ts';
import { surveyIdFrom } from './commons/surveys.ts';

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
