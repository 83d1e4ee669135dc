/**
 * State machine definitions from a synthesized CloudFormation template, so the local stack
 * runs the very definition the CDK app deploys.
 *
 * `extractStateMachines(template, scope?)` returns one entry per `AWS::StepFunctions::StateMachine`
 * with every CloudFormation intrinsic of its definition resolved. A Lambda function's ARN
 * (`Fn::GetAtt [fn, Arn]`) becomes `arn:aws:lambda:<region>:<account>:function:<name>` where
 * `<name>` is the function's `CEPTOAR_FUNCTION` environment variable (the logical id when unset);
 * see localFunctionName in ./arn.ts for the way back.
 */
import { type ArnScope, DEFAULT_ACCOUNT_ID, DEFAULT_REGION, lambdaFunctionArn } from './arn.ts';

/** The parts of a CloudFormation template (`Template.fromStack(stack).toJSON()`, cdk.out) read here. */
export interface CloudFormationTemplateJson {
  readonly Resources?: Record<string, CloudFormationResourceJson>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly [section: string]: unknown;
}

/** One resource of a template. */
export interface CloudFormationResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [attribute: string]: unknown;
}

/** A state machine found in a template. */
export interface ExtractedStateMachine {
  /** Logical id of the `AWS::StepFunctions::StateMachine` resource. */
  readonly logicalId: string;
  /** `StateMachineName` when the template sets a literal one. */
  readonly stateMachineName?: string;
  /** The Amazon States Language definition, intrinsics resolved. */
  readonly definition: Record<string, unknown>;
}

/** Region, account and partition to resolve pseudo parameters and ARNs with. */
export interface ExtractOptions {
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
}

/** Environment variable naming a function's handler module (see docs/ARCHITECTURE.md). */
export const FUNCTION_NAME_VARIABLE = 'CEPTOAR_FUNCTION';

/** Every state machine of `template`, its definition resolved for the local stack. */
export function extractStateMachines(
  template: CloudFormationTemplateJson,
  options: ExtractOptions = {},
): ExtractedStateMachine[] {
  const scope: Required<ArnScope> = {
    region: options.region ?? DEFAULT_REGION,
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    partition: options.partition ?? 'aws',
  };
  const resolver = new IntrinsicResolver(template, scope);
  const machines: ExtractedStateMachine[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const properties = resource.Properties ?? {};
    const where = `state machine ${logicalId}`;
    let definition = readDefinition(properties, resolver, where);
    const substitutions = properties.DefinitionSubstitutions;
    if (isRecord(substitutions)) {
      const values = Object.fromEntries(
        Object.entries(substitutions).map(([key, value]) => [key, resolver.resolve(value, where)]),
      );
      definition = substitute(definition, values) as Record<string, unknown>;
    }
    const name = properties.StateMachineName;
    machines.push({
      logicalId,
      ...(typeof name === 'string' ? { stateMachineName: name } : {}),
      definition,
    });
  }
  return machines;
}

function readDefinition(
  properties: Record<string, unknown>,
  resolver: IntrinsicResolver,
  where: string,
): Record<string, unknown> {
  if (properties.DefinitionString !== undefined) {
    const text = resolver.resolve(properties.DefinitionString, where);
    if (typeof text !== 'string') throw new Error(`${where}: DefinitionString does not resolve to a string`);
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) throw new Error(`${where}: DefinitionString is not a JSON object`);
    return parsed;
  }
  if (isRecord(properties.Definition)) {
    const resolved = resolver.resolve(properties.Definition, where);
    if (isRecord(resolved)) return resolved;
  }
  throw new Error(
    `${where}: no inline Definition or DefinitionString (DefinitionS3Location is not supported)`,
  );
}

/**
 * `DefinitionSubstitutions` replace `${key}` in string values. A value that is exactly one
 * placeholder takes the substitution's own type, as in CloudFormation.
 */
function substitute(value: unknown, values: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    if (whole?.[1] !== undefined && whole[1] in values) return values[whole[1]];
    return value.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
      key in values ? String(values[key]) : match,
    );
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  }
  return value;
}

/** Resolves the intrinsics CDK emits in state machine definitions: Ref, GetAtt, Join, Sub. */
class IntrinsicResolver {
  constructor(
    private readonly template: CloudFormationTemplateJson,
    private readonly scope: Required<ArnScope>,
  ) {}

  resolve(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const [key] = keys;
    if (keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, value[key], where);
    }
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, this.resolve(item, where)]));
  }

  private intrinsic(name: string, argument: unknown, where: string): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(expectString(argument, name, where), where);
      case 'Fn::GetAtt': {
        const [id, attribute] =
          typeof argument === 'string' ? splitOnce(argument, '.') : (argument as unknown[]);
        return this.getAtt(expectString(id, name, where), expectString(attribute, name, where), where);
      }
      case 'Fn::Join': {
        const [delimiter, parts] = Array.isArray(argument) ? argument : [];
        const resolved = this.resolve(parts, where);
        if (typeof delimiter !== 'string' || !Array.isArray(resolved)) throw bad(name, where);
        return resolved.map((part) => String(part)).join(delimiter);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument as unknown[]);
        const resolvedVariables = this.resolve(variables ?? {}, where);
        if (typeof text !== 'string' || !isRecord(resolvedVariables)) throw bad(name, where);
        return this.sub(text, resolvedVariables, where);
      }
      default:
        throw new Error(`${where}: intrinsic ${name} is not supported locally`);
    }
  }

  private ref(id: string, where: string): unknown {
    switch (id) {
      case 'AWS::Region':
        return this.scope.region;
      case 'AWS::AccountId':
        return this.scope.accountId;
      case 'AWS::Partition':
        return this.scope.partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
    }
    const parameter = this.template.Parameters?.[id];
    if (parameter?.Default !== undefined) return parameter.Default;
    const resource = this.template.Resources?.[id];
    // Ref of a function is its name.
    if (resource?.Type === 'AWS::Lambda::Function') return functionName(id, resource);
    throw new Error(`${where}: cannot resolve Ref ${id}${resource ? ` (${resource.Type})` : ''} locally`);
  }

  private getAtt(id: string, attribute: string, where: string): unknown {
    const resource = this.template.Resources?.[id];
    if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return lambdaFunctionArn(this.scope, functionName(id, resource));
    }
    throw new Error(
      `${where}: cannot resolve Fn::GetAtt ${id}.${attribute}${resource ? ` (${resource.Type})` : ''}`,
    );
  }

  private sub(text: string, variables: Record<string, unknown>, where: string): string {
    return text.replace(/\$\{([^}]+)\}/g, (_placeholder, expression: string) => {
      // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      if (expression in variables) return String(variables[expression]);
      const [id, attribute] = splitOnce(expression, '.');
      if (attribute !== undefined && id !== undefined) return String(this.getAtt(id, attribute, where));
      return String(this.ref(expression, where));
    });
  }
}

function functionName(logicalId: string, resource: CloudFormationResourceJson): string {
  const environment = resource.Properties?.Environment;
  const variables = isRecord(environment) ? environment.Variables : undefined;
  const name = isRecord(variables) ? variables[FUNCTION_NAME_VARIABLE] : undefined;
  return typeof name === 'string' && name !== '' ? name : logicalId;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function expectString(value: unknown, intrinsic: string, where: string): string {
  if (typeof value !== 'string') throw bad(intrinsic, where);
  return value;
}

function bad(intrinsic: string, where: string): Error {
  return new Error(`${where}: malformed ${intrinsic}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
