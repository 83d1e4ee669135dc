import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeNagFinding, nagArnToken } from './nag.ts';

/** The state names of the relay workflow, as docs/ARCHITECTURE.md ("Relay workflow contract") fixes them. */
export const RELAY_STATES = ['Plan', 'Route', 'Wait', 'Escalate', 'Done', 'Stalled'] as const;

/** The error the `Stalled` state fails the execution with. */
export const RELAY_STALLED_ERROR = 'RelayStalled';

/** How long Plan and Escalate may take; each is one Lambda call doing a few DynamoDB requests. */
const STEP_TIMEOUT = Duration.seconds(30);

/** Props of {@link RelayWorkflow}. */
export interface RelayWorkflowProps {
  /** The `relay-step` function, which serves the plan, wait and escalate actions. */
  readonly relayStep: lambda.IFunction;
  /**
   * The input field naming the stream the workflow follows: `incidentId` (the upward relay,
   * the default), `advisoryId` (the downward advisory chain: same states, same function) or
   * `exerciseId` (a cross-sector exercise: the wait is the next inject's release), `surveyId` (a
   * survey: the wait is a timer until its reminders are due, answered early when the survey closes) or `stagesOf` (an incident's reporting
   * stages: the wait is the next stage reminder or escalation, answered early when a stage is
   * submitted, a ransom payment starts a clock or the incident closes).
   */
  readonly subject?: 'incidentId' | 'advisoryId' | 'exerciseId' | 'surveyId' | 'stagesOf';
  /**
   * A workflow whose role and log group this one uses too: the same function is called and the same
   * transitions are logged, so a small workflow costs one CloudFormation resource (its state machine)
   * instead of four.
   */
  readonly shareWith?: RelayWorkflow;
}

/**
 * The relay state machine (Standard, JSONPath). Its definition is the single one executed in AWS and by the
 * local stack, which extracts it from the synthesized template; change it only together with the contract.
 */
export class RelayWorkflow extends Construct {
  /** The relay state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** Where the state machine logs every transition with its data. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RelayWorkflowProps) {
    super(scope, id);
    const { relayStep } = props;
    const subjectField = props.subject ?? 'incidentId';
    const subject = { [subjectField]: sfn.JsonPath.stringAt(`$.${subjectField}`) };
    const hop = sfn.JsonPath.stringAt('$.plan.hop');
    const attempt = sfn.JsonPath.numberAt('$.plan.attempt');

    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      lambdaFunction: relayStep,
      payload: sfn.TaskInput.fromObject({ action: 'plan', ...subject }),
      payloadResponseOnly: true,
      resultPath: '$.plan',
      taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
      retryOnServiceExceptions: true,
    });

    const escalate = new tasks.LambdaInvoke(this, 'Escalate', {
      lambdaFunction: relayStep,
      payload: sfn.TaskInput.fromObject({ action: 'escalate', ...subject, hop, attempt }),
      payloadResponseOnly: true,
      resultPath: '$.escalation',
      taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
      retryOnServiceExceptions: true,
    });

    // The task token is stored in the incident's stream by the `wait` action; the stream reactor answers it
    // when the hop is done. The timeout is the time left to the hop's deadline, computed by Plan.
    const wait = new tasks.LambdaInvoke(this, 'Wait', {
      lambdaFunction: relayStep,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        action: 'wait',
        ...subject,
        hop,
        attempt,
        dueAt: sfn.JsonPath.stringAt('$.plan.dueAt'),
        timeoutSeconds: sfn.JsonPath.numberAt('$.plan.timeoutSeconds'),
        taskToken: sfn.JsonPath.taskToken,
      }),
      resultPath: '$.callback',
      taskTimeout: sfn.Timeout.at('$.plan.timeoutSeconds'),
      retryOnServiceExceptions: true,
    });
    wait.addCatch(escalate, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.timeout' });

    const done = new sfn.Succeed(this, 'Done');
    const stalled = new sfn.Fail(this, 'Stalled', {
      error: RELAY_STALLED_ERROR,
      cause: 'The relay policy allows no further escalation',
    });
    // No default branch: a `next` outside the contract fails the execution with States.NoChoiceMatched,
    // which tells a bug in relay-step apart from a relay that legitimately stalled.
    const route = new sfn.Choice(this, 'Route')
      .when(sfn.Condition.stringEquals('$.plan.next', 'wait'), wait)
      .when(sfn.Condition.stringEquals('$.plan.next', 'done'), done)
      .when(sfn.Condition.stringEquals('$.plan.next', 'stalled'), stalled);
    plan.next(route);
    wait.next(plan);
    escalate.next(plan);

    const { shareWith } = props;
    this.logGroup =
      shareWith?.logGroup ??
      new logs.LogGroup(this, 'Logs', {
        // Transitions carry who was notified when; keep them as long as the functions' logs.
        retention: logs.RetentionDays.THIRTEEN_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const comments = {
      incidentId: 'CEPTOAR relay: plan the next hop, wait for it until its deadline, escalate on timeout',
      advisoryId:
        'CEPTOAR advisory chain: plan the next forward or window mark, wait for it, escalate on timeout',
      exerciseId: 'CEPTOAR exercise: plan the next inject, wait until its offset, release it on timeout',
      surveyId:
        'CEPTOAR survey: wait until the reminder time, then record the reminders of the silent members',
      stagesOf:
        "CEPTOAR reporting stages: wait for a stage's next reminder or escalation, record it on timeout",
    } as const;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(plan),
      comment: comments[subjectField],
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      ...(shareWith ? { role: shareWith.stateMachine.role } : {}),
    });
    // The shared role's policy carries the findings' acknowledgements already.
    if (shareWith) return;

    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) throw new Error('the relay state machine role has no default policy');
    acknowledgeNagFinding(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'Vended log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) and X-Ray ' +
        '(xray:PutTraceSegments, GetSamplingRules, ...) support no resource-level permissions.',
    );
    acknowledgeNagFinding(
      policy,
      `AwsSolutions-IAM5[Resource::${nagArnToken(relayStep)}:*]`,
      'lambda:InvokeFunction on versions and aliases of relay-step, the one function the workflow calls.',
    );
  }
}
