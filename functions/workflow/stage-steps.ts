import { systemActor } from '../../events/actor.ts';
import { stageWaits } from '../../events/incident/incident.ts';
import { planStageAlarms } from '../../events/incident/stage-alarms.ts';
import { incidents } from '../aggregates/incidents.ts';
import { policy } from '../runtime/policy-config.ts';
import { loadAggregate, runCommand } from '../store/command-runner.ts';
import { store } from '../store/store.ts';
import { workflowStepSchema } from './workflow-step.ts';

const step = workflowStepSchema('stagesOf', stageWaits);

const actor = systemActor('stage-workflow');

/** True for a payload of the stage-alarm workflow's state machine (its input names `stagesOf`, an incident). */
export const isStageStep = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && 'stagesOf' in payload;

/**
 * The stage-alarm workflow's steps, the relay's pattern on the incident's reporting stages: `plan`
 * reads when the next stage reminder or escalation is due (or waits, bounded, for a clock to start);
 * `wait` records the task token, which the stream reactor answers when a stage is submitted, a ransom
 * payment starts a clock or the incident closes; on the timeout, `escalate` records the alarms due
 * (`RecordStageAlarms`: each once). The messages are a reaction to `StageReminderDue` and
 * `StageEscalated` (stream-notifier), not sent here.
 */
export async function stageStep(payload: unknown) {
  const input = step.parse(payload);
  const now = new Date().toISOString();
  const ctx = { now, actor, policy };
  switch (input.action) {
    case 'plan': {
      const { state } = await loadAggregate(store, incidents, input.stagesOf);
      return planStageAlarms(state, now);
    }
    case 'wait': {
      const { hop: wait, attempt, dueAt, taskToken } = input;
      const result = await runCommand(
        store,
        incidents,
        input.stagesOf,
        { type: 'StartStageWait', data: { wait, attempt, dueAt, taskToken } },
        ctx,
        { retryOnConflict: true },
      );
      return { recorded: result.events.length > 0, version: result.version };
    }
    case 'escalate': {
      const result = await runCommand(
        store,
        incidents,
        input.stagesOf,
        { type: 'RecordStageAlarms', data: {} },
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
