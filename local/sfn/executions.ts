// State machines and their executions, in memory: the behaviour behind the API operations.
import './polyfill.ts';
import { ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { type ArnScope, executionArn, stateMachineArn } from './arn.ts';
import { SfnServiceError } from './errors.ts';
import type { ExecutionLog, StoredExecution } from './execution-log.ts';
import { abortedEvent, closingEvent, type HistoryEvent, HistoryRecorder } from './history.ts';
import { prepareDefinition, type TaskSpec, taskHandlers } from './tasks.ts';
import { TaskTokens } from './tokens.ts';
import type { FunctionResolver, Json, SfnLog } from './types.ts';

/** Status of an execution, as DescribeExecution reports it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A snapshot of one execution. */
export interface ExecutionInfo {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** The input as given to StartExecution (JSON text). */
  readonly input: string;
  /** JSON text of the result, when SUCCEEDED. */
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** The state last entered (from the library's event log, so it may lag a moment). */
  readonly currentState?: string;
}

/** A registered state machine, as DescribeStateMachine reports it. */
export interface StateMachineInfo {
  readonly stateMachineArn: string;
  readonly name: string;
  /** The definition as registered (for the local stack: the synthesized one), not the library's rewrite. */
  readonly definition: object;
  readonly creationDate: Date;
}

interface RegisteredMachine {
  readonly arn: string;
  readonly name: string;
  readonly definition: object;
  readonly creationDate: Date;
  readonly machine: StateMachine;
  readonly tasks: ReadonlyMap<string, TaskSpec>;
  readonly resolveFunction: FunctionResolver;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ExecutionRecord extends Mutable<ExecutionInfo> {
  /** Token minted by `$$.Task.Token` and not yet claimed by a task handler. */
  mintedToken?: string;
  abort?: () => void;
  /** Settles once the library's result and event log are both finished. */
  settled?: Promise<void>;
  history: HistoryRecorder;
}

/** Why an execution is ABORTED that nobody stopped: it ran in memory, and the endpoint stopped. */
const STOPPED_WHILE_RUNNING = 'the local Step Functions endpoint stopped while this execution ran';

type Outcome = Pick<ExecutionInfo, 'status' | 'output' | 'error' | 'cause'>;
type Run = ReturnType<StateMachine['run']>;
type EventLog = Run['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** The in-memory Step Functions service of one local endpoint. */
export class ExecutionStore {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly records = new Map<string, ExecutionRecord>();
  private closed = false;
  /** Task tokens of all executions. */
  readonly tokens: TaskTokens;

  constructor(
    private readonly scope: ArnScope,
    private readonly log: SfnLog,
    private readonly executionLog?: ExecutionLog,
  ) {
    this.tokens = new TaskTokens(log);
    for (const stored of executionLog?.load() ?? []) this.restore(stored);
  }

  /** An execution read back from the log; one that was running cannot go on and is closed as ABORTED. */
  private restore(stored: StoredExecution): void {
    const { events, ...execution } = stored;
    let closing = closingEvent(events);
    const last = events.at(-1);
    if (!closing && last) {
      closing = abortedEvent(last, new Date(), STOPPED_WHILE_RUNNING);
      events.push(closing);
      this.executionLog?.event(stored.executionArn, closing);
    }
    const record: ExecutionRecord = {
      ...execution,
      status: 'ABORTED',
      history: new HistoryRecorder(
        this.scope.region,
        () => {},
        () => ({}),
        events,
      ),
      ...(closing ? { stopDate: closing.timestamp, ...outcomeOf(closing) } : {}),
    };
    this.records.set(stored.executionArn, record);
  }

  /**
   * Registers (or replaces, for later executions) a state machine; returns its ARN. The library
   * validates the definition (0.4-0.9 s for the five of the stack) unless `validated` says a
   * {@link validateStateMachine} of this definition passed already.
   */
  register(name: string, definition: object, resolveFunction: FunctionResolver, validated = false): string {
    const prepared = prepareDefinition(definition);
    // Fail at start-up, not at the first execution, when a named function is unknown.
    for (const spec of prepared.tasks.values()) if (spec.staticFunction) resolveFunction(spec.staticFunction);
    const machine = new StateMachine(
      prepared.definition,
      validated ? { validationOptions: { noValidate: true } } : undefined,
    );
    const arn = stateMachineArn(this.scope, name);
    const creationDate = this.machines.get(arn)?.creationDate ?? new Date();
    this.machines.set(arn, {
      arn,
      name,
      definition: JSON.parse(JSON.stringify(definition)) as object,
      creationDate,
      machine,
      tasks: prepared.tasks,
      resolveFunction,
    });
    this.log('sfn state machine registered', { stateMachineArn: arn, tasks: [...prepared.tasks.keys()] });
    return arn;
  }

  /** StartExecution; a running execution with the same name and input is returned again (AWS idempotency). */
  start(machineArn: string, name: string, input: string): ExecutionInfo {
    if (this.closed) throw new Error('the local Step Functions endpoint is closing');
    const registered = this.machines.get(machineArn);
    if (!registered)
      throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${machineArn}'`);
    if (!isValidName(name)) throw new SfnServiceError('InvalidName', `Invalid Name: '${name}'`);
    let parsedInput: Json;
    try {
      parsedInput = JSON.parse(input) as Json;
    } catch {
      throw new SfnServiceError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: input is not JSON',
      );
    }
    const arn = executionArn(machineArn, name);
    const existing = this.records.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && sameJson(JSON.parse(existing.input), parsedInput))
        return snapshot(existing);
      throw new SfnServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startDate = new Date();
    this.executionLog?.started({ executionArn: arn, stateMachineArn: machineArn, name, input, startDate });
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machineArn,
      name,
      status: 'RUNNING',
      input,
      startDate,
      history: new HistoryRecorder(
        this.scope.region,
        (event) => this.executionLog?.event(arn, event),
        () => ({ error: record.error, cause: record.cause }),
      ),
    };
    this.records.set(arn, record);
    this.run(registered, record, parsedInput);
    return snapshot(record);
  }

  /** DescribeExecution. */
  describe(arn: string): ExecutionInfo {
    return snapshot(this.record(arn));
  }

  /** GetExecutionHistory: every event so far, oldest first. */
  history(arn: string): readonly HistoryEvent[] {
    return this.record(arn).history.all;
  }

  /** ListStateMachines, in registration order. */
  stateMachines(): StateMachineInfo[] {
    return [...this.machines.values()].map(machineInfo);
  }

  /** The role a state machine would run as on AWS (nothing assumes it locally). */
  roleArn(stateMachineName: string): string {
    return `arn:${this.scope.partition ?? 'aws'}:iam::${this.scope.accountId}:role/${stateMachineName}-role`;
  }

  /** DescribeStateMachine. */
  describeStateMachine(arn: string): StateMachineInfo {
    const machine = this.machines.get(arn);
    if (!machine)
      throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machineInfo(machine);
  }

  /** Executions, newest first, optionally of one state machine and/or one status. */
  list(filter: { stateMachineArn?: string; status?: ExecutionStatus } = {}): ExecutionInfo[] {
    if (filter.stateMachineArn && !this.machines.has(filter.stateMachineArn)) {
      throw new SfnServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${filter.stateMachineArn}'`,
      );
    }
    return [...this.records.values()]
      .filter((r) => !filter.stateMachineArn || r.stateMachineArn === filter.stateMachineArn)
      .filter((r) => !filter.status || r.status === filter.status)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map(snapshot);
  }

  /** StopExecution: aborts a running execution (a closed one is left as it is); returns the stop date. */
  stop(arn: string, error?: string, cause?: string): Date {
    const record = this.record(arn);
    this.finish(record, { status: 'ABORTED', error, cause });
    return record.stopDate ?? new Date();
  }

  /** Aborts every running execution and waits until the library has let go of them. */
  async stopAll(): Promise<void> {
    this.closed = true;
    const records = [...this.records.values()];
    for (const record of records) this.finish(record, { status: 'ABORTED', cause: STOPPED_WHILE_RUNNING });
    await Promise.all(records.map((record) => record.settled));
  }

  private record(arn: string): ExecutionRecord {
    const record = this.records.get(arn);
    if (!record) throw new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  private run(registered: RegisteredMachine, record: ExecutionRecord, input: Json): void {
    const { executionArn: arn } = record;
    const tokens = this.tokens;
    const handlers = taskHandlers(registered.tasks, {
      executionArn: arn,
      tokens,
      resolveFunction: registered.resolveFunction,
      log: this.log,
      observer: record.history,
      claimToken: () => {
        const token = record.mintedToken;
        record.mintedToken = undefined;
        return token;
      },
    });
    const run = registered.machine.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      // Aborting resolves the result with null instead of rejecting (no unhandled rejection).
      noThrowOnAbort: true,
      // The library spreads this object once per execution, so the nested Task object keeps its
      // getter: each evaluation of `$$.Task.Token` in Parameters mints the token of that task,
      // memoized until the task's handler claims it (so the token is the same if read twice).
      context: {
        Execution: { Id: arn, Name: record.name },
        StateMachine: { Id: registered.arn, Name: registered.name },
        Task: {
          get Token(): string {
            record.mintedToken ??= tokens.mint();
            return record.mintedToken;
          },
        },
      },
    });
    record.abort = run.abort;
    const result = run.result.then(
      (output) => {
        this.finish(record, { status: 'SUCCEEDED', output: JSON.stringify(output) });
      },
      (error: unknown) => {
        this.finish(record, failure(error));
      },
    );
    const events = this.follow(record, run.eventLogs).catch((error: unknown) => {
      this.log('sfn event log failed', { executionArn: arn, error: String(error) });
    });
    record.settled = Promise.all([result, events]).then(() => undefined);
    this.log('sfn execution started', { executionArn: arn });
  }

  /** Consumes the event log (it buffers otherwise) into the history, the current state and the debug log. */
  private async follow(record: ExecutionRecord, events: AsyncGenerator<EventLog>): Promise<void> {
    for await (const event of events) {
      record.history.library(event);
      if ('state' in event && !('parentState' in event)) {
        if (event.type === 'StateEntered') record.currentState = event.state.name;
        const error = 'Error' in event ? { error: event.Error } : {};
        this.log(`sfn ${event.type}`, {
          executionArn: record.executionArn,
          state: event.state.name,
          ...error,
        });
      }
    }
  }

  /** Closes `record` once (first outcome wins), releasing its task tokens. */
  private finish(record: ExecutionRecord, outcome: Outcome): void {
    if (record.status !== 'RUNNING') return;
    Object.assign(record, withoutUndefined(outcome), { stopDate: new Date() });
    if (outcome.status === 'ABORTED') record.abort?.();
    this.tokens.closeExecution(record.executionArn);
    this.log('sfn execution closed', {
      executionArn: record.executionArn,
      status: record.status,
      ...(record.error ? { error: record.error } : {}),
    });
  }
}

function failure(error: unknown): Outcome {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  }
  // ExecutionError wraps the state's error, whose name is what Catch would have matched.
  const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}

function snapshot(record: ExecutionRecord): ExecutionInfo {
  const { mintedToken: _token, abort: _abort, settled: _settled, history: _history, ...info } = record;
  return { ...info };
}

function machineInfo(machine: RegisteredMachine): StateMachineInfo {
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    definition: machine.definition,
    creationDate: machine.creationDate,
  };
}

/** Status, output or error of an execution, from the event that closed it. */
function outcomeOf(closing: HistoryEvent): Outcome {
  const details = (key: string) =>
    (closing[key] ?? {}) as { output?: string; error?: string; cause?: string };
  switch (closing.type) {
    case 'ExecutionSucceeded':
      return withoutUndefined({
        status: 'SUCCEEDED',
        output: details('executionSucceededEventDetails').output,
      }) as Outcome;
    case 'ExecutionFailed': {
      const { error, cause } = details('executionFailedEventDetails');
      return withoutUndefined({ status: 'FAILED', error, cause }) as Outcome;
    }
    case 'ExecutionTimedOut': {
      const { error, cause } = details('executionTimedOutEventDetails');
      return withoutUndefined({ status: 'TIMED_OUT', error, cause }) as Outcome;
    }
    default: {
      const { error, cause } = details('executionAbortedEventDetails');
      return withoutUndefined({ status: 'ABORTED', error, cause }) as Outcome;
    }
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** AWS: 1–80 characters, no whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
    if (/\s/.test(char) || '<>{}[]?*"#%\\^|~`$&,;:/'.includes(char)) return false;
  }
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aEntries = Object.entries(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aEntries.length === Object.keys(b).length &&
    aEntries.every(([key, value]) => Object.hasOwn(bRecord, key) && sameJson(value, bRecord[key]))
  );
}

/**
 * Checks a definition as {@link ExecutionStore.register} does (the library's validation of the
 * rewritten definition); throws on an invalid one. A test run validates its state machines once
 * with this and registers them in every stack unvalidated.
 */
export function validateStateMachine(definition: object): void {
  new StateMachine(prepareDefinition(definition).definition);
}
