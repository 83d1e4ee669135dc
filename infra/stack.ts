import { CfnOutput, Duration, NestedStack, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import demoDirectory from '../config/directory.json' with { type: 'json' };
import { reportingPreset } from '../events/reporting.ts';
import { parseRateLimits } from '../functions/http/rate-limit.ts';
import { type AwsCall, type FunctionSpec, functions } from '../functions/manifest.ts';
import { EVENT_KIND } from '../functions/store/event-item.ts';
import { organisationNames } from '../web/console-config.ts';
import { type ApiThrottle, parseApiThrottle, throttleRoutes } from './api-throttle.ts';
import { AuditTrail } from './audit-trail.ts';
import { HouseBundler } from './bundling.ts';
import { ConsoleHosting } from './console-hosting.ts';
import { HOUSE_RUNTIME, HouseFunction, REPO_ROOT } from './house-function.ts';
import { MinutesStore } from './minutes-store.ts';
import { acknowledgeNagFinding, nagArnToken } from './nag.ts';
import { PdfLayer } from './pdf-layer.ts';
import { RelayWorkflow } from './relay-workflow.ts';

/** The Cognito groups a caller's `cognito:groups` claim draws from. */
export const USER_GROUPS = ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] as const;

/** Names of the event table's global secondary indexes (docs/ARCHITECTURE.md, "Event table"). */
export const EVENT_TABLE_INDEXES = {
  byType: 'byType',
  byOrg: 'byOrg',
  byTime: 'byTime',
  byHead: 'byHead',
  byOpen: 'byOpen',
} as const;

/** Deployment settings, read from CDK context by {@link stackSettingsFromContext}. */
export interface CeptoarRelaySettings {
  /** Sender address of e-mail notifications; its domain becomes the SES identity. */
  readonly emailFrom: string;
  /** Base URL of the console links in messages; defaults to the console's CloudFront URL. */
  readonly publicUrl?: string;
  /** Base URL of acknowledgement links (`/ack/{token}`); defaults to the HTTP API's URL. */
  readonly ackUrl?: string;
  /** JSON override of the relay policy, passed to every function as `CEPTOAR_RELAY_POLICY`. */
  readonly relayPolicy?: string;
  /** The reporting stages' preset (an id or a custom preset's JSON), passed as `CEPTOAR_REPORTING_PRESET`. */
  readonly reportingPreset?: string;
  /** JSON of the organisations (the console's names for them; the local stack seeds its directory from the same format). */
  readonly directory?: string;
  /** OAuth redirect URLs of the app client. */
  readonly authCallbackUrls: readonly string[];
  /** Prefix of the Cognito hosted domain; unique per region. */
  readonly authDomainPrefix?: string;
  /** Minutes between checkpoints (default 5). */
  readonly checkpointMinutes?: number;
  /** Days each checkpoint stays locked in compliance mode (default 3653, ten years). */
  readonly checkpointRetentionDays?: number;
  /** Per-caller and per-organisation limits, passed to every HTTP function as `CEPTOAR_RATE_LIMITS`. */
  readonly rateLimits?: string;
  /** API Gateway's stage and route throttling (defaults in infra/api-throttle.ts). */
  readonly apiThrottle?: ApiThrottle;
  /**
   * Where voice calls come from: the ARN or id (`phone-…`, `pool-…`) of an End User Messaging phone number
   * or pool that can place voice calls. Unset: no call is placed, and each is recorded as failed.
   */
  readonly voiceOriginationIdentity?: string;
}

/** Props of {@link CeptoarRelayStack}. */
export interface CeptoarRelayStackProps extends StackProps {
  readonly settings: CeptoarRelaySettings;
}

/** Reads {@link CeptoarRelaySettings} from the context (`cdk.json`, `-c key=value`). */
export function stackSettingsFromContext(scope: Construct): CeptoarRelaySettings {
  const text = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    // `-c` gives strings; cdk.json may hold objects, which the functions expect as JSON.
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  const callbackUrls: unknown = scope.node.tryGetContext('authCallbackUrls');
  const preset = text('reportingPreset');
  // Checked at synth: a preset that does not parse would otherwise fail every function's cold start.
  if (preset !== undefined) reportingPreset(preset);
  return {
    emailFrom: text('emailFrom') ?? 'noreply@ceptoar.example',
    publicUrl: text('publicUrl'),
    ackUrl: text('ackUrl'),
    relayPolicy: text('relayPolicy'),
    reportingPreset: preset,
    directory: text('directory'),
    authCallbackUrls: Array.isArray(callbackUrls)
      ? callbackUrls.map(String)
      : typeof callbackUrls === 'string'
        ? callbackUrls.split(',')
        : ['http://localhost:3000/auth/callback'],
    authDomainPrefix: text('authDomainPrefix'),
    checkpointMinutes: Number(text('checkpointMinutes') ?? 5),
    checkpointRetentionDays: Number(text('checkpointRetentionDays') ?? 3653),
    rateLimits: text('rateLimits'),
    apiThrottle: parseApiThrottle(text('apiThrottle')),
    voiceOriginationIdentity: text('voiceOriginationIdentity'),
  };
}

/**
 * The ARN of the voice origination identity named by its ARN or its id. An E.164 number alone is
 * refused: a grant can only name a phone number by its id.
 */
export function voiceOriginationArn(stack: Stack, identity: string): string {
  if (/^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool)\/[A-Za-z0-9_-]+$/.test(identity))
    return identity;
  const id = /^(phone|pool)-[0-9a-f]{32}$/.exec(identity);
  if (id) {
    const resource = id[1] === 'phone' ? 'phone-number' : 'pool';
    return stack.formatArn({ service: 'sms-voice', resource, resourceName: identity });
  }
  throw new Error(
    `voiceOriginationIdentity must be the ARN or the id (phone-…, pool-…) of an End User Messaging phone number or pool, so the grant can name it; got ${identity}`,
  );
}

/**
 * The whole relay: event table, relay workflow, notifications, HTTP API with Cognito, and one Lambda function
 * per entry of functions/manifest.ts, granted exactly the calls the manifest lists.
 */
export class CeptoarRelayStack extends Stack {
  /** The event table. */
  readonly table: dynamodb.Table;
  /** The relay workflow. */
  readonly relayWorkflow: RelayWorkflow;
  /** The advisory chain's workflow: the relay's states, following an advisory. */
  readonly advisoryWorkflow: RelayWorkflow;
  /** The cross-sector exercises' workflow: the relay's states, releasing injects at their offsets. */
  readonly exerciseWorkflow: RelayWorkflow;
  /** Reminds a survey's silent recipients at its reminder time. */
  readonly surveyWorkflow: RelayWorkflow;
  /** Reminds a member of an incident's reporting stages before their deadlines, escalates after them. */
  readonly stageWorkflow: RelayWorkflow;
  /** The HMAC key of one-click acknowledgement links. */
  readonly ackKey: secretsmanager.Secret;
  /** The master secret every organisation's webhook signing key derives from. */
  readonly webhookKey: secretsmanager.Secret;
  /** The notifications topic the stream reactor publishes to. */
  readonly notifications: sns.Topic;
  /** The HTTP API. */
  readonly httpApi: apigwv2.HttpApi;
  /** The functions by manifest name. */
  readonly functions: ReadonlyMap<string, HouseFunction>;
  /** The nested stack of the HTTP API's functions and their execution roles. */
  readonly httpRoutes: NestedStack;
  /** The checkpoint bucket (Object Lock) and signing key. */
  readonly auditTrail: AuditTrail;
  /** The web console (S3 + CloudFront). */
  readonly console: ConsoleHosting;
  /** The bucket of activity minutes. */
  readonly minutes: MinutesStore;

  constructor(scope: Construct, id: string, props: CeptoarRelayStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const specs: readonly FunctionSpec[] = functions;

    this.table = this.eventTable();
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      interval: Duration.minutes(settings.checkpointMinutes ?? 5),
      retention: Duration.days(settings.checkpointRetentionDays ?? 3653),
    });
    this.minutes = new MinutesStore(this, 'MinutesStore');

    // Functions first, without the ARNs of what they feed: the workflow needs relay-step, and the stream
    // reactor needs the workflow. Environment that names other resources is added once they exist.
    const byName = new Map<string, HouseFunction>();
    // One log group for every function (each function's streams carry its name).
    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', {
      // Thirteen months, so the previous fiscal year is still complete when the annual audit runs.
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The HTTP API's functions and their roles live in a nested stack: each route costs about six
    // resources (function, role, policy here; permission, integration, route with the API), and
    // CloudFormation allows 500 per stack. The routes stay with the API under their logical ids, so a
    // deployment made before the split updates in place (a route created anew would collide with its
    // old key). The functions the workflows, streams, queues and schedules call stay here.
    this.httpRoutes = new NestedStack(this, 'HttpRoutes', {
      description: "CEPTOAR relay: the HTTP API's functions and their execution roles",
    });
    // Every function's bundle in one esbuild run (at the first asset staging; never when bundling is off).
    const bundler = new HouseBundler(REPO_ROOT, specs);
    // Chromium and its fonts for the functions that print PDFs, in the nested stack beside them.
    const pdfLayer = specs.some((spec) => spec.pdf === true)
      ? new PdfLayer(this.httpRoutes, 'PdfPrinter', { root: REPO_ROOT, runtime: HOUSE_RUNTIME }).layer
      : undefined;
    for (const spec of specs) {
      byName.set(
        spec.name,
        new HouseFunction(spec.trigger === 'http' ? this.httpRoutes : this, pascalCase(spec.name), {
          spec,
          logGroup: functionLogs,
          bundler,
          ...(spec.pdf === true ? { pdfLayer } : {}),
          environment: {
            EVENTS_TABLE: this.table.tableName,
            ...(settings.relayPolicy === undefined ? {} : { CEPTOAR_RELAY_POLICY: settings.relayPolicy }),
            ...(settings.reportingPreset === undefined
              ? {}
              : { CEPTOAR_REPORTING_PRESET: settings.reportingPreset }),
          },
        }),
      );
    }
    this.functions = byName;
    const ofTrigger = (trigger: FunctionSpec['trigger']) =>
      [...byName.values()].filter((fn) => fn.spec.trigger === trigger);
    const [relayStep, ...otherWorkflowFunctions] = ofTrigger('workflow');
    if (relayStep === undefined || otherWorkflowFunctions.length > 0) {
      throw new Error('the manifest must have exactly one function with trigger "workflow"');
    }

    this.relayWorkflow = new RelayWorkflow(this, 'RelayWorkflow', { relayStep });
    this.advisoryWorkflow = new RelayWorkflow(this, 'AdvisoryWorkflow', { relayStep, subject: 'advisoryId' });
    this.exerciseWorkflow = new RelayWorkflow(this, 'ExerciseWorkflow', { relayStep, subject: 'exerciseId' });
    // A timer until each survey's reminders: one more state machine on the exercise workflow's role and logs.
    this.surveyWorkflow = new RelayWorkflow(this, 'SurveyWorkflow', {
      relayStep,
      subject: 'surveyId',
      shareWith: this.exerciseWorkflow,
    });
    // The reporting stages' reminders and escalations: one more state machine on the relay's role and logs.
    this.stageWorkflow = new RelayWorkflow(this, 'StageWorkflow', {
      relayStep,
      subject: 'stagesOf',
      shareWith: this.relayWorkflow,
    });
    this.ackKey = new secretsmanager.Secret(this, 'AckLinkKey', {
      description: 'HMAC key that signs the one-click acknowledgement links of advisories',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNagFinding(
      this.ackKey,
      'AwsSolutions-SMG4',
      'Rotating the link key would void every acknowledgement link in flight; it is replaced by redeploying.',
    );
    this.webhookKey = new secretsmanager.Secret(this, 'WebhookMasterKey', {
      description:
        "Master secret of the organisations' webhook signing keys (HMAC of org and key generation)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNagFinding(
      this.webhookKey,
      'AwsSolutions-SMG4',
      "Each organisation rotates its own webhook key (POST /directory/organizations/{org}/webhook-keys) without downtime; replacing the master would change every organisation's key at once.",
    );
    this.notifications = new sns.Topic(this, 'Notifications', {
      displayName: 'CEPTOAR relay notifications',
      masterKey: new kms.Key(this, 'NotificationsKey', {
        description: 'Encrypts the CEPTOAR relay notifications topic',
        enableKeyRotation: true,
      }),
      enforceSSL: true,
    });
    const senderDomain = emailDomain(settings.emailFrom);
    const sender = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: ses.Identity.domain(senderDomain),
    });
    this.console = new ConsoleHosting(this, 'Console');
    const auth = this.userPool(settings, this.console.callbackUrl);
    this.httpApi = this.api(auth, this.console.url, settings.apiThrottle ?? parseApiThrottle(undefined));
    if (settings.rateLimits !== undefined) {
      parseRateLimits(settings.rateLimits); // a bad setting fails the synthesis, not every request
      for (const fn of ofTrigger('http')) fn.addEnvironment('CEPTOAR_RATE_LIMITS', settings.rateLimits);
    }
    this.console.publish({
      auth: 'cognito',
      apiUrl: this.httpApi.apiEndpoint,
      pollSeconds: 10,
      organisations: organisationNames(
        settings.directory === undefined ? demoDirectory : JSON.parse(settings.directory),
      ),
      // Cognito's token says who one is and in which sector; nothing to pick at sign-in.
      sectors: [],
      cognito: { domain: auth.domain.baseUrl(), clientId: auth.client.userPoolClientId },
    });

    for (const fn of byName.values()) {
      this.grantCalls(fn, sender, settings);
      this.bindTrigger(fn, settings);
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.apiEndpoint,
      description: 'Base URL of the HTTP API',
    });
    new CfnOutput(this, 'ConsoleUrl', { value: `${this.console.url}/app/`, description: 'The web console' });
    new CfnOutput(this, 'UserPoolId', { value: auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: auth.client.userPoolClientId });
    new CfnOutput(this, 'EventsTableName', { value: this.table.tableName });
    new CfnOutput(this, 'RelayWorkflowArn', { value: this.relayWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AdvisoryWorkflowArn', { value: this.advisoryWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'NotificationsTopicArn', { value: this.notifications.topicArn });
    new CfnOutput(this, 'CheckpointBucketName', { value: this.auditTrail.bucket.bucketName });
    new CfnOutput(this, 'CheckpointKeyArn', { value: this.auditTrail.signingKey.keyArn });
  }

  private eventTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Events', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      // The events are the system of record; losing the stack must not lose them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: EVENT_TABLE_INDEXES.byType,
      partitionKey: { name: 'listPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'listSk', type: dynamodb.AttributeType.STRING },
    });
    table.addGlobalSecondaryIndex({
      indexName: EVENT_TABLE_INDEXES.byOrg,
      partitionKey: { name: 'orgPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'listSk', type: dynamodb.AttributeType.STRING },
    });
    // Audit: events in recorded order, sharded by stream (the stream projection's time entries, off the
    // command path; event items of earlier releases), and every stream's head, sharded.
    table.addGlobalSecondaryIndex({
      indexName: EVENT_TABLE_INDEXES.byTime,
      partitionKey: { name: 'tPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'tSk', type: dynamodb.AttributeType.STRING },
    });
    table.addGlobalSecondaryIndex({
      indexName: EVENT_TABLE_INDEXES.byHead,
      partitionKey: { name: 'hPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'hSk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['version', 'hash', 'streamType', 'updatedAt'],
    });
    // Sparse: only the heads of streams with open work carry openPk (what the local stack's recovery reads).
    table.addGlobalSecondaryIndex({
      indexName: EVENT_TABLE_INDEXES.byOpen,
      partitionKey: { name: 'openPk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'listSk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    return table;
  }

  private userPool(
    settings: CeptoarRelaySettings,
    consoleCallbackUrl: string,
  ): {
    userPool: cognito.UserPool;
    client: cognito.UserPoolClient;
    domain: cognito.UserPoolDomain;
  } {
    const userPool = new cognito.UserPool(this, 'UserPool', {
      // Accounts are provisioned by the secretariat, who also sets each member's organisation.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // The secretariat sets a member's organisation; `sector` (custom:sector) is the CEPTOAR a secretariat,
      // NISC or auditor account is limited to (none: chemical for a secretariat, every sector for NISC).
      // Custom attributes can be added to a live pool, never removed: sector is new, org was there first.
      customAttributes: {
        org: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        sector: new cognito.StringAttribute({ minLen: 1, maxLen: 32, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // TOTP only: SMS codes would need an SNS role and are the weaker factor.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of USER_GROUPS) {
      new cognito.UserPoolGroup(this, `Group${pascalCase(group)}`, { userPool, groupName: group });
    }
    const domain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: settings.authDomainPrefix ?? `ceptoar-relay-${this.account}` },
    });
    const client = userPool.addClient('WebClient', {
      // A public client (browser or CLI) uses the authorization code flow with PKCE; it cannot keep a secret.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [...settings.authCallbackUrls, consoleCallbackUrl],
        logoutUrls: [...settings.authCallbackUrls, consoleCallbackUrl],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(7),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('org', 'sector'),
      // The organisation decides what a caller may see; only an administrator may change it.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    return { userPool, client, domain };
  }

  private api(
    auth: { userPool: cognito.UserPool; client: cognito.UserPoolClient },
    consoleUrl: string,
    throttle: ApiThrottle,
  ): apigwv2.HttpApi {
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', auth.userPool.userPoolProviderUrl, {
      jwtAudience: [auth.client.userPoolClientId],
    });
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'CEPTOAR relay API',
      defaultAuthorizer: authorizer,
      // The default stage is declared below, with access logs and throttling the HttpApi props cannot set.
      createDefaultStage: false,
      // The console calls the API from its CloudFront origin.
      corsPreflight: {
        allowOrigins: [consoleUrl],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['location'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigwv2.HttpStage(this, 'HttpApiDefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: throttle.stage,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const throttled: Parameters<typeof throttleRoutes>[1][number][] = [];
    for (const fn of this.functions.values()) {
      for (const route of fn.spec.routes ?? []) {
        const added = api.addRoutes({
          path: route.path,
          methods: [apigwv2.HttpMethod[route.method]],
          // Acknowledgement links, the public board and the OpenAPI document answer without a login; their handlers check what they need.
          ...('public' in route && route.public ? { authorizer: new apigwv2.HttpNoneAuthorizer() } : {}),
          integration: new HttpLambdaIntegration(`${pascalCase(fn.spec.name)}${route.method}Integration`, fn),
        });
        const open = 'public' in route && route.public === true;
        for (const r of added)
          throttled.push({ route: r, method: route.method, path: route.path, public: open });
        if ('public' in route && route.public) {
          for (const r of added) {
            acknowledgeNagFinding(
              r,
              'AwsSolutions-APIG4',
              `${route.method} ${route.path} is public by design (an advisory's acknowledgement link, the TLP:CLEAR board, the OpenAPI document); its handler verifies what it needs.`,
            );
          }
        }
      }
    }
    throttleRoutes(stage, throttled, throttle);
    return api;
  }

  /** Grants each of the function's manifest calls on the resource the call is made against. */
  private grantCalls(fn: HouseFunction, sender: ses.EmailIdentity, settings: CeptoarRelaySettings): void {
    const { spec } = fn;
    const stateMachine = this.relayWorkflow.stateMachine;
    const ofService = (service: string): AwsCall[] =>
      spec.calls.filter((call) => call.startsWith(`${service}:`));

    const tableCalls = ofService('dynamodb');
    if (tableCalls.length > 0) {
      // table.grant covers the table and its indexes, which Query on byType and byOrg needs.
      this.table.grant(fn, ...tableCalls);
      fn.acknowledgePolicyFinding(
        `AwsSolutions-IAM5[Resource::${nagArnToken(this.table, fn)}/index/*]`,
        "table.grant's index wildcard spans the event table's own indexes (byType, byOrg), which Query reads.",
      );
    }

    const workflowCalls = ofService('states');
    if (workflowCalls.length > 0) {
      if (spec.trigger === 'workflow') {
        // The state machine's definition names the function; its ARN in the function would be a cycle.
        throw new Error(`${spec.name} is invoked by the relay workflow and cannot call it back`);
      }
      stateMachine.grant(fn, ...workflowCalls);
      fn.addEnvironment('RELAY_WORKFLOW_ARN', stateMachine.stateMachineArn);
      this.advisoryWorkflow.stateMachine.grant(fn, ...workflowCalls);
      fn.addEnvironment('ADVISORY_WORKFLOW_ARN', this.advisoryWorkflow.stateMachine.stateMachineArn);
      this.exerciseWorkflow.stateMachine.grant(fn, ...workflowCalls);
      fn.addEnvironment('EXERCISE_WORKFLOW_ARN', this.exerciseWorkflow.stateMachine.stateMachineArn);
      this.surveyWorkflow.stateMachine.grant(fn, ...workflowCalls);
      fn.addEnvironment('SURVEY_WORKFLOW_ARN', this.surveyWorkflow.stateMachine.stateMachineArn);
      this.stageWorkflow.stateMachine.grant(fn, ...workflowCalls);
      fn.addEnvironment('STAGE_WORKFLOW_ARN', this.stageWorkflow.stateMachine.stateMachineArn);
    }

    if (ofService('secretsmanager').length > 0) {
      const secrets = { 'ack-link': this.ackKey, 'webhook-master': this.webhookKey } as const;
      const environment = {
        'ack-link': 'ACK_KEY_SECRET_ARN',
        'webhook-master': 'WEBHOOK_KEY_SECRET_ARN',
      } as const;
      const named = spec.secrets ?? [];
      if (named.length === 0) throw new Error(`${spec.name} calls Secrets Manager but names no secret`);
      // Exactly the one call (grantRead would add DescribeSecret) on the named secrets; they use the AWS-managed key.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: named.map((name) => secrets[name].secretArn),
        }),
      );
      for (const name of named) fn.addEnvironment(environment[name], secrets[name].secretArn);
    }

    if (ofService('sns').length > 0) {
      if (spec.trigger === 'notification-queue') {
        // The notification consumer publishes SMS to phone numbers, never to the topic it is fed from.
        const sms = new iam.Policy(this, `${pascalCase(spec.name)}SmsPublish`, {
          statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })],
        });
        fn.executionRole.attachInlinePolicy(sms);
        acknowledgeNagFinding(
          sms,
          'AwsSolutions-IAM5[Resource::*]',
          'SMS: sns:Publish with PhoneNumber has no resource ARN to scope to; this policy holds nothing else.',
        );
      } else {
        this.notifications.grantPublish(fn);
        fn.acknowledgePolicyFinding(
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          'Publishing to the encrypted topic needs a data key from its KMS key; the grant is on that key only.',
        );
        fn.addEnvironment('NOTIFICATIONS_TOPIC_ARN', this.notifications.topicArn);
      }
    }

    if (spec.bucket === 'minutes') this.minutes.grant(fn, spec.calls);
    else if (ofService('s3').length + ofService('kms').length > 0) this.auditTrail.grant(fn, spec.calls);

    if (ofService('ses').length > 0) {
      sender.grant(fn, ...ofService('ses'));
      fn.addEnvironment('EMAIL_FROM', settings.emailFrom);
    }

    const voiceCalls = ofService('sms-voice');
    if (voiceCalls.length > 0 && settings.voiceOriginationIdentity) {
      // Calls only from the one phone number or pool the deployment names; nothing else of the service.
      const identity = voiceOriginationArn(this, settings.voiceOriginationIdentity);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: voiceCalls, resources: [identity] }));
      fn.addEnvironment('VOICE_ORIGINATION_IDENTITY', identity);
    }
  }

  /** Connects the function to what invokes it. */
  private bindTrigger(fn: HouseFunction, settings: CeptoarRelaySettings): void {
    const name = pascalCase(fn.spec.name);
    switch (fn.spec.trigger) {
      case 'http':
        // The acknowledgement page links to the advisory's page in the console.
        if (fn.spec.name === 'ack-link')
          fn.addEnvironment('PUBLIC_URL', settings.publicUrl ?? this.console.url);
        return;
      case 'workflow':
        // Routes are added with the API; the workflow is built around relay-step.
        return;
      case 'schedule':
        this.auditTrail.schedule(fn);
        return;
      case 'event-stream': {
        const dlq = new sqs.Queue(this, `${name}FailedBatches`, {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
        acknowledgeNagFinding(
          dlq,
          'AwsSolutions-SQS3',
          `This queue is the on-failure destination of ${fn.spec.name}'s stream event source mapping.`,
        );
        fn.addEventSource(
          new DynamoEventSource(this.table, {
            startingPosition: lambda.StartingPosition.TRIM_HORIZON,
            batchSize: 100,
            bisectBatchOnError: true,
            retryAttempts: 10,
            reportBatchItemFailures: true,
            onFailure: new SqsDlq(dlq),
            // Heads and idempotency records change on every append too; only events mean something happened.
            filters: [
              lambda.FilterCriteria.filter({
                dynamodb: { NewImage: { kind: { S: lambda.FilterRule.isEqual(EVENT_KIND) } } },
              }),
            ],
          }),
        );
        fn.acknowledgePolicyFinding(
          'AwsSolutions-IAM5[Resource::*]',
          'DynamoDB stream event source: dynamodb:ListStreams supports no resource-level permissions.',
        );
        if (fn.spec.calls.some((call) => call === 'sns:Publish')) {
          // Message links open /incidents/{id}: on the console's origin that is the console's incident page.
          fn.addEnvironment('PUBLIC_URL', settings.publicUrl ?? this.console.url);
          // Acknowledgement links are answered by the API itself (the console's origin serves only files).
          fn.addEnvironment('ACK_URL', settings.ackUrl ?? this.httpApi.apiEndpoint);
        }
        return;
      }
      case 'notification-queue': {
        // One queue per flow (subscription filter policy on the `flow` attribute): a fan-out of thousands of
        // advisory messages never delays an incident's relay notification.
        for (const flow of ['relay', 'advisory'] as const) {
          const suffix = flow === 'relay' ? '' : 'Advisory';
          const dlq = new sqs.Queue(this, `${name}${suffix}DeadLetters`, {
            encryption: sqs.QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            retentionPeriod: Duration.days(14),
          });
          const queue = new sqs.Queue(this, `${name}${suffix}Queue`, {
            encryption: sqs.QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            // Six times the function timeout, as Lambda recommends for SQS event sources.
            visibilityTimeout: Duration.seconds(6 * (fn.timeout?.toSeconds() ?? 30)),
            deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
          });
          this.notifications.addSubscription(
            new subscriptions.SqsSubscription(queue, {
              rawMessageDelivery: true,
              filterPolicy: { flow: sns.SubscriptionFilter.stringFilter({ allowlist: [flow] }) },
            }),
          );
          // Advisory fan-outs come in thousands: larger batches record them in fewer transactions (group commit).
          fn.addEventSource(
            new SqsEventSource(queue, {
              reportBatchItemFailures: true,
              ...(flow === 'relay'
                ? { batchSize: 10 }
                : { batchSize: 100, maxBatchingWindow: Duration.seconds(1) }),
            }),
          );
        }
        return;
      }
      default: {
        const unknownTrigger: never = fn.spec.trigger;
        throw new Error(`unknown trigger ${String(unknownTrigger)}`);
      }
    }
  }
}

function emailDomain(address: string): string {
  const domain = address.split('@')[1];
  if (domain === undefined || domain === '')
    throw new Error(`emailFrom is not an e-mail address: ${address}`);
  return domain;
}

/** `report-incident` → `ReportIncident`: construct ids that read like the manifest. */
function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
