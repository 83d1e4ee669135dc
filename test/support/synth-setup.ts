import type { TestProject } from 'vitest/node';
import type { ExtractedStateMachine } from '../../local/sfn/index.ts';
import { synthesizedStateMachines } from '../../local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The state machines of the CDK app's template, synthesized once for the whole run. */
    stateMachines: ExtractedStateMachine[];
  }
}

/**
 * Vitest global setup of the tiers that start local stacks: the CDK app is synthesized once here and
 * every stack of the run (startTestStack) registers the same state machines, instead of each test
 * file synthesizing the whole app again (several seconds of CPU each). Still the one definition AWS
 * runs: the template comes from the same app, at the same commit.
 */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('stateMachines', await synthesizedStateMachines());
}
