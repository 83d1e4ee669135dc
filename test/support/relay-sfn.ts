// The relay workflow's shape as a small CDK stack, a fake relay-step, and helpers for the tests
// that drive the local Step Functions endpoint with @aws-sdk/client-sfn.
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import {
  type CloudFormationTemplateJson,
  extractStateMachines,
  type LocalFunction,
  localFunctionName,
} from '../../local/sfn/index.ts';
import { eventually } from './eventually.ts';
import { templateOf, testApp } from './templates.ts';

/**
 * The relay workflow's shape (docs/ARCHITECTURE.md, "Relay workflow contract"), synthesized from
 * CDK and run through extractStateMachines, plus a Catch for SendTaskFailure's error.
 */
export function relayTemplate(): CloudFormationTemplateJson {
  const stack = new Stack(testApp(), 'Default');
  const relayStep = new lambda.Function(stack, 'RelayStep', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    environment: { CEPTOAR_FUNCTION: 'relay-step' },
  });
  const step = (id: string, payload: Record<string, unknown>, resultPath: string) =>
    new tasks.LambdaInvoke(stack, id, {
      lambdaFunction: relayStep,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject(payload),
      resultPath,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    });
  const incidentId = sfn.JsonPath.stringAt('$.incidentId');
  const hop = sfn.JsonPath.numberAt('$.plan.hop');
  const attempt = sfn.JsonPath.numberAt('$.plan.attempt');
  const plan = step('Plan', { action: 'plan', incidentId }, '$.plan');
  const wait = new tasks.LambdaInvoke(stack, 'Wait', {
    lambdaFunction: relayStep,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      action: 'wait',
      incidentId,
      hop,
      attempt,
      dueAt: sfn.JsonPath.stringAt('$.plan.dueAt'),
      timeoutSeconds: sfn.JsonPath.numberAt('$.plan.timeoutSeconds'),
      taskToken: sfn.JsonPath.taskToken,
    }),
    resultPath: '$.callback',
    taskTimeout: sfn.Timeout.at('$.plan.timeoutSeconds'),
  });
  const escalate = step('Escalate', { action: 'escalate', incidentId, hop, attempt }, '$.escalation');
  const done = new sfn.Succeed(stack, 'Done');
  const stalled = new sfn.Fail(stack, 'Stalled', {
    error: 'RelayStalled',
    cause: 'no hop acknowledged in time',
  });
  const returned = new sfn.Pass(stack, 'Returned');
  wait.addCatch(escalate, { errors: ['States.Timeout'], resultPath: '$.timeout' });
  wait.addCatch(returned, { errors: ['RelayReturned'], resultPath: '$.returned' });
  wait.next(plan);
  escalate.next(plan);
  returned.next(done);
  plan.next(
    new sfn.Choice(stack, 'Route')
      .when(sfn.Condition.stringEquals('$.plan.next', 'wait'), wait)
      .when(sfn.Condition.stringEquals('$.plan.next', 'done'), done)
      .otherwise(stalled),
  );
  new sfn.StateMachine(stack, 'RelayWorkflow', { definitionBody: sfn.DefinitionBody.fromChainable(plan) });
  return templateOf(stack) as unknown as CloudFormationTemplateJson;
}

/** What the fake sees of each Wait: the payload with its task token. */
export interface WaitPayload {
  action: 'wait';
  incidentId: string;
  hop: number;
  attempt: number;
  dueAt: string;
  timeoutSeconds: number;
  taskToken: string;
}

/**
 * A fake relay-step keeping a little state per incident. Incidents named `timeout-*` are never
 * acknowledged: each wait lasts 1 s and the relay stalls after two escalations. Others wait 30 s
 * once, then are done.
 */
export class FakeRelayStep {
  readonly incidents = new Map<string, { plans: number; escalations: number; waits: WaitPayload[] }>();

  readonly handler: LocalFunction = async (payload) => {
    const event = payload as { action: string; incidentId: string };
    const incident = this.incident(event.incidentId);
    switch (event.action) {
      case 'plan': {
        incident.plans++;
        const short = event.incidentId.startsWith('timeout-');
        const next = short
          ? incident.escalations >= 2
            ? 'stalled'
            : 'wait'
          : incident.plans === 1
            ? 'wait'
            : 'done';
        const timeoutSeconds = short ? 1 : 30;
        const dueAt = new Date(Date.now() + timeoutSeconds * 1000).toISOString();
        return { next, hop: 1, attempt: incident.escalations, dueAt, timeoutSeconds };
      }
      case 'wait':
        incident.waits.push(payload as WaitPayload);
        return { recorded: true };
      case 'escalate':
        incident.escalations++;
        return { escalated: incident.escalations };
      default:
        throw new Error(`unexpected action ${event.action}`);
    }
  };

  incident(id: string) {
    let incident = this.incidents.get(id);
    if (!incident) {
      incident = { plans: 0, escalations: 0, waits: [] };
      this.incidents.set(id, incident);
    }
    return incident;
  }

  /** The payload of the incident's `n`-th wait (0-based), once it has happened. */
  async nthWait(id: string, n: number): Promise<WaitPayload> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const wait = this.incident(id).waits[n];
      if (wait) return wait;
      if (Date.now() > deadline) throw new Error(`${id}: no wait #${n}`);
      await sleep(10);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The real SDK client, pointed at a local endpoint with dummy credentials. */
export function sfnClient(endpoint: string, maxAttempts?: number): SFNClient {
  return new SFNClient({
    region: 'ap-northeast-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(maxAttempts ? { maxAttempts } : {}),
  });
}

/** DescribeExecution once the execution is no longer RUNNING. */
export function closedExecution(
  client: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  return eventually(
    async () => {
      const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    10_000,
    `${executionArn} to close`,
    20,
  );
}

/** Resolves with the rejection of `promise` (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The synthesized template, once per test file. */
export const template = relayTemplate();

/** The relay definition as extractStateMachines resolves it. */
export function relayDefinition(): Record<string, unknown> {
  const [relay] = extractStateMachines(template);
  if (!relay) throw new Error('no state machine in the template');
  return relay.definition;
}

/** Maps the definition's function ARN to the fake. */
export function resolver(fake: FakeRelayStep) {
  return (functionArnOrName: string): LocalFunction => {
    if (localFunctionName(functionArnOrName) !== 'relay-step')
      throw new Error(`unknown ${functionArnOrName}`);
    return fake.handler;
  };
}
