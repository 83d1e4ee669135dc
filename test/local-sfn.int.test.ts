import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudFormationTemplateJson,
  extractStateMachines,
  type LocalFunction,
  type LocalSfn,
  localFunctionName,
  startLocalSfn,
} from '../local/sfn/index.ts';

// The relay workflow's shape (docs/ARCHITECTURE.md, "Relay workflow contract"), synthesized from
// CDK and run through extractStateMachines, plus a Catch for SendTaskFailure's error.
function relayTemplate(): CloudFormationTemplateJson {
  const stack = new Stack();
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
  return Template.fromStack(stack).toJSON() as CloudFormationTemplateJson;
}

interface WaitPayload {
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
class FakeRelayStep {
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sfnClient(endpoint: string, maxAttempts?: number): SFNClient {
  return new SFNClient({
    region: 'ap-northeast-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(maxAttempts ? { maxAttempts } : {}),
  });
}

/** Resolves with the rejection of `promise` (fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const template = relayTemplate();

function relayDefinition(): Record<string, unknown> {
  const [relay] = extractStateMachines(template);
  if (!relay) throw new Error('no state machine in the template');
  return relay.definition;
}

function resolver(fake: FakeRelayStep) {
  return (functionArnOrName: string): LocalFunction => {
    if (localFunctionName(functionArnOrName) !== 'relay-step')
      throw new Error(`unknown ${functionArnOrName}`);
    return fake.handler;
  };
}

describe('local Step Functions endpoint running the relay workflow', () => {
  const fake = new FakeRelayStep();
  let local: LocalSfn;
  let client: SFNClient;
  let machineArn: string;

  beforeAll(async () => {
    local = await startLocalSfn();
    machineArn = local.registerStateMachine('relay', relayDefinition(), resolver(fake));
    client = sfnClient(local.url);
  });

  afterAll(async () => {
    client.destroy();
    await local.close();
  });

  const start = (incidentId: string, input = { incidentId }) =>
    client.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: incidentId,
        input: JSON.stringify(input),
      }),
    );

  async function untilClosed(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') return execution;
      if (Date.now() > deadline) throw new Error(`${executionArn} still running`);
      await sleep(20);
    }
  }

  it('approve: SendTaskSuccess resumes the workflow; a repeated callback changes nothing', async () => {
    const { executionArn } = await start('approve-1');
    expect(executionArn).toBe('arn:aws:states:ap-northeast-1:000000000000:execution:relay:approve-1');
    const wait = await fake.nthWait('approve-1', 0);
    expect(wait).toMatchObject({
      action: 'wait',
      incidentId: 'approve-1',
      hop: 1,
      attempt: 0,
      timeoutSeconds: 30,
    });
    expect(wait.taskToken).toEqual(expect.any(String));
    await client.send(new SendTaskHeartbeatCommand({ taskToken: wait.taskToken }));

    await client.send(
      new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{"approvedBy":"secretariat"}' }),
    );
    const closed = await untilClosed(executionArn ?? '');
    expect(closed.status).toBe('SUCCEEDED');
    expect(JSON.parse(closed.output ?? '{}')).toMatchObject({
      incidentId: 'approve-1',
      callback: { approvedBy: 'secretariat' },
      plan: { next: 'done' },
    });
    expect(closed.stopDate).toBeInstanceOf(Date);
    expect(fake.incident('approve-1').plans).toBe(2);

    const again = await rejection(
      client.send(
        new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{"approvedBy":"twice"}' }),
      ),
    );
    expect(again).toBeInstanceOf(TaskTimedOut);
    const failure = await rejection(client.send(new SendTaskFailureCommand({ taskToken: wait.taskToken })));
    expect(failure).toBeInstanceOf(TaskTimedOut);
    const after = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect({ ...after, $metadata: undefined }).toEqual({ ...closed, $metadata: undefined });
    expect(fake.incident('approve-1').plans).toBe(2);
  });

  it('timeout: each wait times out after ~1 s, Escalate runs, and the relay ends Stalled', async () => {
    const startedAt = Date.now();
    const { executionArn } = await start('timeout-1');
    const first = await fake.nthWait('timeout-1', 0);
    expect(first.timeoutSeconds).toBe(1);
    const second = await fake.nthWait('timeout-1', 1);
    const secondAt = Date.now();
    // A fresh token per task: `$$.Task.Token` is minted each time Wait's Parameters are evaluated.
    expect(second.taskToken).not.toBe(first.taskToken);
    expect(second.attempt).toBe(1);
    expect(fake.incident('timeout-1').escalations).toBe(1);
    expect(secondAt - startedAt).toBeGreaterThanOrEqual(900);
    expect(secondAt - startedAt).toBeLessThan(2_500);

    // The first task has timed out while the execution goes on.
    const late = await rejection(
      client.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' })),
    );
    expect(late).toBeInstanceOf(TaskTimedOut);

    const closed = await untilClosed(executionArn ?? '');
    const elapsed = Date.now() - startedAt;
    expect(closed).toMatchObject({
      status: 'FAILED',
      error: 'RelayStalled',
      cause: 'no hop acknowledged in time',
    });
    expect(fake.incident('timeout-1')).toMatchObject({ plans: 3, escalations: 2 });
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(4_000);
    const lateToo = await rejection(
      client.send(new SendTaskSuccessCommand({ taskToken: second.taskToken, output: '{}' })),
    );
    expect(lateToo).toBeInstanceOf(TaskTimedOut);
  });

  it("SendTaskFailure fails the task with its error, which the state's Catch routes", async () => {
    const { executionArn } = await start('return-1');
    const wait = await fake.nthWait('return-1', 0);
    await client.send(
      new SendTaskFailureCommand({
        taskToken: wait.taskToken,
        error: 'RelayReturned',
        cause: 'secretariat returned it',
      }),
    );
    const closed = await untilClosed(executionArn ?? '');
    expect(closed.status).toBe('SUCCEEDED');
    expect(JSON.parse(closed.output ?? '{}').returned).toEqual({
      Error: 'RelayReturned',
      Cause: 'secretariat returned it',
    });
    expect(fake.incident('return-1').escalations).toBe(0);
  });

  it('StartExecution is idempotent for a running execution with the same name and input', async () => {
    const first = await start('same-1');
    const second = await start('same-1');
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate).toEqual(first.startDate);
    expect(await rejection(start('same-1', { incidentId: 'other' }))).toBeInstanceOf(ExecutionAlreadyExists);
    const wait = await fake.nthWait('same-1', 0);
    expect(fake.incident('same-1').plans).toBe(1);

    const { stopDate } = await client.send(
      new StopExecutionCommand({ executionArn: first.executionArn, error: 'Superseded', cause: 'test' }),
    );
    expect(stopDate).toBeInstanceOf(Date);
    const stopped = await client.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Superseded', cause: 'test' });
    // The stopped execution's task is gone, and a closed execution's name is not reusable (as on AWS).
    expect(
      await rejection(client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{}' }))),
    ).toBeInstanceOf(TaskTimedOut);
    expect(await rejection(start('same-1'))).toBeInstanceOf(ExecutionAlreadyExists);

    const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(executions?.find((e) => e.name === 'same-1')).toMatchObject({
      status: 'ABORTED',
      stopDate: expect.any(Date),
    });
    const aborted = await client.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'ABORTED' }),
    );
    expect(aborted.executions?.map((e) => e.name)).toEqual(['same-1']);
  });

  it("answers bad requests with the service's own errors", async () => {
    expect(
      await rejection(client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' }))),
    ).toBeInstanceOf(InvalidToken);
    expect(
      await rejection(client.send(new SendTaskHeartbeatCommand({ taskToken: 'garbage' }))),
    ).toBeInstanceOf(InvalidToken);
    expect(
      await rejection(
        client.send(
          new StartExecutionCommand({ stateMachineArn: `${machineArn}-missing`, name: 'x', input: '{}' }),
        ),
      ),
    ).toBeInstanceOf(StateMachineDoesNotExist);
    expect(
      await rejection(
        client.send(
          new DescribeExecutionCommand({
            executionArn: `${machineArn.replace('stateMachine', 'execution')}:nope`,
          }),
        ),
      ),
    ).toBeInstanceOf(ExecutionDoesNotExist);

    const { executionArn } = await start('bad-output-1');
    const wait = await fake.nthWait('bad-output-1', 0);
    const invalid = await rejection(
      client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: 'not json' })),
    );
    expect(invalid).toBeInstanceOf(InvalidOutput);
    // A rejected callback leaves the task waiting.
    await client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{}' }));
    expect((await untilClosed(executionArn ?? '')).status).toBe('SUCCEEDED');
  });
});

describe('close()', () => {
  it('aborts running executions, releases their tokens and stops serving', async () => {
    const fake = new FakeRelayStep();
    const local = await startLocalSfn();
    const machineArn = local.registerStateMachine('relay', relayDefinition(), resolver(fake));
    const client = sfnClient(local.url, 1);
    try {
      for (const id of ['close-1', 'close-2']) {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn: machineArn,
            name: id,
            input: JSON.stringify({ incidentId: id }),
          }),
        );
      }
      const wait = await fake.nthWait('close-1', 0);
      await fake.nthWait('close-2', 0);
      expect(
        local
          .listRunning()
          .map((e) => e.name)
          .sort(),
      ).toEqual(['close-1', 'close-2']);
      expect(local.listRunning()[0]?.currentState).toBe('Wait');

      await local.close();
      expect(local.listRunning()).toEqual([]);
      expect(local.executions().map((e) => e.status)).toEqual(['ABORTED', 'ABORTED']);
      expect(fake.incident('close-1').plans).toBe(1);
      const refused = await rejection(
        client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{}' })),
      );
      expect(String(refused)).toMatch(/ECONNREFUSED|socket|connect/i);
      await local.close();
    } finally {
      client.destroy();
      await local.close();
    }
  });
});
