import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { type FunctionSpec, functions } from '../functions/manifest.ts';
import { buildApp } from '../infra/app.ts';
import { HOUSE_RUNTIME } from '../infra/house-function.ts';
import { RELAY_STALLED_ERROR, RELAY_STATES } from '../infra/relay-workflow.ts';
import { voiceOriginationArn } from '../infra/stack.ts';
import { eventTableSpec } from '../local/table-spec.ts';
import { disposeApp, flatTemplate, resourceCounts, testApp } from './support/templates.ts';

// One synthesis for the whole file; the template is what these tests are about, so no bundling and no nag
// (infra-nag.unit.test.ts runs the checks).
const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-stack-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const { stack } = buildApp({ bundling: false, nag: false, outdir });
const template = Template.fromJSON(flatTemplate(stack));
const resources = template.toJSON().Resources as Record<string, CfnResource>;
const specs: readonly FunctionSpec[] = functions;

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly Catch?: readonly {
    readonly ErrorEquals: readonly string[];
    readonly Next: string;
    readonly ResultPath?: string;
  }[];
  readonly Choices?: readonly Record<string, unknown>[];
  readonly Error?: string;
  readonly [field: string]: unknown;
}

function single(type: string): [string, CfnResource] {
  const [first, ...others] = Object.entries(resources).filter(([, r]) => r.Type === type);
  if (first === undefined || others.length > 0) throw new Error(`expected exactly one ${type}`);
  return first;
}

/** The function resources keyed by their CEPTOAR_FUNCTION. */
const functionResources = new Map(
  Object.entries(resources)
    // The manifest's functions; CDK's own custom-resource handlers (BucketDeployment's) carry no CEPTOAR_FUNCTION.
    .filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.CEPTOAR_FUNCTION !== undefined,
    )
    .map(([logicalId, r]) => {
      const env = (r.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables;
      return [
        String(env?.CEPTOAR_FUNCTION),
        { logicalId, properties: r.Properties, env: env ?? {} },
      ] as const;
    }),
);

function fn(name: string) {
  const found = functionResources.get(name);
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
}

const [tableId, table] = single('AWS::DynamoDB::Table');
/** The relay's state machine; the advisory chain's is built by the same construct (see its own test below). */
const [stateMachineId, stateMachine] = (() => {
  const found = Object.entries(resources).filter(
    ([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith('RelayWorkflow'),
  );
  const [first, ...others] = found;
  if (first === undefined || others.length > 0) throw new Error('expected exactly one relay state machine');
  return first;
})();

/** The ASL definition, with each `Fn::GetAtt [X, Arn]` written as `arn-of:X` and pseudo parameters resolved. */
const definition = (() => {
  const join = stateMachine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const text = join['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt !== undefined) return `arn-of:${getAtt[0]}`;
      const ref = (part as { Ref?: string }).Ref;
      if (ref === 'AWS::Partition') return 'aws';
      throw new Error(`unexpected intrinsic in the definition: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text) as { StartAt: string; States: Record<string, AslState>; [field: string]: unknown };
})();

function state(name: string): AslState {
  const found = definition.States[name];
  if (found === undefined) throw new Error(`no state ${name}`);
  return found;
}

describe('the stack size', () => {
  it("keeps every stack under CloudFormation's 500 resources, failing early at 460", () => {
    // Each HTTP route costs about six resources: function, role and policy in the nested HttpRoutes,
    // permission, integration and route with the API in the stack (288 and 181 resources with 65 routes);
    // the functions share one log group (infra/house-function.ts). Past 460 the next routes need a second
    // nested stack.
    const counts = resourceCounts(stack);
    expect(counts.map((c) => c.stack)).toEqual(['CeptoarRelay', 'CeptoarRelay/HttpRoutes']);
    for (const { stack: name, resources: n } of counts) expect(n, name).toBeLessThanOrEqual(460);
  });

  it('puts the HTTP API functions in HttpRoutes, every other function and every route in the stack', () => {
    for (const spec of specs) {
      const found = stack.functions.get(spec.name);
      expect(found?.node.path, spec.name).toMatch(
        spec.trigger === 'http' ? /^CeptoarRelay\/HttpRoutes\// : /^CeptoarRelay\/[A-Z][A-Za-z]+$/,
      );
    }
    // The routes keep the logical ids they had before the functions moved (a new route would collide with
    // its old key on the first deploy after it).
    const [apiRoutes, nestedRoutes] = [stack, stack.httpRoutes].map(
      (s) => Object.keys(Template.fromStack(s).findResources('AWS::ApiGatewayV2::Route')).length,
    );
    expect([apiRoutes, nestedRoutes]).toEqual([specs.flatMap((s) => s.routes ?? []).length, 0]);
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Route'))).toContain(
      'HttpApiGETincidents99B4A9F7',
    );
  });
});

describe('event table', () => {
  it('has the keys, stream, TTL and indexes of docs/ARCHITECTURE.md', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byType',
          KeySchema: [
            { AttributeName: 'listPk', KeyType: 'HASH' },
            { AttributeName: 'listSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byOrg',
          KeySchema: [
            { AttributeName: 'orgPk', KeyType: 'HASH' },
            { AttributeName: 'listSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byTime',
          KeySchema: [
            { AttributeName: 'tPk', KeyType: 'HASH' },
            { AttributeName: 'tSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byHead',
          KeySchema: [
            { AttributeName: 'hPk', KeyType: 'HASH' },
            { AttributeName: 'hSk', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['version', 'hash', 'streamType', 'updatedAt'],
          },
        },
        {
          IndexName: 'byOpen',
          KeySchema: [
            { AttributeName: 'openPk', KeyType: 'HASH' },
            { AttributeName: 'listSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('has the sparse byOpen index of open work: keyed on openPk, which only heads of open streams carry', () => {
    const indexes = table.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: { AttributeName: string }[];
      Projection: { ProjectionType: string };
    }[];
    const byOpen = indexes.find((i) => i.IndexName === 'byOpen');
    expect(byOpen?.KeySchema.map((k) => k.AttributeName)).toEqual(['openPk', 'listSk']);
    // Keys only: recovery reads each open stream itself, so no head is copied into it.
    expect(byOpen?.Projection.ProjectionType).toBe('KEYS_ONLY');
    expect(table.Properties.AttributeDefinitions).toContainEqual({
      AttributeName: 'openPk',
      AttributeType: 'S',
    });
  });

  it('declares the same keys and indexes as the table the local stack creates', () => {
    const local = eventTableSpec('events');
    const byName = <T extends { AttributeName?: string; IndexName?: string }>(items: readonly T[] = []) =>
      [...items].sort((a, b) =>
        String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)),
      );
    expect(byName(table.Properties.AttributeDefinitions as [])).toEqual(byName(local.AttributeDefinitions));
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect(byName(table.Properties.GlobalSecondaryIndexes as [])).toEqual(
      byName(local.GlobalSecondaryIndexes),
    );
  });

  it('survives the stack: retained on delete and replacement', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('relay workflow', () => {
  const relayStepArn = `arn-of:${fn('relay-step').logicalId}`;

  it('has exactly the states of the contract, starting at Plan', () => {
    expect(definition.StartAt).toBe('Plan');
    expect(Object.keys(definition.States).sort()).toEqual([...RELAY_STATES].sort());
  });

  it('is a Standard state machine in JSONPath, without JSONata or variables', () => {
    expect(stateMachine.Properties.StateMachineType).toBe('STANDARD');
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|"Output"|\{%/);
  });

  it('gives every task a timeout', () => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(['Escalate', 'Plan', 'Wait']);
    for (const [name, task] of tasks) {
      expect(task.TimeoutSeconds ?? task.TimeoutSecondsPath, name).toBeDefined();
    }
  });

  it('plans with relay-step into $.plan and routes on $.plan.next', () => {
    expect(state('Plan')).toMatchObject({
      Type: 'Task',
      Resource: relayStepArn,
      Parameters: { action: 'plan', 'incidentId.$': '$.incidentId' },
      ResultPath: '$.plan',
      TimeoutSeconds: 30,
      Next: 'Route',
    });
    expect(state('Plan').Retry?.[0]?.ErrorEquals).toContain('Lambda.ServiceException');
    expect(state('Route')).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.plan.next', StringEquals: 'wait', Next: 'Wait' },
        { Variable: '$.plan.next', StringEquals: 'done', Next: 'Done' },
        { Variable: '$.plan.next', StringEquals: 'stalled', Next: 'Stalled' },
      ],
    });
  });

  it('waits for the task token until the hop deadline, then escalates', () => {
    const wait = state('Wait');
    expect(wait).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.plan.timeoutSeconds',
      ResultPath: '$.callback',
      Next: 'Plan',
      Parameters: {
        FunctionName: relayStepArn,
        Payload: {
          action: 'wait',
          'incidentId.$': '$.incidentId',
          'hop.$': '$.plan.hop',
          'attempt.$': '$.plan.attempt',
          'dueAt.$': '$.plan.dueAt',
          'timeoutSeconds.$': '$.plan.timeoutSeconds',
          'taskToken.$': '$$.Task.Token',
        },
      },
    });
    expect(wait.TimeoutSeconds).toBeUndefined();
    expect(wait.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Escalate' },
    ]);
  });

  it('escalates with relay-step into $.escalation and plans again', () => {
    expect(state('Escalate')).toMatchObject({
      Type: 'Task',
      Resource: relayStepArn,
      Parameters: {
        action: 'escalate',
        'incidentId.$': '$.incidentId',
        'hop.$': '$.plan.hop',
        'attempt.$': '$.plan.attempt',
      },
      ResultPath: '$.escalation',
      TimeoutSeconds: 30,
      Next: 'Plan',
    });
    expect(state('Escalate').Retry?.[0]?.ErrorEquals).toContain('Lambda.ServiceException');
  });

  it('ends in Done or in Stalled with RelayStalled', () => {
    expect(state('Done').Type).toBe('Succeed');
    expect(state('Stalled')).toMatchObject({ Type: 'Fail', Error: RELAY_STALLED_ERROR });
    expect(RELAY_STALLED_ERROR).toBe('RelayStalled');
  });

  it('logs every transition with its data and traces with X-Ray', () => {
    expect(stateMachine.Properties).toMatchObject({
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
  });
});

describe('functions', () => {
  it('builds one Lambda function per manifest entry and no other', () => {
    expect([...functionResources.keys()].sort()).toEqual(specs.map((s) => s.name).sort());
  });

  it.each(specs.map((s) => [s.name, s] as const))('%s runs on the house defaults', (name, spec) => {
    const { properties, env } = fn(name);
    expect(properties).toMatchObject({
      Runtime: HOUSE_RUNTIME.name,
      // A function that prints PDFs is sized for Chromium (its own test below).
      Architectures: [spec.pdf === true ? 'x86_64' : 'arm64'],
      Handler: 'index.handler',
      // A function that prints PDFs or holds a whole checkpoint asks for more (their own tests below).
      MemorySize: spec.memoryMiB ?? 512,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
    });
    expect(env).toMatchObject({
      CEPTOAR_FUNCTION: name,
      EVENTS_TABLE: { Ref: tableId },
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('gives the function that prints PDFs the PDF layer, x86_64, and the memory, /tmp and time Chromium needs', () => {
    const printing = specs.filter((s) => s.pdf === true).map((s) => s.name);
    expect(printing).toEqual(['annual-report']);
    const { properties, env } = fn('annual-report');
    expect(properties).toMatchObject({
      Architectures: ['x86_64'],
      MemorySize: 2048,
      EphemeralStorage: { Size: 1024 },
      Timeout: 28,
      Layers: [{ Ref: expect.any(String) }],
    });
    const [{ Ref: layerId }] = properties.Layers as [{ Ref: string }];
    expect(resources[layerId]).toMatchObject({
      Type: 'AWS::Lambda::LayerVersion',
      Properties: { CompatibleArchitectures: ['x86_64'], CompatibleRuntimes: [HOUSE_RUNTIME.name] },
    });
    expect(env).toMatchObject({ CEPTOAR_PDF_LAYER: '/opt', CEPTOAR_PDF_FONTS: '/opt/noto-sans-jp' });
    // No other function carries the layer or prints.
    for (const [name, { properties: other, env: otherEnv }] of functionResources)
      if (name !== 'annual-report') {
        expect(other.Layers, name).toBeUndefined();
        expect(otherEnv.CEPTOAR_PDF_LAYER, name).toBeUndefined();
      }
  });

  it('gives the functions that hold a whole checkpoint in memory 2,048 MB, and no other function more than 512 but the PDF printer', () => {
    expect(fn('publish-checkpoint').properties.MemorySize).toBe(2048);
    expect(fn('audit-checkpoints').properties.MemorySize).toBe(2048);
    // A cold read of a large checkpoint takes longer than the HTTP functions' 10 s; still under API Gateway's 30.
    expect(fn('audit-checkpoints').properties.Timeout).toBe(28);
    expect(fn('publish-checkpoint').properties.Timeout).toBe(120);
    const large = [...functionResources]
      .filter(([, f]) => (f.properties.MemorySize as number) > 512)
      .map(([n]) => n);
    expect(large.sort()).toEqual(['annual-report', 'audit-checkpoints', 'publish-checkpoint']);
  });

  it('keeps function logs for more than a year', () => {
    for (const { properties } of functionResources.values()) {
      const logGroupId = (properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroupId]?.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    }
  });

  it('passes the environment of docs/ARCHITECTURE.md to the functions that use it', () => {
    const [topicId] = single('AWS::SNS::Topic');
    expect(fn('stream-reactor').env).toMatchObject({ RELAY_WORKFLOW_ARN: { Ref: stateMachineId } });
    expect(fn('stream-notifier').env).toMatchObject({
      NOTIFICATIONS_TOPIC_ARN: { Ref: topicId },
      PUBLIC_URL: expect.anything(),
    });
    // Each half carries only what it calls: no topic for the workflow reactions, no workflow for the messages.
    expect(fn('stream-reactor').env).not.toHaveProperty('NOTIFICATIONS_TOPIC_ARN');
    expect(fn('stream-notifier').env).not.toHaveProperty('RELAY_WORKFLOW_ARN');
    expect(fn('deliver-notification').env).toMatchObject({ EMAIL_FROM: 'noreply@ceptoar.example' });
    // relay-step is what the workflow invokes; the workflow's ARN in it would be a dependency cycle.
    expect(fn('relay-step').env).not.toHaveProperty('RELAY_WORKFLOW_ARN');
  });
});

/** A stack to compute ARNs in; nothing is synthesized, so its app's folder goes at once. */
const voiceArnStack = () => {
  const app = testApp({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
  disposeApp(app);
  return new Stack(app, 'VoiceArn', { env: { account: '123456789012', region: 'ap-northeast-1' } });
};

describe('voice calls', () => {
  it('are granted nothing and named no origination identity when the context gives none', () => {
    expect(fn('deliver-notification').env).not.toHaveProperty('VOICE_ORIGINATION_IDENTITY');
    expect(JSON.stringify(template.toJSON())).not.toContain('sms-voice');
  });

  it("take the origination identity's ARN as given, or build it from a phone number's or pool's id", () => {
    const region = voiceArnStack();
    const pool = 'arn:aws:sms-voice:ap-northeast-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef';
    expect(voiceOriginationArn(region, pool)).toBe(pool);
    expect(voiceOriginationArn(region, 'phone-0123456789abcdef0123456789abcdef')).toBe(
      'arn:aws:sms-voice:ap-northeast-1:123456789012:phone-number/phone-0123456789abcdef0123456789abcdef',
    );
  });

  it('refuse a bare phone number, which no grant can name', () => {
    const region = voiceArnStack();
    expect(() => voiceOriginationArn(region, '+81312345678')).toThrow(
      /voiceOriginationIdentity must be the ARN or the id \(phone-…, pool-…\)/,
    );
  });
});

describe('HTTP API', () => {
  const [authorizerId] = single('AWS::ApiGatewayV2::Authorizer');
  const [userPoolId] = single('AWS::Cognito::UserPool');
  const [clientId] = single('AWS::Cognito::UserPoolClient');
  const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');

  it('authorizes with JWTs issued by the user pool for the app client', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::GetAtt': [userPoolId, 'ProviderURL'] },
      },
    });
  });

  const manifestRoutes = specs.flatMap((s) =>
    (s.routes ?? []).map((r) => [`${r.method} ${r.path}`, s.name, r.public === true] as const),
  );

  it('has exactly the routes of the manifest', () => {
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      manifestRoutes.map(([key]) => key).sort(),
    );
  });

  it.each(manifestRoutes)(
    '%s is served by %s (public: %s), otherwise behind the JWT authorizer',
    (routeKey, name, open) => {
      const route = routes.find((r) => r.Properties.RouteKey === routeKey);
      if (open) {
        expect(route?.Properties.AuthorizationType).toBe('NONE');
      } else {
        expect(route?.Properties).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: authorizerId },
        });
      }
      const target = route?.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref];
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': [fn(name).logicalId, 'Arn'] },
        PayloadFormatVersion: '2.0',
      });
    },
  );

  it('logs every request and throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });

  it('has a user pool with MFA, the roles as groups and the org attribute only admins can write', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'org', Mutable: true }),
        Match.objectLike({ Name: 'sector', Mutable: true }),
      ]),
    });
    const groups = Object.values(resources).filter((r) => r.Type === 'AWS::Cognito::UserPoolGroup');
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual(
      ['auditor', 'member', 'ministry', 'nisc', 'secretariat'].sort(),
    );
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      ReadAttributes: Match.arrayWith(['custom:org', 'custom:sector']),
      WriteAttributes: Match.not(Match.arrayWith(['custom:org'])),
    });
  });
});

describe('event sources', () => {
  it('feeds the stream reactor and the stream notifier only event items, in order, with a failure destination', () => {
    const streamSources = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.EventSourceArn) ===
          JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] }),
    );
    // DynamoDB Streams recommends at most two readers per shard.
    expect(streamSources.map((r) => r.Properties.FunctionName)).toEqual([
      { Ref: fn('stream-reactor').logicalId },
      { Ref: fn('stream-notifier').logicalId },
    ]);
    for (const name of ['stream-reactor', 'stream-notifier']) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fn(name).logicalId },
        EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
        FilterCriteria: {
          Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { kind: { S: ['event'] } } } }) }],
        },
      });
    }
  });

  it('delivers notifications from two queues subscribed raw to the encrypted topic, one per flow', () => {
    const [topicId, topic] = single('AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const subscriptions = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription');
    // The relay's few messages never wait behind an advisory's thousands: a filter policy splits them.
    expect(subscriptions.map((s) => s.Properties.FilterPolicy)).toEqual([
      { flow: ['relay'] },
      { flow: ['advisory'] },
    ]);
    for (const [i, subscription] of subscriptions.entries()) {
      expect(subscription.Properties).toMatchObject({
        Protocol: 'sqs',
        RawMessageDelivery: true,
        TopicArn: { Ref: topicId },
      });
      const queueId = (subscription.Properties.Endpoint as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      expect(resources[queueId]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { maxReceiveCount: 5 },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fn('deliver-notification').logicalId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: i === 0 ? 10 : 100,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });
});

describe('outputs', () => {
  it('exports the API URL, user pool, client, table and workflow', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'UserPoolId',
        'UserPoolClientId',
        'EventsTableName',
        'RelayWorkflowArn',
      ]),
    );
  });
});
