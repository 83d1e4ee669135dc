// ARNs of the local Step Functions endpoint and of the synthetic Lambda functions it runs.
// Region and account are cosmetic locally, but the shapes match AWS so clients can parse them.

/** Region used when none is configured (the project's home region). */
export const DEFAULT_REGION = 'ap-northeast-1';

/** Account id used when none is configured (the conventional local placeholder). */
export const DEFAULT_ACCOUNT_ID = '000000000000';

/** Where a local ARN lives. */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
  readonly partition?: string;
}

/** `arn:aws:states:<region>:<account>:stateMachine:<name>`. */
export function stateMachineArn(scope: ArnScope, name: string): string {
  return `arn:${scope.partition ?? 'aws'}:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

/** `arn:aws:states:<region>:<account>:execution:<state machine name>:<execution name>`. */
export function executionArn(stateMachine: string, executionName: string): string {
  const parsed = parseStateMachineArn(stateMachine);
  if (!parsed) throw new Error(`not a state machine ARN: ${stateMachine}`);
  return `${parsed.prefix}:execution:${parsed.name}:${executionName}`;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>`: how a template's Lambda appears in a local definition. */
export function lambdaFunctionArn(scope: ArnScope, functionName: string): string {
  return `arn:${scope.partition ?? 'aws'}:lambda:${scope.region}:${scope.accountId}:function:${functionName}`;
}

const STATE_MACHINE_ARN = /^(arn:[^:]+:states:[^:]*:[^:]*):stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/;
const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;

function parseStateMachineArn(arn: string): { prefix: string; name: string } | undefined {
  const match = STATE_MACHINE_ARN.exec(arn);
  return match?.[1] && match[2] ? { prefix: match[1], name: match[2] } : undefined;
}

/** True when `arn` has the shape of a state machine ARN. */
export function isStateMachineArn(arn: string): boolean {
  return STATE_MACHINE_ARN.test(arn);
}

/** True when `arn` has the shape of an execution ARN. */
export function isExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn);
}

/**
 * The bare function name of a Lambda ARN (qualifier dropped) or of a plain name, e.g.
 * `arn:aws:lambda:ap-northeast-1:000000000000:function:relay-step` → `relay-step`.
 * With extractStateMachines this is the function's `CEPTOAR_FUNCTION`.
 */
export function localFunctionName(functionArnOrName: string): string {
  return LAMBDA_ARN.exec(functionArnOrName)?.[1] ?? functionArnOrName;
}

/** True when `arn` is a Lambda function ARN (optionally qualified). */
export function isLambdaFunctionArn(arn: string): boolean {
  return LAMBDA_ARN.test(arn);
}
