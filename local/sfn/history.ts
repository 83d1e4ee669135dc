// Execution history with the Step Functions API's event types (GetExecutionHistory), built from
// aws-local-stepfunctions' event log and from what the local task handlers observe.
//
// The library logs ExecutionStarted, StateEntered/Exited/Failed/Retried/Caught and the execution's
// end; it knows nothing of a Task's integration. The task handlers (tasks.ts) report each attempt:
// scheduled (with its Parameters and timeout), submitted (a .waitForTaskToken function returned),
// succeeded (its result). The handlers run synchronously inside the library while its log is read
// asynchronously, so a report may come before or after the state's StateEntered has been read:
// attempts wait in a queue per state name until their StateEntered (or StateRetried) is read,
// and each event is appended as soon as everything it needs is known, in AWS's order.
import type { Json } from './types.ts';

/** One event of GetExecutionHistory, as the wire carries it but with a Date. */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [details: string]: unknown;
}

/**
 * What the local handlers know of a Task's resource. AWS records a service integration
 * (`arn:aws:states:::lambda:invoke…`) as Task* events with resourceType/resource, and a bare
 * Lambda function ARN as LambdaFunction* events.
 */
export type TaskResource =
  | { readonly kind: 'integration'; readonly resourceType: string; readonly resource: string }
  | { readonly kind: 'function'; readonly functionArn: string };

/** One attempt of a Task state, as its handler reports it. */
export interface TaskAttempt {
  /** A `.waitForTaskToken` function returned: the task now waits for its callback. */
  submitted(output: Json): void;
  /** The task's result (before ResultSelector/ResultPath). */
  succeeded(output: Json): void;
}

/** Receives attempts from the task handlers of one execution. */
export interface TaskObserver {
  scheduled(stateName: string, resource: TaskResource, parameters: Json, timeoutSeconds: number): TaskAttempt;
}

/** The library's events, the members read here. */
export interface LibraryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input?: unknown;
    readonly output?: unknown;
  };
  readonly parentState?: unknown;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
}

interface AttemptRecord {
  readonly resource: TaskResource;
  readonly parameters: Json;
  readonly timeoutSeconds: number;
  submitted?: { output: Json; at: number };
  result?: Json;
  /** Which events of this attempt are in the history already. */
  emitted: 'none' | 'started' | 'submitted';
}

interface OpenState {
  attempt?: AttemptRecord;
}

/** The end of an execution as the history records it. */
export interface ExecutionEnd {
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}

/** Builds one execution's history; `onEvent` sees every event once, in order (to persist it). */
export class HistoryRecorder implements TaskObserver {
  private readonly events: HistoryEvent[] = [];
  private readonly queued = new Map<string, AttemptRecord[]>();
  private readonly open = new Map<string, OpenState>();

  constructor(
    private readonly region: string,
    private readonly onEvent: (event: HistoryEvent) => void,
    /** The error and cause StopExecution gave (read when the library reports the abort). */
    private readonly abortReason: () => ExecutionEnd,
    loaded: readonly HistoryEvent[] = [],
  ) {
    this.events.push(...loaded);
  }

  /** The events so far, oldest first. */
  get all(): readonly HistoryEvent[] {
    return this.events;
  }

  scheduled(
    stateName: string,
    resource: TaskResource,
    parameters: Json,
    timeoutSeconds: number,
  ): TaskAttempt {
    const attempt: AttemptRecord = { resource, parameters, timeoutSeconds, emitted: 'none' };
    const queue = this.queued.get(stateName) ?? [];
    queue.push(attempt);
    this.queued.set(stateName, queue);
    this.bind(stateName);
    return {
      submitted: (output) => {
        attempt.submitted = { output, at: Date.now() };
        this.pump(stateName);
      },
      succeeded: (output) => {
        attempt.result = output;
      },
    };
  }

  /** Appends what one event of the library's log means in AWS's terms. */
  library(event: LibraryEvent): void {
    if (event.parentState !== undefined) return; // Map/Parallel iterations: not used by these machines
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        this.append(at, 'ExecutionStarted', {
          executionStartedEventDetails: { input: json(event.input), inputDetails: { truncated: false } },
        });
        return;
      case 'ExecutionSucceeded':
        this.append(at, 'ExecutionSucceeded', {
          executionSucceededEventDetails: { output: json(event.output), outputDetails: { truncated: false } },
        });
        return;
      case 'ExecutionFailed':
        this.append(at, 'ExecutionFailed', {
          executionFailedEventDetails: errorDetails(event.Error, event.Cause),
        });
        return;
      case 'ExecutionAborted': {
        const { error, cause } = this.abortReason();
        this.append(at, 'ExecutionAborted', { executionAbortedEventDetails: errorDetails(error, cause) });
        return;
      }
      case 'ExecutionTimeout':
        this.append(at, 'ExecutionTimedOut', {
          executionTimedOutEventDetails: errorDetails('States.Timeout', 'The execution timed out'),
        });
        return;
    }
    const state = event.state;
    if (!state) return;
    const prefix = `${state.type}State`;
    switch (event.type) {
      case 'StateEntered':
        this.append(at, `${prefix}Entered`, {
          stateEnteredEventDetails: {
            name: state.name,
            input: json(state.input),
            inputDetails: { truncated: false },
          },
        });
        if (state.type === 'Task') this.enterTask(state.name);
        return;
      case 'StateRetried':
        if (state.type === 'Task') this.enterTask(state.name);
        return;
      case 'StateExited':
        if (state.type === 'Task') this.endTask(state.name, at, 'Succeeded');
        this.append(at, `${prefix}Exited`, {
          stateExitedEventDetails: {
            name: state.name,
            output: json(state.output),
            outputDetails: { truncated: false },
          },
        });
        return;
      case 'StateFailed':
        // A Fail state's error is the execution's (ExecutionFailed follows); only a Task reports its own.
        if (state.type !== 'Task') return;
        this.endTask(
          state.name,
          at,
          event.Error === 'States.Timeout' ? 'TimedOut' : 'Failed',
          event.Error,
          event.Cause,
        );
        return;
      // StateCaught needs nothing: the library exits the state (StateExited, read above) with the
      // error as its result and moves on to the Catch's Next, as AWS's history shows it.
    }
  }

  private enterTask(stateName: string): void {
    this.open.set(stateName, {});
    this.bind(stateName);
  }

  /** Gives an entered Task state its attempt, once both are known. */
  private bind(stateName: string): void {
    const open = this.open.get(stateName);
    if (!open || open.attempt) return;
    const attempt = this.queued.get(stateName)?.shift();
    if (!attempt) return;
    open.attempt = attempt;
    this.pump(stateName);
  }

  private pump(stateName: string): void {
    const attempt = this.open.get(stateName)?.attempt;
    if (!attempt) return;
    const at = Date.now();
    const task = attempt.resource;
    if (attempt.emitted === 'none') {
      if (task.kind === 'function') {
        this.append(at, 'LambdaFunctionScheduled', {
          lambdaFunctionScheduledEventDetails: {
            resource: task.functionArn,
            input: JSON.stringify(attempt.parameters),
            inputDetails: { truncated: false },
            timeoutInSeconds: attempt.timeoutSeconds,
          },
        });
        this.append(at, 'LambdaFunctionStarted', {});
      } else {
        const { resourceType, resource } = task;
        this.append(at, 'TaskScheduled', {
          taskScheduledEventDetails: {
            resourceType,
            resource,
            region: this.region,
            parameters: JSON.stringify(attempt.parameters),
            timeoutInSeconds: attempt.timeoutSeconds,
          },
        });
        this.append(at, 'TaskStarted', { taskStartedEventDetails: { resourceType, resource } });
      }
      attempt.emitted = 'started';
    }
    if (attempt.emitted === 'started' && attempt.submitted && task.kind === 'integration') {
      this.append(attempt.submitted.at, 'TaskSubmitted', {
        taskSubmittedEventDetails: {
          resourceType: task.resourceType,
          resource: task.resource,
          output: JSON.stringify(attempt.submitted.output),
          outputDetails: { truncated: false },
        },
      });
      attempt.emitted = 'submitted';
    }
  }

  private endTask(
    stateName: string,
    at: number,
    outcome: 'Succeeded' | 'Failed' | 'TimedOut',
    error?: string,
    cause?: unknown,
  ): void {
    this.pump(stateName);
    const attempt = this.open.get(stateName)?.attempt;
    this.open.delete(stateName);
    if (!attempt) return;
    const task = attempt.resource;
    const [type, key, resource] =
      task.kind === 'function'
        ? [`LambdaFunction${outcome}`, `lambdaFunction${outcome}EventDetails`, {}]
        : [
            `Task${outcome}`,
            `task${outcome}EventDetails`,
            { resourceType: task.resourceType, resource: task.resource },
          ];
    const details =
      outcome === 'Succeeded'
        ? { output: JSON.stringify(attempt.result ?? null), outputDetails: { truncated: false } }
        : errorDetails(error, cause);
    this.append(at, type, { [key]: { ...resource, ...details } });
  }

  private append(at: number, type: string, details: Record<string, unknown>): void {
    const last = this.events.at(-1);
    const event: HistoryEvent = {
      id: (last?.id ?? 0) + 1,
      previousEventId: last?.id ?? 0,
      // Never before the previous event: reports and the library's log are stamped apart.
      timestamp: new Date(Math.max(at, last?.timestamp.getTime() ?? 0)),
      type,
      ...details,
    };
    this.events.push(event);
    this.onEvent(event);
  }
}

/** The history event that closes an execution, or undefined while it runs. */
export function closingEvent(events: readonly HistoryEvent[]): HistoryEvent | undefined {
  const last = events.at(-1);
  return last && CLOSING_TYPES.has(last.type) ? last : undefined;
}

const CLOSING_TYPES = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

/** The history event of an execution the local endpoint can no longer run (it stopped while it ran). */
export function abortedEvent(previous: HistoryEvent, at: Date, cause: string): HistoryEvent {
  return {
    id: previous.id + 1,
    previousEventId: previous.id,
    timestamp: at,
    type: 'ExecutionAborted',
    executionAbortedEventDetails: { cause },
  };
}

function errorDetails(error: string | undefined, cause: unknown): { error?: string; cause?: string } {
  return {
    ...(error !== undefined ? { error } : {}),
    ...(cause !== undefined && cause !== null
      ? { cause: typeof cause === 'string' ? cause : json(cause) }
      : {}),
  };
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
