import { NotFoundError } from '../../events/errors.ts';
import { canSeeExercise, type ExerciseState } from '../../events/exercise/exercise.ts';
import { exercises } from '../aggregates/exercises.ts';
import type { HttpRequest } from '../http/http.ts';
import { uuidFrom } from '../http/incident-id.ts';
import { loadAggregate } from '../store/command-runner.ts';
import type { EventReader } from '../store/event-store.ts';

/** The exercise id from the path; anything that is not one of ours is simply not found. */
export const exerciseIdFrom = (request: Pick<HttpRequest<unknown>, 'params'>) =>
  uuidFrom(request, 'exercise');

/** The exercise the caller may see, or 404 (another's exercise is as absent as an unknown one). */
export async function visibleExercise(
  reader: EventReader,
  request: HttpRequest<unknown>,
): Promise<ExerciseState> {
  const { state } = await loadAggregate(reader, exercises, exerciseIdFrom(request));
  if (state === null || !canSeeExercise(state, request.actor)) throw new NotFoundError('no such exercise');
  return state;
}
