import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import type { SectorId } from '../events/sector/catalog.ts';
import type { Directory } from '../functions/aggregates/directory.ts';
import { moveToGroups } from '../functions/audit/audit-partitions.ts';
import { functions } from '../functions/manifest.ts';
import { eventImageOf } from '../functions/store/event-item.ts';
import { CONSOLE_DIST } from '../web/build.ts';
import { localConsoleConfig, organisationNames } from '../web/console-config.ts';
import {
  issueLocalToken,
  localAckKeyFile,
  localSigningKey,
  localWebhookKeyFile,
  tokenRequest,
  tokenSector,
} from './auth.ts';
import { startCheckpointTimer } from './checkpoints.ts';
import { consoleRoute } from './console.ts';
import { type DynamoLocal, ensureTable, freePort, type LocalLog, startDynamoLocal } from './dynamodb.ts';
import { ENDPOINTS_FILE, type LocalEndpoints, localEndpoints } from './endpoints.ts';
import { ensureIndexes } from './ensure-indexes.ts';
import { type ApiRoute, type LocalRoute, type RouteHandler, startHttpServer } from './http-server.ts';
import { startMailCatcher } from './mail.ts';
import { ensureOpenIndex } from './open-index.ts';
import { assertPortsFree, type LocalPorts, type LocalService } from './ports.ts';
import { recoverFromEventLog } from './recover.ts';
import { type ExtractedStateMachine, localFunctionName, startLocalSfn } from './sfn/index.ts';
import { startSmsGateway } from './sms.ts';
import { startLocalMessaging } from './sns.ts';
import { stateMachinesOfThisTree } from './state-machines.ts';
import { startStreamPoller } from './streams.ts';
import { eventTableSpec } from './table-spec.ts';
import { startVoiceCatcher } from './voice.ts';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Where DynamoDB Local, the mailbox, the SMS and call logs and checkpoints live; kept across restarts. */
  readonly dataDir: string;
  /** API port; 0 or undefined picks a free one (tests). Same as `ports.api`. */
  readonly port?: number;
  /** Every stand-in's port; each missing or 0 picks a free one (tests, the bench); `npm start` passes its defaults. */
  readonly ports?: Partial<LocalPorts>;
  readonly host?: string;
  /**
   * The state machines of the synthesized template, when the caller has them already: a test run
   * synthesizes the CDK app once for all the stacks it starts. By default the stack takes them from
   * the synthesis cache, synthesizing when this tree's infrastructure code changed (./state-machines.ts).
   */
  readonly stateMachines?: readonly ExtractedStateMachine[];
  /**
   * True when the caller validated `stateMachines` already (validateStateMachine: a test run does it
   * once in its setup); each stack then skips the library's check, 0.4-0.9 s of every start.
   */
  readonly stateMachinesValidated?: boolean;
  /** Divides every policy duration (CEPTOAR_TIME_SCALE). */
  readonly timeScale?: number;
  /** Relay policy override (CEPTOAR_RELAY_POLICY JSON). */
  readonly relayPolicy?: string;
  /** Reporting stages of new incidents (CEPTOAR_REPORTING_PRESET: a preset id or a custom preset's JSON). */
  readonly reportingPreset?: string;
  /** Per-caller and per-organisation limits (CEPTOAR_RATE_LIMITS: `off` or JSON; README, "Rate limits"). */
  readonly rateLimits?: string;
  /** Seconds between checkpoints (CEPTOAR_CHECKPOINT_SECONDS, default 300); 0 turns the timer off. */
  readonly checkpointSeconds?: number;
  readonly quiet?: boolean;
  /** The built web console served under /app/ (default web/dist). */
  readonly consoleDir?: string;
  /** How often the console's open pages re-read the API (default 5 s). */
  readonly consolePollSeconds?: number;
  /** The directory to seed at start (default config/directory.json); only missing organisations are appended. */
  readonly directory?: Directory;
  /**
   * A DynamoDB Local already running, started without -sharedDb so that it keeps a database per access key:
   * the stack uses it under `accessKeyId` (alphanumeric, one per stack) instead of starting a JVM of its
   * own with its files in the data folder. The tests' one JVM per run (test/support/global-setup.ts).
   * The stack does not stop it, and the soak's DynamoDB faults are not available on it.
   */
  readonly dynamo?: { readonly endpoint: string; readonly accessKeyId: string };
}

/** The running local system. */
export interface LocalStack {
  readonly url: string;
  readonly dataDir: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly mail: Awaited<ReturnType<typeof startMailCatcher>>;
  readonly sms: Awaited<ReturnType<typeof startSmsGateway>>;
  /** Every phone call placed, as `<dataDir>/voice.jsonl` keeps it. */
  readonly voice: Awaited<ReturnType<typeof startVoiceCatcher>>;
  readonly sfn: Awaited<ReturnType<typeof startLocalSfn>>;
  /** Every endpoint, region and dummy credentials, as written to `<dataDir>/endpoints.json`. */
  readonly endpoints: LocalEndpoints;
  /** Resolves when every committed event so far was reacted to and every queued notification handled. */
  settle(): Promise<void>;
  /** Hooks the soak injects faults through (bench/soak.ts; over IPC with CEPTOAR_FAULT_HOOKS=1, local/fault-hooks.ts). */
  readonly faults: LocalFaults;
  stop(): Promise<void>;
}

/** What the soak does to a running stack besides killing it (see bench/README.md, "Soak"). */
export interface LocalFaults {
  /** Process id of DynamoDB Local's JVM now (the soak kills it with SIGKILL from outside). */
  dynamoPid(): number | undefined;
  /** Waits until the JVM has exited (however), then starts DynamoDB Local again on the same port and files. */
  restartDynamo(): Promise<{ pid: number | undefined; ms: number }>;
  /** Crashes the stream poller (mid-batch when one arrives within `waitForBatchMs`) and starts a new one from the checkpoint. */
  crashStreamPoller(waitForBatchMs: number): Promise<{ midBatch: boolean; records: number }>;
  /** While on, the SNS endpoint (topic publishes, SMS) and SES answer 503: nothing is delivered. */
  refuseDeliveries(on: boolean): void;
  /** Messages waiting in each queue (visible and in flight), the dead-letter queues included. */
  queueCounts(): Promise<Record<string, number>>;
}

/** The event table's name in the local stack. */
export const LOCAL_TABLE = 'ceptoar-events';
const TABLE = LOCAL_TABLE;
/** The longest pause of the stream and queue pollers while they find nothing (nudges end it). */
const IDLE_POLL_MAX_MS = 1000;
/** The stream poller's checkpoint, in the data folder. */
export const STREAM_CHECKPOINT_FILE = 'stream-checkpoint.json';
/** The advisory queue's batch size, as the CDK stack sets it (infra/stack.ts). */
const ADVISORY_BATCH = 100;
const REGION = 'ap-northeast-1';
/** The number local calls come from (in AWS, the CDK context `voiceOriginationIdentity`). */
const LOCAL_VOICE_ORIGINATION = '+81300000000';

type Handler = (...args: never[]) => Promise<unknown>;
const loadHandler = async <H extends Handler>(name: string): Promise<H> =>
  ((await import(`../functions/${name}.ts`)) as { handler: H }).handler;

type StreamReaction = (e: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * Two stream handlers as one: each sees the whole batch, both at once (in AWS two event source mappings
 * call them independently; the notifier folds a stream from its head and the events after it, so it does
 * not wait for the projection's head),
 * and the batch is retried from the earlier of their failures (both are idempotent, so the records the
 * other already handled may come again).
 */
function bothReactions(first: StreamReaction, second: StreamReaction): StreamReaction {
  return async (event) => {
    const [a, b] = await Promise.all([first(event), second(event)]);
    const failed = [...a.batchItemFailures, ...b.batchItemFailures];
    const order = event.Records.map((r) => r.dynamodb?.SequenceNumber ?? '');
    const earliest = failed.sort(
      (a, b) => order.indexOf(a.itemIdentifier) - order.indexOf(b.itemIdentifier),
    )[0];
    return { batchItemFailures: earliest ? [earliest] : [] };
  };
}

/** A DynamoDB Local someone else started and stops (LocalStackOptions.dynamo). */
function sharedDynamo(endpoint: string): DynamoLocal {
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    pid: undefined,
    exited: new Promise<void>(() => {}),
    stop: async () => {},
  };
}

/** A 400 problem+json answer to POST /local/token, with its per-field errors. */
const badTokenRequest = (detail: string, errors: { path: string; message: string }[]) => ({
  status: 400,
  contentType: 'application/problem+json',
  body: { type: 'about:blank', title: 'Bad Request', status: 400, detail, errors },
});

/** The sector of an organisation in the event-sourced directory; null when it is not there (or none is named). */
async function localOrgSector(org: string | undefined): Promise<SectorId | null> {
  if (org === undefined) return null;
  const [{ loadAggregate }, { organizations }, { store }, { entrySector }] = await Promise.all([
    import('../functions/store/command-runner.ts'),
    import('../functions/aggregates/organizations.ts'),
    import('../functions/store/store.ts'),
    import('../events/directory/directory.ts'),
  ]);
  const { state } = await loadAggregate(store, organizations, org);
  return state === null ? null : entrySector(state.entry);
}

/**
 * Starts the whole system on this machine: DynamoDB Local (with streams), the relay state
 * machine from the synthesized template on aws-local-stepfunctions, fauxqs for SNS/SQS
 * with an SMS catcher in front, an SES endpoint with an SMTP catcher, a voice-call catcher, and the HTTP API
 * serving the same handler modules that Lambda runs. Only endpoint URLs differ from AWS.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // The SDK versions are pinned (see package.json), and Lambda runs a newer Node than 20:
  // its notice about Node 22 says nothing actionable for the local stack.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const log: LocalLog = options.quiet
    ? { info: () => {}, warn: (m, ...r) => console.warn(`[local] ${m}`, ...r) }
    : {
        info: (m, ...r) => console.log(`[local] ${m}`, ...r),
        warn: (m, ...r) => console.warn(`[local] ${m}`, ...r),
      };
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((e) => log.warn(`stop failed: ${String(e)}`));
    stoppers.length = 0;
  };
  let ready = false;
  const ports: Partial<LocalPorts> = { ...options.ports, api: options.ports?.api ?? options.port ?? 0 };
  // Before anything starts: a taken port is named with the variable that moves it.
  await assertPortsFree(ports, options.host);
  const port = (service: LocalService) => ports[service] || undefined;

  try {
    // DynamoDB Local's JVM boots (2-4 s) while the rest of the stack starts and the handlers load: its
    // port is picked now, so the endpoint is known before it answers; nothing reads the table until
    // the seeding below, which waits for it. One after the other, `npm start` took ~2.5 s longer.
    const dynamoOptions = {
      dbPath: join(dataDir, 'dynamodb'),
      log,
      port: port('dynamodb') ?? (options.dynamo ? undefined : await freePort()),
    };
    const dynamoStarting = options.dynamo
      ? Promise.resolve(sharedDynamo(options.dynamo.endpoint))
      : startDynamoLocal(dynamoOptions);
    // Its failure is awaited below; until then it must not count as unhandled.
    dynamoStarting.catch(() => {});
    const dynamoEndpoint = options.dynamo?.endpoint ?? `http://127.0.0.1:${dynamoOptions.port}`;
    // The JVM running now: assigned once it answers (below); the fault hook may replace it later.
    let dynamo: DynamoLocal | undefined;
    stoppers.push(async () => {
      const started = await dynamoStarting.catch(() => undefined);
      // The JVM running now, or the one that started while a later step of the start failed.
      if (started) await (dynamo ?? started).stop();
    });
    const credentials = { accessKeyId: options.dynamo?.accessKeyId ?? 'local', secretAccessKey: 'local' };

    const messaging = await startLocalMessaging({ region: REGION, log, port: port('sqs') });
    stoppers.push(() => messaging.stop());
    const topicArn = await messaging.createTopic('ceptoar-notifications');
    // One queue per flow, selected by the subscription filter policy on `flow`, as in the CDK stack.
    const queueUrl = await messaging.subscribeQueue(
      topicArn,
      'ceptoar-deliveries',
      { flow: ['relay'] },
      {
        rawMessageDelivery: true,
        visibilityTimeoutSeconds: 10,
        deadLetter: { queueName: 'ceptoar-deliveries-dlq', maxReceiveCount: 5 },
      },
    );
    const advisoryQueueUrl = await messaging.subscribeQueue(
      topicArn,
      'ceptoar-advisory-deliveries',
      { flow: ['advisory'] },
      {
        rawMessageDelivery: true,
        visibilityTimeoutSeconds: 10,
        deadLetter: { queueName: 'ceptoar-advisory-deliveries-dlq', maxReceiveCount: 5 },
      },
    );
    // Their dead-letter queues too (CreateQueue of an existing queue answers its URL): the soak counts what ends there.
    const queueUrls: Record<string, string> = {
      'ceptoar-deliveries': queueUrl,
      'ceptoar-deliveries-dlq': await messaging.createQueue('ceptoar-deliveries-dlq'),
      'ceptoar-advisory-deliveries': advisoryQueueUrl,
      'ceptoar-advisory-deliveries-dlq': await messaging.createQueue('ceptoar-advisory-deliveries-dlq'),
    };
    const sms = await startSmsGateway({ upstream: messaging.endpoint, dataDir, port: port('sns') });
    stoppers.push(() => sms.close());
    const mail = await startMailCatcher({
      dataDir,
      log,
      apiPort: port('ses'),
      smtpPort: port('smtp'),
    });
    stoppers.push(() => mail.stop());
    const voice = await startVoiceCatcher({ dataDir, port: port('voice') });
    stoppers.push(() => voice.close());
    const sfn = await startLocalSfn({
      region: REGION,
      historyFile: join(dataDir, 'stepfunctions', 'executions.ndjson'),
      port: port('stepfunctions'),
    });
    stoppers.push(() => sfn.close());

    // The handlers read these once, at import; they are all set before the first import.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamoEndpoint,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_SNS: sms.endpoint,
      AWS_ENDPOINT_URL_SQS: messaging.endpoint,
      AWS_ENDPOINT_URL_SESV2: mail.sesEndpoint,
      AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: voice.endpoint,
      VOICE_ORIGINATION_IDENTITY: LOCAL_VOICE_ORIGINATION,
      EVENTS_TABLE: TABLE,
      NOTIFICATIONS_TOPIC_ARN: topicArn,
      EMAIL_FROM: 'noreply@ceptoar.example',
      CEPTOAR_TIME_SCALE: String(options.timeScale ?? 1),
      // Checkpoints and their Ed25519 key live in the data folder (<dataDir>/checkpoints/).
      CEPTOAR_CHECKPOINT_DIR: dataDir,
      // Attached files (activity minutes) in <dataDir>/blobs/; reports printed by the system Chromium.
      CEPTOAR_BLOB_DIR: join(dataDir, 'blobs'),
      CEPTOAR_PDF_CHROMIUM: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      ...(options.relayPolicy ? { CEPTOAR_RELAY_POLICY: options.relayPolicy } : {}),
      ...(options.reportingPreset ? { CEPTOAR_REPORTING_PRESET: options.reportingPreset } : {}),
      ...(options.rateLimits ? { CEPTOAR_RATE_LIMITS: options.rateLimits } : {}),
    });

    const signingKey = localSigningKey(dataDir);
    process.env.CEPTOAR_ACK_KEY_FILE = localAckKeyFile(dataDir);
    process.env.CEPTOAR_WEBHOOK_KEY_FILE = localWebhookKeyFile(dataDir);
    // A webhook to https://127.0.0.1:<port>/ or https://localhost:<port>/ reaches a receiver on this
    // machine over plain http (no certificate to make); every other address is sent as it is.
    process.env.CEPTOAR_WEBHOOK_LOOPBACK_HTTP = 'true';
    // The console's sign-in picker names the organisations of the directory this stack seeds.
    const consoleDirectory = options.directory ?? (await import('./seed-directory.ts')).seedDirectory();
    // The console names every seeded organisation, and its sign-in offers every seeded sector.
    const { seededOrganizations, seedSectors } = await import('./seed-sectors.ts');
    const consoleOrganisations = organisationNames({
      organizations: seededOrganizations(consoleDirectory.organizations),
    });
    const consoleSectors = Object.entries(seedSectors()).map(([id, s]) => ({ id, names: s.names }));
    const localRoutes: LocalRoute[] = [
      async ({ method, path }) => {
        if (method === 'GET' && path === '/health') {
          return ready
            ? { status: 200, body: { status: 'ok' } }
            : { status: 503, body: { status: 'starting' } };
        }
        if (!ready) {
          return {
            status: 503,
            contentType: 'application/problem+json',
            body: {
              type: 'about:blank',
              title: 'Service Unavailable',
              status: 503,
              detail: 'the local stack is starting',
            },
          };
        }
        return undefined;
      },
      async ({ method, path, body }) => {
        if (method !== 'POST' || path !== '/local/token') return undefined;
        let json: unknown;
        try {
          json = JSON.parse(body || '{}');
        } catch {
          json = undefined;
        }
        const parsed = tokenRequest.safeParse(json);
        if (!parsed.success) {
          return badTokenRequest(
            'the body must be {role, org?, sector?, sub?}',
            parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
          );
        }
        // A member's sector is its organisation's, as the directory has it now.
        const orgSector = await localOrgSector(
          ['member', 'secretariat'].includes(parsed.data.role) ? parsed.data.org : undefined,
        );
        const sector = tokenSector(parsed.data, orgSector);
        if ('error' in sector)
          return badTokenRequest(sector.error, [{ path: 'sector', message: sector.error }]);
        const request = { ...parsed.data, ...(sector.sector ? { sector: sector.sector } : {}) };
        return { status: 200, body: { token: await issueLocalToken(signingKey, request) } };
      },
      async ({ method, path }) => {
        if (method === 'GET' && path === '/local/mail')
          return { status: 200, body: { items: mail.messages() } };
        if (method === 'GET' && path === '/local/sms')
          return { status: 200, body: { items: sms.messages() } };
        if (method === 'GET' && path === '/local/voice')
          return { status: 200, body: { items: voice.calls() } };
        return undefined;
      },
      consoleRoute({
        distDir: resolve(options.consoleDir ?? CONSOLE_DIST),
        config: () =>
          localConsoleConfig({
            pollSeconds: options.consolePollSeconds ?? 5,
            organisations: consoleOrganisations,
            sectors: consoleSectors,
          }),
      }),
    ];
    // The pollers pause for up to IDLE_POLL_MAX_MS while they find nothing (an idle stack polled DynamoDB
    // Local and SQS 200 times a second: a third of a core). Whatever writes ends the pause at once: every
    // handler call here nudges the stream poller and the queue pollers when it returns. Writes from
    // elsewhere (a CLI on the data folder) are seen within the longest pause.
    const wake = { stream: () => {}, queues: () => {} };
    const nudgeAfter = <H extends Handler>(handler: H): H =>
      (async (...args: Parameters<H>) => {
        try {
          return await handler(...args);
        } finally {
          wake.stream();
          wake.queues();
        }
      }) as H;
    const routes: ApiRoute[] = functions.flatMap((fn) =>
      'routes' in fn
        ? fn.routes.map((r) => ({
            method: r.method,
            path: r.path,
            functionName: fn.name,
            ...('public' in r && r.public ? { public: true } : {}),
            load: async () => nudgeAfter(await loadHandler<RouteHandler>(fn.name)),
          }))
        : [],
    );
    const http = await startHttpServer({
      port: ports.api ?? 0,
      ...(options.host ? { host: options.host } : {}),
      routes,
      localRoutes,
      signingKey,
    });
    stoppers.push(() => http.close());
    process.env.PUBLIC_URL = http.url;

    const relayStep = nudgeAfter(await loadHandler<(payload: unknown) => Promise<unknown>>('relay-step'));
    // Every state machine the template holds, each Task mapped to its handler via CEPTOAR_FUNCTION.
    const workflowHandlers = new Map<string, (payload: unknown) => Promise<unknown>>([
      ['relay-step', relayStep],
    ]);
    const arnEnv: [prefix: string, env: string][] = [
      ['RelayWorkflow', 'RELAY_WORKFLOW_ARN'],
      ['AdvisoryWorkflow', 'ADVISORY_WORKFLOW_ARN'],
      ['ExerciseWorkflow', 'EXERCISE_WORKFLOW_ARN'],
      ['SurveyWorkflow', 'SURVEY_WORKFLOW_ARN'],
      ['StageWorkflow', 'STAGE_WORKFLOW_ARN'],
    ];
    let machines = options.stateMachines;
    if (machines === undefined) {
      const ofThisTree = await stateMachinesOfThisTree(REGION);
      machines = ofThisTree.machines;
      log.info(
        ofThisTree.synthesized
          ? 'synthesized the CDK app (cached for the next start)'
          : 'state machines from the synthesis cache',
      );
    }
    for (const machine of machines) {
      const arn = sfn.registerStateMachine(
        machine.logicalId,
        machine.definition,
        (fnArn) => {
          const name = localFunctionName(fnArn);
          const handler = workflowHandlers.get(name);
          if (!handler)
            throw new Error(`state machine ${machine.logicalId} calls an unknown function ${name}`);
          return handler;
        },
        options.stateMachines !== undefined && options.stateMachinesValidated === true,
      );
      const env = arnEnv.find(([prefix]) => machine.logicalId.startsWith(prefix))?.[1];
      if (!env) throw new Error(`no environment variable for state machine ${machine.logicalId}`);
      process.env[env] = arn;
    }
    if (
      !process.env.RELAY_WORKFLOW_ARN ||
      !process.env.ADVISORY_WORKFLOW_ARN ||
      !process.env.EXERCISE_WORKFLOW_ARN ||
      !process.env.STAGE_WORKFLOW_ARN
    )
      throw new Error('the template lacks the relay, the advisory, the exercise or the stage state machine');

    const first = await dynamoStarting;
    dynamo = first;
    // A restarted JVM keeps the port (restartDynamo below): the endpoint is the first one's for good.
    const dynamoClient = new DynamoDBClient({ endpoint: first.endpoint, region: REGION, credentials });
    await ensureTable(dynamoClient, eventTableSpec(TABLE));
    await ensureIndexes(dynamoClient, eventTableSpec(TABLE), log);
    // A data folder of an earlier release: its open streams are listed in byOpen once (bounded, logged).
    await ensureOpenIndex(dynamoClient, TABLE, log);
    // And its audit index entries are moved into their sectors' partitions once (bounded, logged).
    await moveToGroups(dynamoClient, TABLE, log);

    // The directory is event-sourced; config/directory.json only seeds the organisations missing at start.
    const { seedLocalDirectory, seedLocalSectors } = await import('./directory-seed.ts');
    const seededSectors = await seedLocalSectors();
    if (seededSectors > 0) log.info(`seeded ${seededSectors} sectors`);
    const seeded = await seedLocalDirectory(options.directory);
    if (seeded > 0) log.info(`seeded ${seeded} organisations into the directory`);

    // In AWS two event source mappings read the stream, one for stream-reactor (workflows) and one for
    // stream-notifier (messages); here one poller hands each batch to both at once.
    const reactor = nudgeAfter(
      bothReactions(
        await loadHandler<StreamReaction>('stream-reactor'),
        await loadHandler<StreamReaction>('stream-notifier'),
      ),
    );
    const deliverOnce = nudgeAfter(
      await loadHandler<(e: SQSEvent) => Promise<unknown>>('deliver-notification'),
    );
    // A poller that received messages wakes its siblings: a fan-out's batches run side by side at once.
    const deliver = (event: SQSEvent) => {
      wake.queues();
      return deliverOnce(event);
    };
    const streamOptions = {
      dynamoEndpoint: first.endpoint,
      accessKeyId: credentials.accessKeyId,
      tableName: TABLE,
      checkpointFile: join(dataDir, STREAM_CHECKPOINT_FILE),
      handler: reactor as never,
      // The event source mappings' filter (infra/stack.ts): event items only, not heads, time entries or
      // idempotency records, and a batch of 100 counts events.
      filter: (record: DynamoDBRecord) => eventImageOf(record) !== null,
      name: 'stream-reactor',
      idlePollMaxMs: IDLE_POLL_MAX_MS,
      log,
    };
    let streams = await startStreamPoller(streamOptions);
    stoppers.push(() => streams.stop());
    // Lambda runs several batches of an SQS source at once: one poller serves the relay queue, eight the
    // advisory queue (its fan-outs are thousands of messages).
    const pollers = [
      messaging.pollQueue({ queueUrl, handler: deliver as never, idlePollMaxMs: IDLE_POLL_MAX_MS }),
      ...Array.from({ length: 8 }, () =>
        messaging.pollQueue({
          queueUrl: advisoryQueueUrl,
          handler: deliver as never,
          batchSize: ADVISORY_BATCH,
          idlePollMaxMs: IDLE_POLL_MAX_MS,
        }),
      ),
    ];
    for (const poller of pollers) stoppers.push(() => poller.stop());
    wake.stream = () => streams.nudge();
    wake.queues = () => {
      for (const poller of pollers) poller.nudge();
    };
    const deliveries = {
      idle: async () => void (await Promise.all(pollers.map((p) => p.idle()))),
      workDone: () => pollers.reduce((sum, p) => sum + p.workDone, 0),
    };

    const { store } = await import('../functions/store/store.ts');
    const { StepFunctionsWorkflow } = await import('../functions/workflow/workflow.ts');
    const { SnsNotifier } = await import('../functions/notify/notifier.ts');
    const { loadDirectory } = await import('../functions/aggregates/directory.ts');
    const directory = await loadDirectory(store);
    const recovered = await recoverFromEventLog({
      store,
      workflow: new StepFunctionsWorkflow(new SFNClient({}), process.env.RELAY_WORKFLOW_ARN),
      stageWorkflow: new StepFunctionsWorkflow(new SFNClient({}), process.env.STAGE_WORKFLOW_ARN),
      notifier: new SnsNotifier(new SNSClient({}), topicArn),
      deps: { directory, publicUrl: http.url },
    });
    if (recovered.resumed + recovered.republished > 0) {
      log.info(
        `resumed ${recovered.resumed} relays and stage alarms and re-sent ${recovered.republished} undelivered notifications`,
      );
    }
    const checkpointSeconds = options.checkpointSeconds ?? 300;
    if (checkpointSeconds > 0) {
      const publish =
        await loadHandler<() => Promise<{ id: string; treeSize: number }>>('publish-checkpoint');
      const timer = startCheckpointTimer({ seconds: checkpointSeconds, publish, log });
      stoppers.push(() => timer.stop());
    }
    const { resumeAdvisories } = await import('./recover-advisories.ts');
    const { ackKey } = await import('../functions/notify/ack-link.ts');
    const advisoriesRecovered = await resumeAdvisories({
      store,
      workflow: new StepFunctionsWorkflow(new SFNClient({}), process.env.ADVISORY_WORKFLOW_ARN),
      notifier: new SnsNotifier(new SNSClient({}), topicArn),
      deps: { directory: async () => directory, ackKey, publicUrl: http.url },
    });
    if (advisoriesRecovered.resumed + advisoriesRecovered.republished > 0) {
      log.info(
        `resumed ${advisoriesRecovered.resumed} advisories in flight and re-sent ${advisoriesRecovered.republished} undelivered advisory messages`,
      );
    }
    const { resumeExercises } = await import('./recover-exercises.ts');
    const exercisesRecovered = await resumeExercises({
      store,
      workflow: new StepFunctionsWorkflow(new SFNClient({}), process.env.EXERCISE_WORKFLOW_ARN),
    });
    if (exercisesRecovered.resumed > 0) log.info(`resumed ${exercisesRecovered.resumed} running exercises`);
    const { resumeSurveys } = await import('./recover-surveys.ts');
    const surveyWorkflowArn = process.env.SURVEY_WORKFLOW_ARN;
    if (!surveyWorkflowArn) throw new Error('the template lacks the survey state machine');
    const surveysRecovered = await resumeSurveys({
      store,
      workflow: new StepFunctionsWorkflow(new SFNClient({}), surveyWorkflowArn),
      notifier: new SnsNotifier(new SNSClient({}), topicArn),
      deps: { directory: async () => directory, publicUrl: http.url },
    });
    if (surveysRecovered.resumed + surveysRecovered.republished > 0) {
      log.info(
        `resumed ${surveysRecovered.resumed} survey reminder timers and re-sent ${surveysRecovered.republished} undelivered survey messages`,
      );
    }
    ready = true;
    const endpoints = localEndpoints({
      apiUrl: http.url,
      dataDir,
      region: REGION,
      credentials,
      dynamodb: first.endpoint,
      stepFunctions: sfn.url,
      sns: sms.endpoint,
      sqs: messaging.endpoint,
      ses: mail.sesEndpoint,
      voice: voice.endpoint,
      voiceOrigination: LOCAL_VOICE_ORIGINATION,
      smtpPort: mail.smtpPort,
      tableName: TABLE,
      stateMachineArns: [
        process.env.RELAY_WORKFLOW_ARN,
        process.env.ADVISORY_WORKFLOW_ARN,
        process.env.EXERCISE_WORKFLOW_ARN,
        surveyWorkflowArn,
        process.env.STAGE_WORKFLOW_ARN,
      ],
      topicArn,
      queueUrls: [queueUrl, advisoryQueueUrl],
    });
    writeFileSync(join(dataDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`);

    return {
      url: http.url,
      dataDir,
      dynamoEndpoint: first.endpoint,
      tableName: TABLE,
      mail,
      sms,
      voice,
      sfn,
      endpoints,
      settle: async () => {
        // A delivery appends an event, which the stream poller must then project (and may react to):
        // go round until a whole round of both handled nothing.
        for (;;) {
          const before = streams.workDone + deliveries.workDone();
          await streams.idle();
          await deliveries.idle();
          if (streams.workDone + deliveries.workDone() === before) return;
        }
      },
      faults: {
        dynamoPid: () => (dynamo ?? first).pid,
        async restartDynamo() {
          if (options.dynamo)
            throw new Error('the stack runs on a DynamoDB Local it did not start: it cannot restart it');
          await (dynamo ?? first).exited;
          // DynamoDB Local may have lost writes it acknowledged just before it died (DynamoDB never does): the
          // handlers' cached decision states may be ahead of the table. Dropped now and once it is back.
          store.forgetAll();
          const t0 = Date.now();
          // Same port (the clients keep their endpoint), same files. A loaded machine can take longer than a
          // normal start may (30 s): wait longer, and try again, rather than leave the stack without a table.
          for (let attempt = 1; ; attempt++) {
            try {
              dynamo = await startDynamoLocal({
                ...dynamoOptions,
                port: first.port,
                startTimeoutMs: 120_000,
              });
              store.forgetAll();
              return { pid: dynamo.pid, ms: Date.now() - t0 };
            } catch (error) {
              if (attempt >= 3) throw error;
              log.warn(
                `DynamoDB Local restart failed (attempt ${attempt}), retrying: ${(error as Error).message}`,
              );
            }
          }
        },
        async crashStreamPoller(waitForBatchMs) {
          const outcome = await streams.crash({ waitForBatchMs });
          // Like Lambda's event source mapping after a crash: a new reader from the last checkpoint. It
          // retries on its own while DynamoDB Local is unreachable.
          for (;;) {
            try {
              streams = await startStreamPoller(streamOptions);
              return outcome;
            } catch (error) {
              log.warn(`stream poller restart failed, retrying: ${(error as Error).message}`);
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        },
        refuseDeliveries(on) {
          sms.refuse(on);
          mail.refuse(on);
        },
        async queueCounts() {
          const counts: Record<string, number> = {};
          for (const [name, url] of Object.entries(queueUrls)) {
            const c = await messaging.queueCounts(url);
            counts[name] = c.visible + c.inFlight + c.delayed;
          }
          return counts;
        },
      },
      stop: async () => {
        ready = false;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
