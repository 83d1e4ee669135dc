// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are CloudFormation placeholders, not JS.
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { localFunctionName } from '../local/sfn/arn.ts';
import { type CloudFormationTemplateJson, extractStateMachines } from '../local/sfn/definition.ts';
import { validateStateMachine } from '../local/sfn/executions.ts';
import { prepareDefinition, TASK_INPUT_KEY, TASK_TIMEOUT_KEY } from '../local/sfn/tasks.ts';
import { templateOf, testApp } from './support/templates.ts';

// A tiny stack in the shape of the relay workflow: a payload-only LambdaInvoke and a
// waitForTaskToken LambdaInvoke whose timeout comes from the state input.
function synthesize(): CloudFormationTemplateJson {
  const stack = new Stack(testApp(), 'Default');
  const fn = (id: string, name: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
      environment: { CEPTOAR_FUNCTION: name },
    });
  const relayStep = fn('RelayStep', 'relay-step');
  const notify = fn('Notify', 'notify');
  const plan = new tasks.LambdaInvoke(stack, 'Plan', {
    lambdaFunction: relayStep,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({ action: 'plan', incidentId: sfn.JsonPath.stringAt('$.incidentId') }),
    resultPath: '$.plan',
    taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
  });
  const wait = new tasks.LambdaInvoke(stack, 'Wait', {
    lambdaFunction: notify,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ action: 'wait', taskToken: sfn.JsonPath.taskToken }),
    resultPath: '$.callback',
    taskTimeout: sfn.Timeout.at('$.plan.timeoutSeconds'),
  });
  new sfn.StateMachine(stack, 'Relay', {
    definitionBody: sfn.DefinitionBody.fromChainable(plan.next(wait).next(new sfn.Succeed(stack, 'Done'))),
  });
  return templateOf(stack) as unknown as CloudFormationTemplateJson;
}

type State = Record<string, unknown> & { Parameters?: Record<string, unknown> };

function stateOf(definition: Record<string, unknown>, name: string): State {
  const states = definition.States as Record<string, State>;
  const state = states[name];
  if (!state) throw new Error(`no state ${name}`);
  return state;
}

describe('extractStateMachines', () => {
  const template = synthesize();

  it('resolves the CDK definition with local function ARNs named by CEPTOAR_FUNCTION', () => {
    const machines = extractStateMachines(template);
    expect(machines).toHaveLength(1);
    const [relay] = machines;
    expect(relay?.logicalId).toMatch(/^Relay/);
    const definition = relay?.definition ?? {};
    expect(JSON.stringify(definition)).not.toContain('Fn::');
    const plan = stateOf(definition, 'Plan');
    expect(plan.Resource).toBe('arn:aws:lambda:ap-northeast-1:000000000000:function:relay-step');
    expect(plan.Parameters).toEqual({ action: 'plan', 'incidentId.$': '$.incidentId' });
    expect(plan.TimeoutSeconds).toBe(30);
    const wait = stateOf(definition, 'Wait');
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.TimeoutSecondsPath).toBe('$.plan.timeoutSeconds');
    expect(wait.Parameters).toEqual({
      FunctionName: 'arn:aws:lambda:ap-northeast-1:000000000000:function:notify',
      Payload: { action: 'wait', 'taskToken.$': '$$.Task.Token' },
    });
    expect(localFunctionName(String(wait.Parameters?.FunctionName))).toBe('notify');
  });

  it('uses the given region, account and partition', () => {
    const [relay] = extractStateMachines(template, {
      region: 'eu-west-1',
      accountId: '123456789012',
      partition: 'aws-x',
    });
    expect(stateOf(relay?.definition ?? {}, 'Plan').Resource).toBe(
      'arn:aws-x:lambda:eu-west-1:123456789012:function:relay-step',
    );
    expect(stateOf(relay?.definition ?? {}, 'Wait').Resource).toBe(
      'arn:aws-x:states:::lambda:invoke.waitForTaskToken',
    );
  });

  it('resolves Ref, pseudo parameters, Fn::Sub and DefinitionSubstitutions', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: '${StepArn}',
          Parameters: { region: '${Region}', fn: '${FnName}' },
          End: true,
        },
      },
    };
    const machines = extractStateMachines({
      Resources: {
        Fn1: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { CEPTOAR_FUNCTION: 'relay-step' } } },
        },
        Fn2: { Type: 'AWS::Lambda::Function', Properties: {} },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: 'relay',
            DefinitionString: JSON.stringify(definition),
            DefinitionSubstitutions: {
              StepArn: { 'Fn::GetAtt': ['Fn1', 'Arn'] },
              Region: { 'Fn::Sub': '${AWS::Region}/${AWS::AccountId}/${!Literal}' },
              FnName: { Ref: 'Fn2' },
            },
          },
        },
      },
    });
    expect(machines[0]?.stateMachineName).toBe('relay');
    expect(stateOf(machines[0]?.definition ?? {}, 'A')).toMatchObject({
      Resource: 'arn:aws:lambda:ap-northeast-1:000000000000:function:relay-step',
      // Fn2 has no CEPTOAR_FUNCTION: its logical id names it.
      Parameters: { region: 'ap-northeast-1/000000000000/${Literal}', fn: 'Fn2' },
    });
  });

  it('refuses intrinsics it cannot resolve instead of guessing', () => {
    const template = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table' },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: { 'Fn::Join': ['', ['{"x":"', { Ref: 'Table' }, '"}']] } },
        },
      },
    };
    expect(() => extractStateMachines(template)).toThrow(/Ref Table \(AWS::DynamoDB::Table\)/);
  });
});

describe('prepareDefinition', () => {
  const [relay] = extractStateMachines(synthesize());

  it('wraps Parameters so TimeoutSecondsPath reads the state input, and classifies the tasks', () => {
    const prepared = prepareDefinition(relay?.definition ?? {});
    const wait = stateOf(prepared.definition as unknown as Record<string, unknown>, 'Wait');
    expect(wait.TimeoutSecondsPath).toBe(`$.${TASK_TIMEOUT_KEY}`);
    expect(wait.Parameters?.[`${TASK_TIMEOUT_KEY}.$`]).toBe('$.plan.timeoutSeconds');
    expect(wait.Parameters?.[TASK_INPUT_KEY]).toMatchObject({ Payload: { 'taskToken.$': '$$.Task.Token' } });
    const plan = stateOf(prepared.definition as unknown as Record<string, unknown>, 'Plan');
    expect(plan.TimeoutSeconds).toBeUndefined();
    expect(plan.Parameters?.[TASK_TIMEOUT_KEY]).toBe(30);
    expect([...prepared.tasks.values()].map(({ stateName, kind }) => [stateName, kind])).toEqual([
      ['Plan', 'function'],
      ['Wait', 'invoke-wait-for-token'],
    ]);
    // The input definition is left untouched.
    expect(stateOf(relay?.definition ?? {}, 'Wait').TimeoutSecondsPath).toBe('$.plan.timeoutSeconds');
  });

  it('rejects resources that cannot run locally', () => {
    const definition = {
      StartAt: 'Put',
      States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } },
    };
    expect(() => prepareDefinition(definition)).toThrow(/not supported locally/);
  });
});

describe('validateStateMachine (a test run checks its definitions once, then registers them unchecked)', () => {
  it('passes a synthesized definition and throws on one the library would refuse', () => {
    const [relay] = extractStateMachines(synthesize());
    expect(() => validateStateMachine(relay?.definition ?? {})).not.toThrow();
    const dangling = { StartAt: 'Done', States: { Done: { Type: 'Pass', Next: 'Nowhere' } } };
    expect(() => validateStateMachine(dangling)).toThrow();
  });
});
