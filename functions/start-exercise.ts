import { exerciseCommand, exerciseIdFrom } from './exercises/http.ts';
import { httpHandler } from './http/http.ts';
import { timeScale } from './runtime/policy-config.ts';

/** POST /exercises/{id}/start: NISC or the preparing ministry starts it; its injects are released at their offsets from now. */
export const handler = httpHandler({ allow: ['nisc', 'ministry'] }, async (request) =>
  exerciseCommand(request, exerciseIdFrom(request), { type: 'StartExercise', data: { timeScale } }, 200),
);
