// Task states on aws-local-stepfunctions: which Lambda integrations run locally, the definition
// rewrite that makes their timeouts behave as on AWS, and the per-execution local handlers.
//
// Why the rewrite: the library evaluates TimeoutSecondsPath against the task's input *after*
// Parameters (AWS uses the state input), and defaults a Task's timeout to 60 s (AWS: none).
// So every Task's Parameters are wrapped as
//   { localSfnInput: <original Parameters, or "$">, "localSfnTimeoutSeconds[.$]": <timeout> }
// and its TimeoutSecondsPath becomes "$.localSfnTimeoutSeconds": the path is resolved against
// the right input, the library's own timer (and genuine States.Timeout error) still applies, and
// the handler learns the timeout so it can expire the task token at the same moment.
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import { isLambdaFunctionArn } from './arn.ts';
import type { TaskAttempt, TaskObserver, TaskResource } from './history.ts';
import { TaskFailedError, type TaskTokens } from './tokens.ts';
import type { FunctionResolver, Json, SfnLog } from './types.ts';

/** Key of the wrapped Parameters holding the original task input. */
export const TASK_INPUT_KEY = 'localSfnInput';

/** Key of the wrapped Parameters holding the task's timeout in seconds. */
export const TASK_TIMEOUT_KEY = 'localSfnTimeoutSeconds';

/** Longest timeout a Node timer can express, in whole seconds (~24.8 days); longer ones are clamped. */
export const MAX_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);

/** How a Task state's Resource runs locally. */
export type TaskKind =
  /** `Resource` is a function ARN (CDK LambdaInvoke with payloadResponseOnly): result is the function's. */
  | { readonly kind: 'function'; readonly functionArn: string }
  /** `arn:aws:states:::lambda:invoke`: input `{FunctionName, Payload}`, result `{Payload, StatusCode}`. */
  | { readonly kind: 'invoke' }
  /** `arn:aws:states:::lambda:invoke.waitForTaskToken`: result is SendTaskSuccess's output. */
  | { readonly kind: 'invoke-wait-for-token' };

/** A Task state of a prepared definition. */
export type TaskSpec = TaskKind & {
  readonly stateName: string;
  /** The function named statically by the state (Resource or Parameters.FunctionName), if any. */
  readonly staticFunction?: string;
};

/** A definition rewritten for the library, with its Task states by name. */
export interface PreparedDefinition {
  readonly definition: StateMachineDefinition;
  readonly tasks: ReadonlyMap<string, TaskSpec>;
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalHandler = LocalHandlers[string];
type JsonObject = { [key: string]: Json };

const INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const INVOKE_WAIT_FOR_TOKEN = /^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/;

/** Rewrites `definition` (not mutated) for the library; throws on a Task whose Resource cannot run locally. */
export function prepareDefinition(definition: object): PreparedDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as JsonObject;
  const tasks = new Map<string, TaskSpec>();
  rewriteStates(copy, tasks);
  return { definition: copy as unknown as StateMachineDefinition, tasks };
}

function rewriteStates(machine: JsonObject, tasks: Map<string, TaskSpec>): void {
  const states = machine.States;
  if (!isObject(states)) return;
  for (const [stateName, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    // Nested machines share the handler table, keyed by state name (unique machine-wide on AWS).
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isObject(branch)) rewriteStates(branch, tasks);
    }
    for (const key of ['Iterator', 'ItemProcessor']) {
      const nested = state[key];
      if (isObject(nested)) rewriteStates(nested, tasks);
    }
    if (state.Type !== 'Task') continue;
    if (tasks.has(stateName)) throw new Error(`state name ${stateName} is used twice`);
    tasks.set(stateName, classify(stateName, state));
    rewriteTask(state);
  }
}

function classify(stateName: string, state: JsonObject): TaskSpec {
  const resource = state.Resource;
  if (typeof resource === 'string' && isLambdaFunctionArn(resource)) {
    return { stateName, kind: 'function', functionArn: resource, staticFunction: resource };
  }
  const parameters = isObject(state.Parameters) ? state.Parameters : {};
  const functionName = typeof parameters.FunctionName === 'string' ? parameters.FunctionName : undefined;
  const named = functionName === undefined ? {} : { staticFunction: functionName };
  if (typeof resource === 'string' && INVOKE.test(resource)) return { stateName, kind: 'invoke', ...named };
  if (typeof resource === 'string' && INVOKE_WAIT_FOR_TOKEN.test(resource)) {
    return { stateName, kind: 'invoke-wait-for-token', ...named };
  }
  throw new Error(`Task state ${stateName}: resource ${String(resource)} is not supported locally`);
}

function rewriteTask(state: JsonObject): void {
  const parameters: JsonObject = {};
  if ('Parameters' in state) parameters[TASK_INPUT_KEY] = state.Parameters ?? null;
  else parameters[`${TASK_INPUT_KEY}.$`] = '$';
  if (typeof state.TimeoutSecondsPath === 'string') {
    parameters[`${TASK_TIMEOUT_KEY}.$`] = state.TimeoutSecondsPath;
  } else {
    // No timeout on AWS means 99999999 s; the library would default to 60 s.
    const seconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : MAX_TIMEOUT_SECONDS;
    parameters[TASK_TIMEOUT_KEY] = Math.min(seconds, MAX_TIMEOUT_SECONDS);
  }
  state.Parameters = parameters;
  delete state.TimeoutSeconds;
  state.TimeoutSecondsPath = `$.${TASK_TIMEOUT_KEY}`;
}

/** What the handlers of one execution need. */
export interface TaskRuntime {
  readonly executionArn: string;
  readonly tokens: TaskTokens;
  readonly resolveFunction: FunctionResolver;
  readonly log: SfnLog;
  /** Told of every attempt of a Task, for the execution history. */
  readonly observer: TaskObserver;
  /** Takes the token minted while the current task's Parameters were evaluated, if any. */
  claimToken(): string | undefined;
}

/** The `taskResourceLocalHandlers` of one execution. */
export function taskHandlers(tasks: ReadonlyMap<string, TaskSpec>, runtime: TaskRuntime): LocalHandlers {
  const handlers: LocalHandlers = {};
  for (const spec of tasks.values()) handlers[spec.stateName] = taskHandler(spec, runtime);
  return handlers;
}

function taskHandler(spec: TaskSpec, runtime: TaskRuntime): LocalHandler {
  // Deliberately not async: the library reads the timeout from this same input object right
  // after calling the handler, so the clamp below must happen synchronously.
  return (input) => {
    // Parameters are evaluated right before this call, with no await in between, so the
    // token minted by `$$.Task.Token` (if any) is this task's.
    const token = runtime.claimToken();
    if (!isObject(input)) return Promise.reject(new Error(`${spec.stateName}: unexpected task input`));
    const seconds = input[TASK_TIMEOUT_KEY];
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) {
      // The library rejects this timeout with States.Runtime as soon as we return; do nothing.
      return new Promise<Json>(() => {});
    }
    if (seconds > MAX_TIMEOUT_SECONDS) {
      input[TASK_TIMEOUT_KEY] = MAX_TIMEOUT_SECONDS;
      runtime.log('sfn task timeout clamped', { state: spec.stateName, seconds, to: MAX_TIMEOUT_SECONDS });
    }
    const timeoutSeconds = Math.min(seconds, MAX_TIMEOUT_SECONDS);
    const taskInput = input[TASK_INPUT_KEY] ?? null;
    const attempt = runtime.observer.scheduled(spec.stateName, taskResource(spec), taskInput, timeoutSeconds);
    const succeeded = (result: Json) => {
      attempt.succeeded(result);
      return result;
    };
    switch (spec.kind) {
      case 'function':
        return invoke(runtime, spec.functionArn, taskInput).then(succeeded);
      case 'invoke': {
        const { functionName, payload } = invocation(spec, taskInput);
        return invoke(runtime, functionName, payload).then(invokeResponse).then(succeeded);
      }
      case 'invoke-wait-for-token':
        return waitForToken(spec, runtime, token, taskInput, timeoutSeconds * 1000, attempt).then(succeeded);
    }
  };
}

/** How GetExecutionHistory names a Task's resource (AWS: `lambda`, `invoke[.waitForTaskToken]`, or the function). */
function taskResource(spec: TaskSpec): TaskResource {
  if (spec.kind === 'function') return { kind: 'function', functionArn: spec.functionArn };
  return {
    kind: 'integration',
    resourceType: 'lambda',
    resource: spec.kind === 'invoke-wait-for-token' ? 'invoke.waitForTaskToken' : 'invoke',
  };
}

/** What `lambda:invoke` answers: the function's result as Payload. */
function invokeResponse(result: Json): Json {
  return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
}

function waitForToken(
  spec: TaskSpec,
  runtime: TaskRuntime,
  token: string | undefined,
  taskInput: Json,
  timeoutMs: number,
  attempt: TaskAttempt,
): Promise<Json> {
  const { functionName, payload } = invocation(spec, taskInput);
  // Without `$$.Task.Token` in the payload nobody can call back: only the timeout ends the task.
  const taskToken = token ?? runtime.tokens.mint();
  return new Promise<Json>((resolve, reject) => {
    // Open the token before invoking: the function may cause a callback before it returns.
    runtime.tokens
      .wait(taskToken, { executionArn: runtime.executionArn, stateName: spec.stateName }, timeoutMs)
      .then(resolve, reject);
    // The function's result is ignored, as on AWS; its failure fails the task unless already settled.
    invoke(runtime, functionName, payload).then(
      (result) => attempt.submitted(invokeResponse(result)),
      (error: unknown) => {
        if (!runtime.tokens.isPending(taskToken)) return;
        runtime.tokens.close(taskToken, 'function-failed');
        reject(error);
      },
    );
  });
}

function invocation(spec: TaskSpec, taskInput: Json): { functionName: string; payload: Json } {
  if (!isObject(taskInput) || typeof taskInput.FunctionName !== 'string') {
    throw new TaskFailedError('States.Runtime', `${spec.stateName}: Parameters.FunctionName is missing`);
  }
  return { functionName: taskInput.FunctionName, payload: taskInput.Payload ?? null };
}

/** Runs a local function like Lambda would: JSON in, JSON out, errors named by their type. */
async function invoke(runtime: TaskRuntime, functionArnOrName: string, payload: Json): Promise<Json> {
  const fn = runtime.resolveFunction(functionArnOrName);
  let result: unknown;
  try {
    result = await fn(JSON.parse(JSON.stringify(payload)));
  } catch (error) {
    const errorType = error instanceof Error ? error.name : 'Error';
    const errorMessage = error instanceof Error ? error.message : String(error);
    runtime.log('sfn function failed', {
      executionArn: runtime.executionArn,
      function: functionArnOrName,
      errorType,
      errorMessage,
    });
    // AWS puts the Lambda's error type in Error and a JSON description in Cause.
    throw new TaskFailedError(errorType, JSON.stringify({ errorType, errorMessage }));
  }
  // Lambda serializes the result: undefined (and anything JSON cannot express) becomes null.
  const text = JSON.stringify(result);
  return text === undefined ? null : (JSON.parse(text) as Json);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
