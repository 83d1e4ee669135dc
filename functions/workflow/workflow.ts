import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';

/** A workflow's input: the incident relay's, or the advisory chain's (same states, see infra/relay-workflow.ts). */
export type WorkflowInput =
  | { incidentId: string }
  | { advisoryId: string }
  | { exerciseId: string }
  | { surveyId: string }
  | { stagesOf: string };

/** The workflow port: start a relay, and resume a relay waiting on a task token. */
export interface RelayWorkflow {
  /** Starts an execution; starting the same name again is a no-op. */
  start(name: string, input: WorkflowInput): Promise<'started' | 'already-started'>;
  /** Resumes a waiting task; a token that completed or timed out already is 'gone', not an error. */
  resume(taskToken: string, output: unknown): Promise<'resumed' | 'gone'>;
}

/** The workflow on AWS Step Functions (or the local endpoint that speaks its API). */
export class StepFunctionsWorkflow implements RelayWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: WorkflowInput) {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return 'started' as const;
    } catch (error) {
      // Standard workflows keep execution names unique: a redelivered event finds its execution.
      if (error instanceof ExecutionAlreadyExists) return 'already-started' as const;
      throw error;
    }
  }

  async resume(taskToken: string, output: unknown) {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return 'resumed' as const;
    } catch (error) {
      if (
        error instanceof TaskTimedOut ||
        error instanceof TaskDoesNotExist ||
        error instanceof InvalidToken
      ) {
        return 'gone' as const;
      }
      throw error;
    }
  }
}
