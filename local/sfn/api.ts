// The Step Functions API operations the endpoint serves, with the wire shapes of the AWS JSON 1.0
// protocol (camelCase members, timestamps as epoch seconds) that @aws-sdk/client-sfn expects.
import { randomUUID } from 'node:crypto';
import { isExecutionArn, isStateMachineArn } from './arn.ts';
import { SfnServiceError } from './errors.ts';
import type { ExecutionInfo, ExecutionStatus, ExecutionStore } from './executions.ts';
import type { HistoryEvent } from './history.ts';

type Input = Record<string, unknown>;
type Operation = (store: ExecutionStore, input: Input) => object;

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Members that carry execution data, left out when `includeExecutionData` is false (as AWS does). */
const DATA_MEMBERS = new Set(['input', 'output', 'parameters', 'cause']);

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
      throw new SfnServiceError(
        'ValidationException',
        `1 validation error detected: Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
      );
    }
    const all = store.list({
      ...(machineArn ? { stateMachineArn: machineArn } : {}),
      ...(status ? { status: status as ExecutionStatus } : {}),
    });
    const { items, nextToken } = page(
      all,
      (e) => e.executionArn,
      input,
      `executions ${machineArn} ${status}`,
    );
    return { executions: items.map(listItem), ...(nextToken ? { nextToken } : {}) };
  },

  ListStateMachines(store, input) {
    const { items, nextToken } = page(
      store.stateMachines(),
      (m) => m.stateMachineArn,
      input,
      'state machines',
    );
    return {
      stateMachines: items.map((m) => ({
        stateMachineArn: m.stateMachineArn,
        name: m.name,
        type: 'STANDARD',
        creationDate: epochSeconds(m.creationDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  DescribeStateMachine(store, input) {
    const machine = store.describeStateMachine(stateMachineArnParam(input));
    return {
      stateMachineArn: machine.stateMachineArn,
      name: machine.name,
      status: 'ACTIVE',
      definition: JSON.stringify(machine.definition),
      roleArn: store.roleArn(machine.name),
      type: 'STANDARD',
      creationDate: epochSeconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  },

  GetExecutionHistory(store, input) {
    const arn = executionArnParam(input);
    const reverse = optionalBoolean(input, 'reverseOrder') ?? false;
    const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
    const events = [...store.history(arn)];
    if (reverse) events.reverse();
    const { items, nextToken } = page(events, (e) => String(e.id), input, `history ${arn} ${reverse}`);
    return {
      events: items.map((event) => wireEvent(event, includeData)),
      ...(nextToken ? { nextToken } : {}),
    };
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

/**
 * One page of `items` (maxResults, default 100, at most 1000) after the one `nextToken` names.
 * The token is opaque, names the last item returned (so items added meanwhile do not shift the
 * pages) and is only valid for the same query (`query`): anything else is InvalidToken, as on AWS.
 */
function page<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: Input,
  query: string,
): { items: T[]; nextToken?: string } {
  const raw = input.maxResults;
  if (
    raw !== undefined &&
    raw !== null &&
    (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_PAGE_SIZE)
  ) {
    throw new SfnServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(raw)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`,
    );
  }
  const size = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_PAGE_SIZE;
  const token = optionalString(input, 'nextToken');
  let start = 0;
  if (token !== undefined) {
    const after = decodeToken(token, query);
    const index = items.findIndex((item) => keyOf(item) === after);
    if (index < 0) throw new SfnServiceError('InvalidToken', 'Invalid Token: the page it names is gone');
    start = index + 1;
  }
  const slice = items.slice(start, start + size);
  const last = slice.at(-1);
  return {
    items: slice,
    ...(last !== undefined && start + size < items.length
      ? { nextToken: encodeToken(query, keyOf(last)) }
      : {}),
  };
}

function encodeToken(query: string, after: string): string {
  return Buffer.from(JSON.stringify({ q: query, a: after })).toString('base64url');
}

function decodeToken(token: string, query: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      q?: unknown;
      a?: unknown;
    };
    if (parsed.q === query && typeof parsed.a === 'string') return parsed.a;
  } catch {
    // not one of ours: InvalidToken below
  }
  throw new SfnServiceError('InvalidToken', 'Invalid Token: not a token of this request');
}

/** A history event on the wire: timestamps in epoch seconds, execution data left out on request. */
function wireEvent(event: HistoryEvent, includeData: boolean): object {
  const { timestamp, ...rest } = event;
  const wire: Record<string, unknown> = { ...rest, timestamp: epochSeconds(timestamp) };
  if (includeData) return wire;
  for (const [key, value] of Object.entries(wire)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    wire[key] = Object.fromEntries(Object.entries(value).filter(([member]) => !DATA_MEMBERS.has(member)));
  }
  return wire;
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

function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new SfnServiceError('ValidationException', `'${member}' must be a boolean`);
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
