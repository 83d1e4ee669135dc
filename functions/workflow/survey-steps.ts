import { systemActor } from '../../events/actor.ts';
import { planSurvey, surveyWaits } from '../../events/survey/survey.ts';
import { loadResponses, surveys } from '../aggregates/surveys.ts';
import { loadAggregate, runCommand } from '../store/command-runner.ts';
import { store } from '../store/store.ts';
import { workflowStepSchema } from './workflow-step.ts';

const step = workflowStepSchema('surveyId', surveyWaits);

const actor = systemActor('survey-workflow');

/** True for a payload of the survey workflow's state machine (its input names a survey). */
export const isSurveyStep = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && 'surveyId' in payload;

/**
 * The survey workflow's steps, the relay's pattern as a timer: `plan` reads when the reminder is
 * due; `wait` records the task token (`SurveyWaitStarted`), which the stream reactor answers when
 * the survey closes before the reminder time, so the execution ends; on the timeout, `escalate`
 * records the reminders due to the organisations that have not submitted (read from their response
 * streams). The messages are a reaction to `SurveyRemindersDue` (survey-reactions.ts), not sent here.
 */
export async function surveyStep(payload: unknown) {
  const input = step.parse(payload);
  const now = new Date().toISOString();
  switch (input.action) {
    case 'plan': {
      const { state } = await loadAggregate(store, surveys, input.surveyId);
      return planSurvey(state, now);
    }
    case 'wait': {
      const { hop: wait, attempt, dueAt, taskToken } = input;
      const result = await runCommand(
        store,
        surveys,
        input.surveyId,
        { type: 'StartSurveyWait', data: { wait, attempt, dueAt, taskToken } },
        { now, actor },
        { retryOnConflict: true },
      );
      return { recorded: result.events.length > 0, version: result.version };
    }
    case 'escalate': {
      const responded = (await loadResponses(store, input.surveyId))
        .filter((r) => r.submitted !== null)
        .map((r) => r.org);
      const result = await runCommand(
        store,
        surveys,
        input.surveyId,
        { type: 'RecordSurveyReminders', data: { responded } },
        { now, actor },
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
