import { systemActor } from '../events/actor.ts';
import { planRelay } from '../events/incident/decide.ts';
import { hops } from '../events/policy.ts';
import { incidents } from './aggregates/incidents.ts';
import { policy } from './runtime/policy-config.ts';
import { loadAggregate, runCommand } from './store/command-runner.ts';
import { store } from './store/store.ts';
import { advisoryStep, isAdvisoryStep } from './workflow/advisory-steps.ts';
import { exerciseStep, isExerciseStep } from './workflow/exercise-steps.ts';
import { isStageStep, stageStep } from './workflow/stage-steps.ts';
import { isSurveyStep, surveyStep } from './workflow/survey-steps.ts';
import { workflowStepSchema } from './workflow/workflow-step.ts';

const step = workflowStepSchema('incidentId', hops);

const actor = systemActor('relay-workflow');

/**
 * The relay workflow's steps. `plan` reads where the incident stands; `wait` records the
 * task token the workflow now waits on; `escalate` records a missed deadline (or the stall
 * once escalations run out). Each is idempotent: a retried step changes nothing more.
 */
export const handler = async (payload: unknown) => {
  // The advisory chain's state machine has the same states and calls this same function.
  if (isAdvisoryStep(payload)) return advisoryStep(payload);
  // So does the exercise workflow's (the release of injects at their offsets).
  if (isExerciseStep(payload)) return exerciseStep(payload);
  // And the survey workflow's (a timer until the reminders are due).
  if (isSurveyStep(payload)) return surveyStep(payload);
  // And the reporting stages' (a stage's reminders before its deadline, its escalation after it).
  if (isStageStep(payload)) return stageStep(payload);
  const input = step.parse(payload);
  const now = new Date().toISOString();
  const ctx = { now, actor, policy };
  switch (input.action) {
    case 'plan': {
      const { state } = await loadAggregate(store, incidents, input.incidentId);
      return planRelay(state, now);
    }
    case 'wait': {
      const { hop, attempt, dueAt, taskToken } = input;
      const result = await runCommand(
        store,
        incidents,
        input.incidentId,
        { type: 'StartRelayWait', data: { hop, attempt, dueAt, taskToken } },
        ctx,
        { retryOnConflict: true },
      );
      return { recorded: result.events.length > 0, version: result.version };
    }
    case 'escalate': {
      const result = await runCommand(
        store,
        incidents,
        input.incidentId,
        { type: 'RecordDeadlineMiss', data: { hop: input.hop, attempt: input.attempt } },
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
};
