import {
  decideExercise,
  type ExerciseCommand,
  type ExerciseContext,
  type ExerciseEvent,
  evolveExercise,
  initialExercise,
  type MaybeExercise,
} from '../../events/exercise/exercise.ts';
import type { Aggregate } from '../store/command-runner.ts';
import { upcastV1 } from '../store/upcast.ts';

/** The stream type (and byType partition) of exercises: one stream per exercise, `exercise#<id>`. */
export const EXERCISE_STREAM = 'exercise';

/** The cross-sector exercise aggregate (events/exercise/exercise.ts). */
export const exercises: Aggregate<MaybeExercise, ExerciseEvent, ExerciseCommand, ExerciseContext> = {
  streamType: EXERCISE_STREAM,
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `${EXERCISE_STREAM}#${id}`,
  initialState: initialExercise,
  evolve: evolveExercise,
  decide: decideExercise,
  project: (state) => {
    if (state === null) throw new Error('cannot index an exercise that does not exist');
    // Exercises are few (a handful a year): one partition, newest first.
    return { listPk: EXERCISE_STREAM, listSk: `${state.createdAt}#${state.id}` };
  },
  upcast: (stored) => upcastV1<ExerciseEvent>(stored),
};
