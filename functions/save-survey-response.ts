import { saveResponseBody } from '../events/survey/body.ts';
import { httpHandler } from './http/http.ts';
import { responseCommand } from './surveys/survey-commands.ts';

/** PUT /surveys/{id}/response: saves the member's draft (one event per save), each answer checked. */
export const handler = httpHandler({ allow: ['member'], body: saveResponseBody }, async (request) =>
  responseCommand(request, { type: 'SaveDraft', data: { answers: request.body.answers } }),
);
