// The Step Functions API operations the endpoint serves, with the wire shapes of the AWS JSON 1.0
// protocol (camelCase members, timestamps as epoch seconds) that @aws-sdk/client-sfn expects.
import { randomUUID } from 'node:crypto';
import { isExecutionArn, isStateMachineArn } from './arn.ts';
import { SfnServiceError } from './errors.ts';
import type { ExecutionInfo, ExecutionStatus, ExecutionStore } from './executions.ts';

type Input = Record<string, unknown>;
type Operation = (store: ExecutionStore, input: Input) => object;

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const DEFAULT_PAGE_SIZE = 100;

/** Operations by name (the part of `X-Amz-Target` after `AWSStepFunctions.`). */
export const operations: Readonly<Record<string, Operation>> = {
  StartExecution(store, input) {
    const machineArn = stateMachineArnParam(input);
    const name = optionalString(input, 'name') ?? randomUUID();
    const execution = store.start(machineArn, name, optionalString(input, 'input') ?? '{}');
    return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
  },

  DescribeExecution(store, input) {
    const execution = store.describe(executionArnParam(input));
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: epochSeconds(execution.startDate),
      ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
      input: execution.input,
      inputDetails: { included: true },
      ...(execution.output !== undefined
        ? { output: execution.output, outputDetails: { included: true } }
        : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    };
  },

  ListExecutions(store, input) {
    const machineArn = optionalString(input, 'stateMachineArn');
    if (machineArn !== undefined && !isStateMachineArn(machineArn)) throw invalidArn(machineArn);
    const status = optionalString(input, 'statusFilter');
    if (status !== undefined && !STATUSES.includes(status as ExecutionStatus)) {
      throw new SfnServiceError('ValidationException', `Invalid statusFilter: ${status}`);
    }
    const maxResults =
      typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : DEFAULT_PAGE_SIZE;
    const offset = Number(optionalString(input, 'nextToken') ?? '0');
    if (!Number.isInteger(offset) || offset < 0)
      throw new SfnServiceError('ValidationException', 'Invalid nextToken');
    const all = store.list({
      ...(machineArn ? { stateMachineArn: machineArn } : {}),
      ...(status ? { status: status as ExecutionStatus } : {}),
    });
    const page = all.slice(offset, offset + Math.min(maxResults, 1000));
    const next = offset + page.length;
    return { executions: page.map(listItem), ...(next < all.length ? { nextToken: String(next) } : {}) };
  },

  StopExecution(store, input) {
    const stopDate = store.stop(
      executionArnParam(input),
      optionalString(input, 'error'),
      optionalString(input, 'cause'),
    );
    return { stopDate: epochSeconds(stopDate) };
  },

  SendTaskSuccess(store, input) {
    store.tokens.succeed(requiredString(input, 'taskToken'), requiredString(input, 'output'));
    return {};
  },

  SendTaskFailure(store, input) {
    store.tokens.fail(
      requiredString(input, 'taskToken'),
      optionalString(input, 'error'),
      optionalString(input, 'cause'),
    );
    return {};
  },

  SendTaskHeartbeat(store, input) {
    store.tokens.heartbeat(requiredString(input, 'taskToken'));
    return {};
  },
};

function listItem(execution: ExecutionInfo): object {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
  };
}

function stateMachineArnParam(input: Input): string {
  const arn = requiredString(input, 'stateMachineArn');
  if (!isStateMachineArn(arn)) throw invalidArn(arn);
  return arn;
}

function executionArnParam(input: Input): string {
  const arn = requiredString(input, 'executionArn');
  if (!isExecutionArn(arn)) throw invalidArn(arn);
  return arn;
}

function invalidArn(arn: string): SfnServiceError {
  return new SfnServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
}

function requiredString(input: Input, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined) {
    throw new SfnServiceError(
      'ValidationException',
      `1 validation error detected: '${member}' must not be null`,
    );
  }
  return value;
}

function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new SfnServiceError('ValidationException', `'${member}' must be a string`);
  return value;
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
