import { exerciseView } from '../events/exercise/exercise.ts';
import { injectSubjectId } from './exercises/exercise-subject.ts';
import { visibleExercise } from './exercises/read.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/** GET /exercises/{id}: the exercise, its scenario and which injects were released (each one's incident or advisory id). */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const state = await visibleExercise(reader, request);
    return { status: 200, body: exerciseView(state, (injectId) => injectSubjectId(state.id, injectId)) };
  },
);
