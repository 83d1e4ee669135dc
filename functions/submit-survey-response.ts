import { submitResponseBody } from '../events/survey/body.ts';
import { httpHandler } from './http/http.ts';
import { responseCommand } from './surveys/survey-commands.ts';

/**
 * POST /surveys/{id}/response/submit: submits the member's answers (the body's, else the saved draft),
 * checked whole against the newest version; again after that, an amendment, until the survey closes.
 * After the due date the first submission is recorded as late.
 */
export const handler = httpHandler({ allow: ['member'], body: submitResponseBody }, async (request) =>
  responseCommand(request, {
    type: 'SubmitResponse',
    data: request.body.answers === undefined ? {} : { answers: request.body.answers },
  }),
);
