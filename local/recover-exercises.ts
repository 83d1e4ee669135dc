import type { ExerciseEvent, MaybeExercise } from '../events/exercise/exercise.ts';
import { EXERCISE_STREAM, exercises } from '../functions/aggregates/exercises.ts';
import { loadAggregate } from '../functions/store/command-runner.ts';
import { allHeads, type EventReader } from '../functions/store/event-store.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';

/**
 * After a restart of the local stack, gives every running exercise a new execution of the exercise
 * workflow (the local Step Functions endpoint forgets executions, AWS does not). The new execution
 * plans from the log as the first did: injects due while the stack was down are released at once
 * (each under its deterministic subject id, so nothing is released twice), the rest on their times,
 * and its wait records the task token the exercise's end will answer.
 *
 * Exercises are few (a handful a year, one list partition), so this reads every exercise head rather
 * than the byOpen index; a head whose projection may lag is confirmed from its events.
 */
export async function resumeExercises(options: {
  store: EventReader;
  workflow: RelayWorkflow;
  now?: () => number;
}): Promise<{ resumed: number }> {
  const stamp = (options.now ?? Date.now)();
  let resumed = 0;
  for await (const head of allHeads<MaybeExercise>(options.store, {
    index: 'byType',
    key: EXERCISE_STREAM,
  })) {
    if (head.state?.status === 'ended') continue;
    const { state } = await loadAggregate<MaybeExercise, ExerciseEvent>(
      options.store,
      exercises,
      head.streamId.slice(`${EXERCISE_STREAM}#`.length),
    );
    if (state?.status !== 'running') continue;
    await options.workflow.start(`${state.id}-resume-${stamp}`, { exerciseId: state.id });
    resumed++;
  }
  return { resumed };
}
