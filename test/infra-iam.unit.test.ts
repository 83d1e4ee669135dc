import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AwsCall, type FunctionSpec, functions } from '../functions/manifest.ts';
import { buildApp } from '../infra/app.ts';
import { REPO_ROOT } from '../infra/house-function.ts';
import { flatTemplate } from './support/templates.ts';

// One synthesis for the file; grants do not depend on bundling, and cdk-nag is infra-nag's business.
const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-iam-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
// A voice origination identity, so deliver-notification's call grant exists to be checked (without one, none).
const VOICE_POOL = 'pool-0123456789abcdef0123456789abcdef';
const { stack } = buildApp({
  bundling: false,
  nag: false,
  outdir,
  context: { voiceOriginationIdentity: VOICE_POOL },
});
const resources = flatTemplate(stack).Resources as Record<string, CfnResource>;
const specs: readonly FunctionSpec[] = functions;

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** An IAM statement with Action and Resource always as arrays. */
interface Statement {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
}

const asArray = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T];

function logicalIdOf(type: string, which: (r: CfnResource) => boolean = () => true): string {
  const [first, ...others] = Object.entries(resources).filter(([, r]) => r.Type === type && which(r));
  if (first === undefined || others.length > 0) throw new Error(`expected exactly one ${type}`);
  return first[0];
}

const tableId = logicalIdOf('AWS::DynamoDB::Table');
const stateMachineIds = Object.entries(resources)
  .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
  .map(([id]) => id);
const secretIds = {
  'ack-link': logicalIdOf('AWS::SecretsManager::Secret', (r) =>
    String(r.Properties.Description).includes('acknowledgement links'),
  ),
  'webhook-master': logicalIdOf('AWS::SecretsManager::Secret', (r) =>
    String(r.Properties.Description).includes('webhook signing keys'),
  ),
} as const;
const topicId = logicalIdOf('AWS::SNS::Topic');
const senderId = logicalIdOf('AWS::SES::EmailIdentity');
const signingKeyId = logicalIdOf('AWS::KMS::Key', (r) => r.Properties.KeySpec === 'ECC_NIST_P256');
const checkpointBucketId = logicalIdOf('AWS::S3::Bucket', (r) => r.Properties.ObjectLockEnabled === true);
const checkpointBucketArn = { 'Fn::GetAtt': [checkpointBucketId, 'Arn'] };
const minutesBucketId = logicalIdOf(
  'AWS::S3::Bucket',
  (r) =>
    (r.Properties.LoggingConfiguration as { LogFilePrefix?: string } | undefined)?.LogFilePrefix ===
    'minutes/',
);
const minutesBucketArn = { 'Fn::GetAtt': [minutesBucketId, 'Arn'] };
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const tableIndexesArn = { 'Fn::Join': ['', [tableArn, '/index/*']] };

/** Every statement attached to a role: its inline policies and the AWS::IAM::Policy resources naming it. */
function statementsOfRole(roleId: string): Statement[] {
  const role = resources[roleId];
  if (role === undefined) throw new Error(`no role ${roleId}`);
  // Managed policies would hide their statements from this test (and AWSLambdaBasicExecutionRole is logs:* on *).
  expect(role.Properties.ManagedPolicyArns, `${roleId} managed policies`).toBeUndefined();
  const documents = [
    ...asArray(role.Properties.Policies as { PolicyDocument: unknown }[] | undefined).map(
      (p) => p.PolicyDocument,
    ),
    ...Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => asArray(r.Properties.Roles as unknown[]).some((ref) => isEqual(ref, { Ref: roleId })))
      .map((r) => r.Properties.PolicyDocument),
  ] as { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }[];
  return documents.flatMap((d) =>
    d.Statement.map((s) => ({
      effect: s.Effect,
      actions: asArray(s.Action),
      resources: asArray(s.Resource),
    })),
  );
}

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** IAM's action matching: `*` in a granted action is a wildcard. */
function actionMatches(granted: string, action: string): boolean {
  const pattern = new RegExp(`^${granted.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  return pattern.test(action);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function allows(statements: readonly Statement[], action: string, resource: unknown): boolean {
  return statements.some(
    (s) =>
      s.effect === 'Allow' &&
      s.actions.some((granted) => actionMatches(granted, action)) &&
      s.resources.some((r) => isEqual(r, resource)),
  );
}

/** Each function's logical id and the statements of its role, by manifest name. */
const functionsByName = new Map(
  Object.entries(resources)
    // The manifest's functions; CDK's own custom-resource handlers (BucketDeployment's) carry no CEPTOAR_FUNCTION.
    .filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.CEPTOAR_FUNCTION !== undefined,
    )
    .map(([logicalId, r]) => {
      const name = (r.Properties.Environment as { Variables: { CEPTOAR_FUNCTION: string } }).Variables
        .CEPTOAR_FUNCTION;
      const roleId = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      return [name, { logicalId, statements: statementsOfRole(roleId) }] as const;
    }),
);

function functionOf(name: string): { logicalId: string; statements: readonly Statement[] } {
  const found = functionsByName.get(name);
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
}

/** Whether the function's `sns:Publish` is SMS to phone numbers (no ARN) rather than to the topic. */
const publishesSms = (spec: FunctionSpec) => spec.trigger === 'notification-queue';

/** Where each manifest call must be allowed. */
function expectedResources(spec: FunctionSpec, call: AwsCall): unknown[] {
  switch (call) {
    case 'dynamodb:Query':
      return [tableArn, tableIndexesArn];
    case 'dynamodb:GetItem':
    case 'dynamodb:BatchGetItem':
    case 'dynamodb:BatchWriteItem':
    case 'dynamodb:PutItem':
      return [tableArn];
    case 'states:StartExecution':
    case 'states:SendTaskSuccess':
    case 'states:SendTaskFailure':
      return stateMachineIds.map((id) => ({ Ref: id }));
    case 'secretsmanager:GetSecretValue':
      return (spec.secrets ?? []).map((name) => ({ Ref: secretIds[name] }));
    case 'sqs:GetQueueUrl':
    case 'sqs:ChangeMessageVisibility': {
      // Only its own notification queues (both flows), never their dead-letter queues.
      const queues = Object.entries(resources)
        .filter(([id, r]) => r.Type === 'AWS::SQS::Queue' && /^DeliverNotification(Advisory)?Queue/.test(id))
        .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
      if (queues.length !== 2)
        throw new Error(`expected the two notification queues, found ${queues.length}`);
      return queues;
    }
    case 'sns:Publish':
      return publishesSms(spec) ? ['*'] : [{ Ref: topicId }];
    case 'ses:SendEmail':
      return [
        {
          'Fn::Join': [
            '',
            [`arn:aws:ses:${stack.region}:`, { Ref: 'AWS::AccountId' }, ':identity/', { Ref: senderId }],
          ],
        },
      ];
    case 'sms-voice:SendVoiceMessage':
      return [
        {
          'Fn::Join': [
            '',
            [`arn:aws:sms-voice:${stack.region}:`, { Ref: 'AWS::AccountId' }, `:pool/${VOICE_POOL}`],
          ],
        },
      ];
    case 's3:PutObject':
    case 's3:GetObject':
      if (spec.bucket === 'minutes') return [{ 'Fn::Join': ['', [minutesBucketArn, '/minutes/*']] }];
      return [{ 'Fn::Join': ['', [checkpointBucketArn, '/checkpoints/*']] }];
    case 's3:ListBucket':
      return [checkpointBucketArn];
    case 'kms:Sign':
    case 'kms:GetPublicKey':
      return [{ 'Fn::GetAtt': [signingKeyId, 'Arn'] }];
    default: {
      const unknownCall: never = call;
      throw new Error(`no expectation for ${String(unknownCall)}`);
    }
  }
}

/**
 * Actions a function may hold beyond its manifest calls: its own logs, X-Ray, what its trigger needs to feed
 * it, and the topic key for publishing to the topic.
 */
function plumbing(spec: FunctionSpec): string[] {
  const house = [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
  ];
  const trigger: Record<FunctionSpec['trigger'], string[]> = {
    http: [],
    workflow: [],
    'event-stream': [
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'sqs:SendMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
    ],
    schedule: [],
    'notification-queue': [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ],
  };
  const topicKey =
    spec.calls.includes('sns:Publish') && !publishesSms(spec) ? ['kms:Decrypt', 'kms:GenerateDataKey*'] : [];
  return [...house, ...trigger[spec.trigger], ...topicKey];
}

describe('IAM grants follow the manifest', () => {
  describe.each(specs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
    const { statements } = functionOf(name);

    it.each([...spec.calls])('may call %s on the right resource', (call) => {
      for (const resource of expectedResources(spec, call)) {
        expect(allows(statements, call, resource), `${call} on ${JSON.stringify(resource)}`).toBe(true);
      }
    });

    it('holds no action beyond its calls and its plumbing', () => {
      const permitted = [...spec.calls, ...plumbing(spec)];
      const extra = statements
        .flatMap((s) => s.actions)
        .filter((action) => !permitted.some((p) => p.toLowerCase() === action.toLowerCase()));
      expect(extra).toEqual([]);
    });

    it('has Resource "*" only where no resource exists to name', () => {
      const wildcardActions = statements.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions);
      const expected = [
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        ...(spec.trigger === 'event-stream' ? ['dynamodb:ListStreams'] : []),
        ...(publishesSms(spec) ? ['sns:Publish'] : []),
      ];
      expect([...wildcardActions].sort()).toEqual(expected.sort());
    });
  });

  it.each(stateMachineIds)(
    'lets %s invoke relay-step only, and use "*" only for log delivery and X-Ray',
    (stateMachineId) => {
      const roleArn = resources[stateMachineId]?.Properties.RoleArn as { 'Fn::GetAtt': [string, string] };
      const statements = statementsOfRole(roleArn['Fn::GetAtt'][0]);
      const relayStepArn = { 'Fn::GetAtt': [functionOf('relay-step').logicalId, 'Arn'] };
      const invoke = statements.filter((s) => s.actions.includes('lambda:InvokeFunction'));
      expect(invoke.flatMap((s) => s.resources)).toEqual([
        relayStepArn,
        { 'Fn::Join': ['', [relayStepArn, ':*']] },
      ]);
      const wildcardActions = statements.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions);
      const logDelivery =
        /^logs:(\w+LogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/;
      expect(wildcardActions.filter((a) => !a.startsWith('xray:') && !logDelivery.test(a))).toEqual([]);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------
// The code side: what each function's modules can call, read from source.

/** The IAM actions an SDK v3 command needs. A transaction needs the actions of its items (see below). */
const COMMAND_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  GetItemCommand: ['dynamodb:GetItem'],
  GetCommand: ['dynamodb:GetItem'],
  QueryCommand: ['dynamodb:Query'],
  ScanCommand: ['dynamodb:Scan'],
  PutItemCommand: ['dynamodb:PutItem'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateItemCommand: ['dynamodb:UpdateItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteItemCommand: ['dynamodb:DeleteItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  BatchGetItemCommand: ['dynamodb:BatchGetItem'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchWriteItemCommand: ['dynamodb:BatchWriteItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  TransactGetItemsCommand: ['dynamodb:GetItem'],
  TransactGetCommand: ['dynamodb:GetItem'],
  TransactWriteItemsCommand: [],
  TransactWriteCommand: [],
  StartExecutionCommand: ['states:StartExecution'],
  SendTaskSuccessCommand: ['states:SendTaskSuccess'],
  SendTaskFailureCommand: ['states:SendTaskFailure'],
  SendTaskHeartbeatCommand: ['states:SendTaskHeartbeat'],
  DescribeExecutionCommand: ['states:DescribeExecution'],
  PublishCommand: ['sns:Publish'],
  PublishBatchCommand: ['sns:Publish'],
  SendEmailCommand: ['ses:SendEmail'],
  SendVoiceMessageCommand: ['sms-voice:SendVoiceMessage'],
  PutObjectCommand: ['s3:PutObject'],
  GetObjectCommand: ['s3:GetObject'],
  ListObjectsV2Command: ['s3:ListBucket'],
  SignCommand: ['kms:Sign'],
  GetPublicKeyCommand: ['kms:GetPublicKey'],
  GetSecretValueCommand: ['secretsmanager:GetSecretValue'],
  GetQueueUrlCommand: ['sqs:GetQueueUrl'],
  ChangeMessageVisibilityCommand: ['sqs:ChangeMessageVisibility'],
};

/** TransactWriteItems needs the action of each item kind it carries, read from the item keys in its module. */
const TRANSACT_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** Aggregated SDK clients call commands without `new XxxCommand(`, which this check could not see. */
const AGGREGATED_CLIENT =
  /\bnew\s+(DynamoDB|SFN|SNS|SESv2|SES|SQS|S3|KMS|PinpointSMSVoiceV2)\s*\(|\bDynamoDBDocument\.from\s*\(/;

/** A command construction found in a module, the IAM actions it needs, and the import chain reaching it. */
interface CommandUse {
  readonly command: string;
  readonly actions: readonly string[] | undefined;
  readonly chain: readonly string[];
}

function actionsOf(command: string, moduleSource: string): readonly string[] | undefined {
  if (!/^TransactWrite(Items)?Command$/.test(command)) return COMMAND_ACTIONS[command];
  const kinds = [...moduleSource.matchAll(/\b(Put|Update|Delete|ConditionCheck)\s*:/g)].map(
    (m) => m[1] ?? '',
  );
  // Items assembled in another module cannot be seen from here; assume the worst.
  const assumed = kinds.length > 0 ? kinds : Object.keys(TRANSACT_ITEM_ACTIONS);
  return [...new Set(assumed.map((kind) => TRANSACT_ITEM_ACTIONS[kind] ?? kind))];
}

function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s\/\/.*$/gm, '');
}

/** Relative value imports (type-only imports are erased by the bundler and skipped). */
function relativeImports(source: string): string[] {
  const specifiers: string[] = [];
  const staticImport =
    /\b(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const match of source.matchAll(staticImport)) {
    if (match[1] === undefined && match[2] !== undefined) specifiers.push(match[2]);
  }
  for (const match of source.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
    if (match[1] !== undefined) specifiers.push(match[1]);
  }
  return specifiers;
}

/** Every `new XxxCommand(` in the entry module and the modules it imports, transitively. */
function commandsReachableFrom(functionName: string): { uses: CommandUse[]; aggregated: string[] } {
  const uses: CommandUse[] = [];
  const aggregated: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: readonly string[]): void => {
    // Data (JSON) holds no calls; anything else that is not a .ts path would be skipped unseen.
    if (seen.has(file) || file.endsWith('.json')) return;
    seen.add(file);
    if (!file.endsWith('.ts') || !existsSync(file)) {
      throw new Error(`${chain.join(' → ')} imports ${file}, which this check cannot resolve`);
    }
    const source = stripComments(readFileSync(file, 'utf8'));
    const here = [...chain, relative(REPO_ROOT, file)];
    for (const match of source.matchAll(/\bnew\s+(\w+Command)\s*\(/g)) {
      if (match[1] !== undefined)
        uses.push({ command: match[1], actions: actionsOf(match[1], source), chain: here });
    }
    if (AGGREGATED_CLIENT.test(source)) aggregated.push(here.join(' → '));
    for (const specifier of relativeImports(source)) visit(resolve(dirname(file), specifier), here);
  };
  visit(join(REPO_ROOT, 'functions', `${functionName}.ts`), []);
  return { uses, aggregated };
}

describe('function code calls only what the manifest grants', () => {
  it.each(specs.map((s) => [s.name, s] as const))(
    '%s constructs only commands its calls allow',
    (name, spec) => {
      const { uses, aggregated } = commandsReachableFrom(name);
      expect(aggregated, 'aggregated SDK clients bypass this check; construct commands instead').toEqual([]);
      const unknown = uses.filter((u) => u.actions === undefined);
      expect(
        unknown.map((u) => `${u.command} in ${u.chain.join(' → ')}`),
        'SDK commands without an IAM mapping; add them to COMMAND_ACTIONS',
      ).toEqual([]);
      const calls: readonly string[] = spec.calls;
      const ungranted = uses.flatMap((u) =>
        (u.actions ?? [])
          .filter((action) => !calls.includes(action))
          .map((action) => `${u.command} needs ${action}, constructed in ${u.chain.join(' → ')}`),
      );
      expect([...new Set(ungranted)]).toEqual([]);
    },
  );
});
