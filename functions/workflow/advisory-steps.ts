import { systemActor } from '../../events/actor.ts';
import { advisoryWaits } from '../../events/advisory/advisory.ts';
import { planAdvisory } from '../../events/advisory/decide.ts';
import { advisories, loadRecipients } from '../aggregates/advisories.ts';
import { policy } from '../runtime/policy-config.ts';
import { loadAggregate, runCommand } from '../store/command-runner.ts';
import { store } from '../store/store.ts';
import { workflowStepSchema } from './workflow-step.ts';

const step = workflowStepSchema('advisoryId', advisoryWaits);

const actor = systemActor('advisory-workflow');

/** True for a payload of the advisory chain's state machine (its input names an advisory). */
export const isAdvisoryStep = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && 'advisoryId' in payload;

/**
 * The advisory workflow's steps, the relay's pattern on the advisory stream: `plan` reads
 * what to wait for (a hop's forward, the reminder time, the window's end); `wait` records
 * the task token; `escalate` records what a timeout means: a missed forward, the reminders
 * due, or the window closed with the silent recipients (read from their streams) missed.
 */
export async function advisoryStep(payload: unknown) {
  const input = step.parse(payload);
  const now = new Date().toISOString();
  const ctx = { now, actor, policy };
  switch (input.action) {
    case 'plan': {
      const { state } = await loadAggregate(store, advisories, input.advisoryId);
      return planAdvisory(state, now);
    }
    case 'wait': {
      const { hop, attempt, dueAt, taskToken } = input;
      const result = await runCommand(
        store,
        advisories,
        input.advisoryId,
        { type: 'StartAdvisoryWait', data: { wait: hop, attempt, dueAt, taskToken } },
        ctx,
        { retryOnConflict: true },
      );
      return { recorded: result.events.length > 0, version: result.version };
    }
    case 'escalate': {
      const acknowledged =
        input.hop === 'remind' || input.hop === 'close'
          ? (await loadRecipients(store, input.advisoryId)).filter((r) => r.acknowledgedAt).map((r) => r.org)
          : [];
      const result = await runCommand(
        store,
        advisories,
        input.advisoryId,
        { type: 'RecordAdvisoryTimeout', data: { wait: input.hop, attempt: input.attempt, acknowledged } },
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
