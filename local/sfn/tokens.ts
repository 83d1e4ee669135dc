// Task tokens for `.waitForTaskToken` tasks, which aws-local-stepfunctions does not know about.
// A token is minted while a Task's Parameters are evaluated (see tasks.ts), opened when the task
// starts waiting, and closed exactly once: by SendTaskSuccess/SendTaskFailure, by the task's
// timeout, by its function failing, or by its execution ending. Closed tokens are remembered so a
// late or repeated callback answers TaskTimedOut (as AWS does) instead of resolving twice.
import { randomBytes } from 'node:crypto';
import { SfnServiceError } from './errors.ts';
import type { Json, SfnLog } from './types.ts';

const TOKEN_PREFIX = 'lsfn1.';
const TOKEN_SHAPE = /^lsfn1\.[A-Za-z0-9_-]{43}$/;

/**
 * How long after its own timeout a token's task is failed with States.Timeout if the library's
 * timer (which normally wins; see wait) has not fired. Only a safety net against a hung task.
 */
const TIMEOUT_GRACE_MS = 1_000;

/** Why a token no longer accepts callbacks. */
export type TokenCloseReason = 'succeeded' | 'failed' | 'timed-out' | 'function-failed' | 'execution-closed';

/** Which task a token belongs to. */
export interface TokenOwner {
  readonly executionArn: string;
  readonly stateName: string;
}

interface PendingTask extends TokenOwner {
  readonly resolve: (output: Json) => void;
  readonly reject: (error: Error) => void;
  readonly timers: NodeJS.Timeout[];
}

/** Rejection of a task whose execution has ended: neither retryable nor catchable, so nothing else runs. */
class ExecutionClosedError extends Error {
  // aws-local-stepfunctions reads these two duck-typed flags in Retry/Catch matching.
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor() {
    super('the execution has ended');
    this.name = 'ExecutionClosed';
  }
}

/** An error whose `name` is what Retry/Catch `ErrorEquals` match (SendTaskFailure's `error`). */
export class TaskFailedError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** The registry of task tokens of one endpoint. */
export class TaskTokens {
  private readonly pending = new Map<string, PendingTask>();
  private readonly closed = new Map<string, TokenCloseReason>();

  constructor(private readonly log: SfnLog) {}

  /** A fresh, unguessable token (not yet waited on: callbacks for it answer InvalidToken). */
  mint(): string {
    return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  }

  /**
   * Waits for the callback of `token`: resolves with SendTaskSuccess's output, rejects with
   * SendTaskFailure's error. After `timeoutMs` the token is closed as timed out but the promise is
   * left pending, because the library races the task against the same timeout and its own
   * States.Timeout error is the one Catch/Retry treat as a timeout (a look-alike would also match
   * States.TaskFailed).
   */
  wait(token: string, owner: TokenOwner, timeoutMs: number | undefined): Promise<Json> {
    if (this.pending.has(token) || this.closed.has(token)) throw new Error(`task token reused: ${token}`);
    return new Promise<Json>((resolve, reject) => {
      const task: PendingTask = { ...owner, resolve, reject, timers: [] };
      this.pending.set(token, task);
      if (timeoutMs === undefined) return;
      task.timers.push(
        setTimeout(() => {
          this.close(token, 'timed-out');
          // unref: a rejection nobody waits for any more must not keep the process alive.
          setTimeout(
            () => reject(new TaskFailedError('States.Timeout', 'Task timed out')),
            TIMEOUT_GRACE_MS,
          ).unref();
        }, timeoutMs),
      );
    });
  }

  /** SendTaskSuccess: completes the task with `output` (a JSON text). */
  succeed(token: string, output: string): void {
    const task = this.open(token);
    let parsed: Json;
    try {
      parsed = JSON.parse(output) as Json;
    } catch {
      throw new SfnServiceError(
        'InvalidOutput',
        'Invalid State Machine Execution Output: output is not JSON',
      );
    }
    this.close(token, 'succeeded');
    task.resolve(parsed);
  }

  /** SendTaskFailure: fails the task with `error` (default States.TaskFailed) and `cause`. */
  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const task = this.open(token);
    this.close(token, 'failed');
    task.reject(new TaskFailedError(error ?? 'States.TaskFailed', cause ?? ''));
  }

  /** SendTaskHeartbeat: checks the token; heartbeats are not timed locally. */
  heartbeat(token: string): void {
    this.open(token);
  }

  /** Closes `token` without settling its task (its function failed, or it timed out). */
  close(token: string, reason: TokenCloseReason): void {
    const task = this.pending.get(token);
    if (!task) return;
    for (const timer of task.timers) clearTimeout(timer);
    this.pending.delete(token);
    this.closed.set(token, reason);
    this.log('sfn task token closed', { executionArn: task.executionArn, state: task.stateName, reason });
  }

  /** Closes every token of an ended execution and unblocks its tasks without running a Catch. */
  closeExecution(executionArn: string): void {
    for (const [token, task] of [...this.pending]) {
      if (task.executionArn !== executionArn) continue;
      this.close(token, 'execution-closed');
      task.reject(new ExecutionClosedError());
    }
  }

  /** True while `token` waits for its callback. */
  isPending(token: string): boolean {
    return this.pending.has(token);
  }

  private open(token: string): PendingTask {
    const task = this.pending.get(token);
    if (task) return task;
    if (this.closed.has(token)) {
      throw new SfnServiceError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    }
    const shape = TOKEN_SHAPE.test(token) ? 'unknown' : 'malformed';
    throw new SfnServiceError('InvalidToken', `Invalid Token: ${shape} task token`);
  }
}
