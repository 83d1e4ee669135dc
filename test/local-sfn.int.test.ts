import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSfn, startLocalSfn } from '../local/sfn/index.ts';
import {
  closedExecution,
  FakeRelayStep,
  rejection,
  relayDefinition,
  resolver,
  sfnClient,
} from './support/relay-sfn.ts';

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

  const untilClosed = (executionArn: string) => closedExecution(client, executionArn);

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
