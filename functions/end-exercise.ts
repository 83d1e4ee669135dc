import { exerciseCommand, exerciseIdFrom } from './exercises/http.ts';
import { httpHandler } from './http/http.ts';

/** POST /exercises/{id}/end: NISC or the preparing ministry ends it; injects not yet released never are, and what was not done is missed. */
export const handler = httpHandler({ allow: ['nisc', 'ministry'] }, async (request) =>
  exerciseCommand(request, exerciseIdFrom(request), { type: 'EndExercise', data: {} }, 200),
);
