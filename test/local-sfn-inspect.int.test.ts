import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSfn, startLocalSfn } from '../local/sfn/index.ts';
import { eventually } from './support/eventually.ts';
import {
  closedExecution,
  FakeRelayStep,
  rejection,
  relayDefinition,
  resolver,
  sfnClient,
} from './support/relay-sfn.ts';

// What an operator asks the local Step Functions endpoint with the real SDK (the AWS CLI sends
// the same requests): the state machines, the executions, their history, and stopping one.

/** Every event of an execution, walking the pages as a client would. */
async function fullHistory(
  client: SFNClient,
  executionArn: string,
  options: { maxResults?: number; reverseOrder?: boolean } = {},
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, ...options, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const types = (events: HistoryEvent[]) => events.map((e) => e.type);
/** A Task state whose Resource is a Lambda function ARN (Plan, Escalate), as AWS's history shows it. */
const LAMBDA_TASK = [
  'TaskStateEntered',
  'LambdaFunctionScheduled',
  'LambdaFunctionStarted',
  'LambdaFunctionSucceeded',
  'TaskStateExited',
];
const CHOICE = ['ChoiceStateEntered', 'ChoiceStateExited'];

describe('the local Step Functions endpoint, as an operator inspects it', () => {
  const fake = new FakeRelayStep();
  let local: LocalSfn;
  let client: SFNClient;
  let relayArn: string;
  let otherArn: string;

  beforeAll(async () => {
    local = await startLocalSfn();
    relayArn = local.registerStateMachine('RelayWorkflow', relayDefinition(), resolver(fake));
    otherArn = local.registerStateMachine('AdvisoryWorkflow', relayDefinition(), resolver(fake));
    client = sfnClient(local.url);
  });

  afterAll(async () => {
    client.destroy();
    await local.close();
  });

  const start = async (name: string, machine = relayArn) => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: machine,
        name,
        input: JSON.stringify({ incidentId: name }),
      }),
    );
    if (!executionArn) throw new Error('no execution ARN');
    return executionArn;
  };

  it('lists the state machines page by page and describes each with the definition it runs', async () => {
    const first = await client.send(new ListStateMachinesCommand({ maxResults: 1 }));
    expect(first.stateMachines).toEqual([
      { stateMachineArn: relayArn, name: 'RelayWorkflow', type: 'STANDARD', creationDate: expect.any(Date) },
    ]);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await client.send(
      new ListStateMachinesCommand({ maxResults: 1, nextToken: first.nextToken }),
    );
    expect(second.stateMachines?.map((m) => m.stateMachineArn)).toEqual([otherArn]);
    expect(second.nextToken).toBeUndefined();

    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: relayArn }));
    expect(described).toMatchObject({
      stateMachineArn: relayArn,
      name: 'RelayWorkflow',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
    });
    // The definition as registered, not the rewrite the library runs (no local-only keys).
    expect(JSON.parse(described.definition ?? '')).toEqual(relayDefinition());
    expect(described.definition).not.toContain('localSfn');
  });

  it('answers unknown state machines, malformed ARNs and foreign page tokens with AWS error codes', async () => {
    expect(
      await rejection(client.send(new DescribeStateMachineCommand({ stateMachineArn: `${relayArn}Gone` }))),
    ).toBeInstanceOf(StateMachineDoesNotExist);
    expect(
      await rejection(client.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' }))),
    ).toBeInstanceOf(InvalidArn);
    expect(
      await rejection(client.send(new ListStateMachinesCommand({ nextToken: 'garbage' }))),
    ).toBeInstanceOf(InvalidToken);
    expect(
      await rejection(
        client.send(
          new GetExecutionHistoryCommand({
            executionArn: `${relayArn.replace('stateMachine', 'execution')}:nope`,
          }),
        ),
      ),
    ).toBeInstanceOf(ExecutionDoesNotExist);
    expect(await rejection(client.send(new ListStateMachinesCommand({ maxResults: 1001 })))).toBeInstanceOf(
      ValidationException,
    );
  });

  it("records an approved relay's history with AWS's event types, ids and order", async () => {
    const executionArn = await start('history-approve');
    const wait = await fake.nthWait('history-approve', 0);
    // While it waits for the callback, the history ends with the submitted task.
    const waiting = await eventually(
      async () => {
        const events = await fullHistory(client, executionArn);
        return events.at(-1)?.type === 'TaskSubmitted' && events;
      },
      10_000,
      'TaskSubmitted',
    );
    // A Lambda task (Plan), the Choice (Route), then the Wait task, submitted and waiting.
    const planned = ['ExecutionStarted', ...LAMBDA_TASK, ...CHOICE];
    expect(types(waiting)).toEqual([
      ...planned,
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
    ]);
    await client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{"approved":true}' }));
    await closedExecution(client, executionArn);
    const events = await fullHistory(client, executionArn);
    expect(types(events).slice(waiting.length)).toEqual([
      'TaskSucceeded',
      'TaskStateExited',
      ...LAMBDA_TASK,
      ...CHOICE,
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    const times = events.map((e) => e.timestamp?.getTime() ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(JSON.parse(events[0]?.executionStartedEventDetails?.input ?? '')).toEqual({
      incidentId: 'history-approve',
    });
    expect(events[2]?.lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: 'arn:aws:lambda:ap-northeast-1:000000000000:function:relay-step',
      timeoutInSeconds: 30,
    });
    expect(JSON.parse(events[2]?.lambdaFunctionScheduledEventDetails?.input ?? '')).toEqual({
      action: 'plan',
      incidentId: 'history-approve',
    });
    expect(JSON.parse(events[4]?.lambdaFunctionSucceededEventDetails?.output ?? '')).toMatchObject({
      next: 'wait',
    });
    expect(events[8]?.stateEnteredEventDetails?.name).toBe('Wait');
    expect(events[9]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: 'ap-northeast-1',
      timeoutInSeconds: 30,
    });
    expect(JSON.parse(events[9]?.taskScheduledEventDetails?.parameters ?? '')).toMatchObject({
      Payload: { action: 'wait', incidentId: 'history-approve', taskToken: wait.taskToken },
    });
    expect(JSON.parse(events[12]?.taskSucceededEventDetails?.output ?? '')).toEqual({ approved: true });
    expect(JSON.parse(events.at(-1)?.executionSucceededEventDetails?.output ?? '')).toMatchObject({
      callback: { approved: true },
    });
  });

  it('records a missed deadline as TaskTimedOut, the Catch to Escalate, and the Fail state', async () => {
    const executionArn = await start('timeout-history');
    await closedExecution(client, executionArn);
    const events = await fullHistory(client, executionArn);
    const timedOut = events.filter((e) => e.type === 'TaskTimedOut');
    expect(timedOut).toHaveLength(2);
    expect(timedOut[0]?.taskTimedOutEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.Timeout',
    });
    const afterTimeout = events.indexOf(timedOut[0] as HistoryEvent);
    expect(types(events.slice(afterTimeout, afterTimeout + 3))).toEqual([
      'TaskTimedOut',
      'TaskStateExited',
      'TaskStateEntered',
    ]);
    expect(events[afterTimeout + 2]?.stateEnteredEventDetails?.name).toBe('Escalate');
    expect(types(events.slice(-2))).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(events.at(-1)?.executionFailedEventDetails).toEqual({
      error: 'RelayStalled',
      cause: 'no hop acknowledged in time',
    });
  });

  it('pages a history forwards and in reverse, and leaves execution data out on request', async () => {
    const executionArn = await start('history-pages');
    const wait = await fake.nthWait('history-pages', 0);
    await client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{}' }));
    await closedExecution(client, executionArn);
    const all = await fullHistory(client, executionArn);
    expect(all.length).toBeGreaterThan(20);
    const first = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 5 }));
    expect(first.events?.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(await fullHistory(client, executionArn, { maxResults: 5 })).toEqual(all);
    expect(await fullHistory(client, executionArn, { maxResults: 7, reverseOrder: true })).toEqual(
      [...all].reverse(),
    );
    // A token belongs to its own query: another order, or another execution, is InvalidToken.
    expect(
      await rejection(
        client.send(
          new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: first.nextToken }),
        ),
      ),
    ).toBeInstanceOf(InvalidToken);
    const bare = await client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1, includeExecutionData: false }),
    );
    expect(bare.events?.[0]?.executionStartedEventDetails).toEqual({ inputDetails: { truncated: false } });
  });

  it('lists executions by status, newest first, in pages that executions started meanwhile do not shift', async () => {
    const names = ['list-a', 'list-b', 'list-c'];
    for (const name of names) {
      await start(name, otherArn);
      await fake.nthWait(name, 0);
    }
    const first = await client.send(
      new ListExecutionsCommand({ stateMachineArn: otherArn, statusFilter: 'RUNNING', maxResults: 2 }),
    );
    expect(first.executions?.map((e) => e.name)).toEqual(['list-c', 'list-b']);
    expect(first.executions?.[0]).toMatchObject({
      stateMachineArn: otherArn,
      status: 'RUNNING',
      startDate: expect.any(Date),
    });
    await start('list-d', otherArn);
    const second = await client.send(
      new ListExecutionsCommand({
        stateMachineArn: otherArn,
        statusFilter: 'RUNNING',
        maxResults: 2,
        nextToken: first.nextToken,
      }),
    );
    expect(second.executions?.map((e) => e.name)).toEqual(['list-a']);
    expect(second.nextToken).toBeUndefined();
    const succeeded = await client.send(
      new ListExecutionsCommand({ stateMachineArn: otherArn, statusFilter: 'SUCCEEDED' }),
    );
    expect(succeeded.executions).toEqual([]);
    expect(
      await rejection(
        client.send(new ListExecutionsCommand({ stateMachineArn: otherArn, statusFilter: 'DONE' as never })),
      ),
    ).toBeInstanceOf(ValidationException);
    expect(
      await rejection(
        client.send(new ListExecutionsCommand({ stateMachineArn: relayArn, nextToken: first.nextToken })),
      ),
    ).toBeInstanceOf(InvalidToken);
  });

  it('stops a running execution: ABORTED with its error and cause, history closed, token gone', async () => {
    const executionArn = await start('stop-me');
    const wait = await fake.nthWait('stop-me', 0);
    const { stopDate } = await client.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped from the CLI' }),
    );
    expect(stopDate).toBeInstanceOf(Date);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      cause: 'stopped from the CLI',
    });
    const events = await eventually(
      async () => {
        const all = await fullHistory(client, executionArn);
        return all.at(-1)?.type === 'ExecutionAborted' && all;
      },
      10_000,
      'ExecutionAborted',
    );
    expect(events.at(-1)?.executionAbortedEventDetails).toEqual({
      error: 'Operator',
      cause: 'stopped from the CLI',
    });
    expect(
      await rejection(client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{}' }))),
    ).toBeInstanceOf(TaskTimedOut);
  });
});

describe('restarting the local Step Functions endpoint on the same history file', () => {
  it('keeps every execution and its history; one that was running is ABORTED, and its name stays taken', async () => {
    const historyFile = join(mkdtempSync(join(tmpdir(), 'ceptoar-sfn-')), 'executions.ndjson');
    const fake = new FakeRelayStep();
    let local = await startLocalSfn({ historyFile });
    let arn = local.registerStateMachine('RelayWorkflow', relayDefinition(), resolver(fake));
    let client = sfnClient(local.url);
    const start = (name: string) =>
      client.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          name,
          input: JSON.stringify({ incidentId: name }),
        }),
      );
    const done = (await start('restart-done')).executionArn ?? '';
    const wait = await fake.nthWait('restart-done', 0);
    await client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{}' }));
    await closedExecution(client, done);
    const running = (await start('restart-running')).executionArn ?? '';
    await fake.nthWait('restart-running', 0);
    const before = await fullHistory(client, done);
    const runningBefore = await fullHistory(client, running);
    client.destroy();
    await local.close();

    local = await startLocalSfn({ historyFile });
    try {
      arn = local.registerStateMachine('RelayWorkflow', relayDefinition(), resolver(fake));
      client = sfnClient(local.url);
      const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: arn }));
      expect(listed.executions?.map((e) => [e.name, e.status])).toEqual([
        ['restart-running', 'ABORTED'],
        ['restart-done', 'SUCCEEDED'],
      ]);
      expect(await fullHistory(client, done)).toEqual(before);
      const after = await fullHistory(client, running);
      expect(after.slice(0, runningBefore.length)).toEqual(runningBefore);
      expect(after.at(-1)).toMatchObject({
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { cause: expect.stringContaining('stopped while this execution ran') },
      });
      expect(await client.send(new DescribeExecutionCommand({ executionArn: done }))).toMatchObject({
        status: 'SUCCEEDED',
        output: expect.stringContaining('restart-done'),
      });
      expect(await rejection(start('restart-done'))).toBeInstanceOf(ExecutionAlreadyExists);
    } finally {
      client.destroy();
      await local.close();
    }
  });
});
