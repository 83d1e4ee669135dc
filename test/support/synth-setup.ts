import type { TestProject } from 'vitest/node';
import { type ExtractedStateMachine, validateStateMachine } from '../../local/sfn/index.ts';
import { stateMachinesOfThisTree } from '../../local/state-machines.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The state machines of the CDK app's template, synthesized once for the whole run. */
    stateMachines: ExtractedStateMachine[];
  }
}

/**
 * Vitest global setup of the tiers that start local stacks: the CDK app is synthesized once here (or
 * read from the synthesis cache when this tree was synthesized before) and every stack of the run
 * (startTestStack) registers the same state machines; the `npm start` children of the run find the
 * same cache entry. Still the one definition AWS runs: the template comes from the same app, at the
 * same commit (local/state-machines.ts). Each definition is validated here once (the library's check),
 * not in every stack.
 */
export default async function setup(project: TestProject): Promise<void> {
  const { machines } = await stateMachinesOfThisTree('ap-northeast-1');
  // Validated here, once: the stacks register them without the library's check (startTestStack).
  for (const machine of machines) validateStateMachine(machine.definition);
  project.provide('stateMachines', machines);
}
