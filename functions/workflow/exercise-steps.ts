import { systemActor } from '../../events/actor.ts';
import { exerciseWaits, planExercise } from '../../events/exercise/exercise.ts';
import { exercises } from '../aggregates/exercises.ts';
import { injectSubjectId } from '../exercises/exercise-subject.ts';
import { loadAggregate, runCommand } from '../store/command-runner.ts';
import { store } from '../store/store.ts';
import { workflowStepSchema } from './workflow-step.ts';

const step = workflowStepSchema('exerciseId', exerciseWaits);

const actor = systemActor('exercise-workflow');

/** True for a payload of the exercise workflow's state machine (its input names an exercise). */
export const isExerciseStep = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && 'exerciseId' in payload;

/**
 * The exercise workflow's steps, the relay's pattern on the exercise stream: `plan` reads when the
 * next inject is due; `wait` records the task token (the end of the exercise answers it); on the
 * timeout, `escalate` records every inject now due as released. Creating the inject's incident or
 * advisory is a reaction to `InjectReleased` (exercise-reactions.ts), not a second write here.
 */
export async function exerciseStep(payload: unknown) {
  const input = step.parse(payload);
  const now = new Date().toISOString();
  const ctx = { now, actor };
  switch (input.action) {
    case 'plan': {
      const { state } = await loadAggregate(store, exercises, input.exerciseId);
      return planExercise(state, now);
    }
    case 'wait': {
      const { attempt, dueAt, taskToken } = input;
      const result = await runCommand(
        store,
        exercises,
        input.exerciseId,
        { type: 'StartExerciseWait', data: { attempt, dueAt, taskToken } },
        ctx,
        { retryOnConflict: true },
      );
      return { recorded: result.events.length > 0, version: result.version };
    }
    case 'escalate': {
      const result = await runCommand(
        store,
        exercises,
        input.exerciseId,
        {
          type: 'ReleaseDueInjects',
          data: { subjectId: (injectId) => injectSubjectId(input.exerciseId, injectId) },
        },
        ctx,
        { retryOnConflict: true },
      );
      return { recorded: result.events.map((e) => e.type), version: result.version };
    }
    default: {
      const _never: never = input;
      return _never;
    }
  }
}
