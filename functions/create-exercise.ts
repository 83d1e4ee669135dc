import { randomUUID } from 'node:crypto';
import { exerciseBody } from '../events/exercise/exercise.ts';
import { exerciseCommand, participantsDirectory } from './exercises/http.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/** POST /exercises: NISC or a ministry prepares a cross-sector exercise (分野横断的演習); 201 with it, planned. */
export const handler = httpHandler({ allow: ['nisc', 'ministry'], body: exerciseBody() }, async (request) => {
  const exerciseId = randomUUID();
  const directory = await participantsDirectory(reader, request.body);
  return exerciseCommand(
    request,
    exerciseId,
    { type: 'PrepareExercise', data: { exerciseId, body: request.body, directory } },
    201,
  );
});
