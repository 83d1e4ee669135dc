/**
 * Every Lambda function of the system: its entry module, what invokes it, and the AWS
 * API calls its code makes. The CDK stack builds functions, routes and grants from this
 * list; the local runtime mounts the same modules; a test checks the grants against it.
 */

import type { LazyModuleName } from './runtime/lazy-module.ts';

/** One HTTP route served by a function. Paths use API Gateway's `{param}` syntax. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Served without a login (API Gateway: no authorizer); the handler checks what it needs itself. */
  readonly public?: boolean;
}

/** What a function's code calls, as IAM actions (service:Action). */
export type AwsCall =
  | 'dynamodb:GetItem'
  | 'dynamodb:Query'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:PutItem'
  | 'states:StartExecution'
  | 'states:SendTaskSuccess'
  | 'states:SendTaskFailure'
  | 'sns:Publish'
  | 'ses:SendEmail'
  | 'sms-voice:SendVoiceMessage'
  | 's3:PutObject'
  | 's3:GetObject'
  | 's3:ListBucket'
  | 'kms:Sign'
  | 'kms:GetPublicKey'
  | 'secretsmanager:GetSecretValue'
  /** On the function's own notification queues (granted with its event source): a failed message's backoff. */
  | 'sqs:GetQueueUrl'
  | 'sqs:ChangeMessageVisibility';

/** The Secrets Manager secrets a function reads (with secretsmanager:GetSecretValue), each granted alone. */
export type SecretName = 'ack-link' | 'webhook-master';

export interface FunctionSpec {
  /** kebab-case name; also the entry file `functions/<name>.ts` and `CEPTOAR_FUNCTION`. */
  readonly name: string;
  readonly description: string;
  readonly trigger: 'http' | 'workflow' | 'event-stream' | 'notification-queue' | 'schedule';
  readonly routes?: readonly Route[];
  readonly calls: readonly AwsCall[];
  /** Which secrets its secretsmanager:GetSecretValue reads. */
  readonly secrets?: readonly SecretName[];
  /** The bucket its s3 calls go to: the checkpoints' (default) or the minutes'. */
  readonly bucket?: 'checkpoints' | 'minutes';
  /** Modules it loads on first use, each shipped as its own file beside its bundle (runtime/lazy-module.ts). */
  readonly lazy?: readonly LazyModuleName[];
  /**
   * Prints PDFs with Chromium: in AWS it runs with the PDF layer (infra/pdf-layer.ts) on x86_64, with the /tmp
   * Chromium needs, and carries the `pdf-chromium` lazy module (its memory and time: `memoryMiB`, `timeoutSeconds`).
   */
  readonly pdf?: true;
  /** Memory in MiB where the house's 512 is not enough (a function that prints PDFs gets its own). */
  readonly memoryMiB?: number;
  /** Timeout in seconds where its trigger's (infra/house-function.ts) is not enough; an HTTP one stays under 30. */
  readonly timeoutSeconds?: number;
}

const READ = ['dynamodb:GetItem', 'dynamodb:Query'] as const satisfies readonly AwsCall[];
const WRITE = [...READ, 'dynamodb:PutItem'] as const satisfies readonly AwsCall[];
/** Checkpoints: signed with the KMS key, written once to (and read from) the Object Lock bucket. */
const CHECKPOINT = [
  ...READ,
  // A period read resolves the time index's entries to their events (audit-log.ts).
  'dynamodb:BatchGetItem',
  's3:PutObject',
  's3:GetObject',
  's3:ListBucket',
  'kms:Sign',
  'kms:GetPublicKey',
] as const satisfies readonly AwsCall[];

export const functions = [
  {
    name: 'report-incident',
    description: 'A member reports an IT incident',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/incidents' }],
    calls: WRITE,
  },
  {
    name: 'add-follow-up',
    description: 'The reporting member amends its report (続報)',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/incidents/{id}/follow-ups' }],
    calls: WRITE,
  },
  {
    name: 'decide-relay',
    description: 'The secretariat approves or returns the relay',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/incidents/{id}/decision' }],
    calls: WRITE,
  },
  {
    name: 'acknowledge-receipt',
    description: 'The ministry or NISC acknowledges receipt of a relayed report',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/incidents/{id}/receipt' }],
    calls: WRITE,
  },
  {
    name: 'close-incident',
    description: 'The secretariat or the reporting member closes a relayed incident',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/incidents/{id}/close' }],
    calls: WRITE,
  },
  {
    name: 'get-incident',
    description: "An incident's current state",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/incidents/{id}' }],
    calls: READ,
  },
  {
    name: 'list-incidents',
    description: 'The incidents the caller may see',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/incidents' }],
    calls: READ,
  },
  {
    name: 'get-incident-events',
    description: "An incident's event stream",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/incidents/{id}/events' }],
    calls: READ,
  },
  {
    name: 'get-organization',
    description: "An organisation's directory entry",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/directory/organizations/{org}' }],
    calls: READ,
  },
  {
    name: 'list-organizations',
    description:
      'The organisations of the sectors the caller sees, with contacts count and channels (a member: its own and its chain)',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/directory/organizations' }],
    calls: READ,
  },
  {
    name: 'list-sectors',
    description: 'The sectors (CEPTOARs) the caller may see',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/sectors' }],
    calls: READ,
  },
  {
    name: 'get-sector',
    description: 'One sector the caller may see',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/sectors/{id}' }],
    calls: READ,
  },
  {
    name: 'put-sector',
    description:
      "NISC changes a sector's entry: names, secretariat, its own relay policy and reporting preset",
    trigger: 'http',
    routes: [{ method: 'PUT', path: '/sectors/{id}' }],
    calls: WRITE,
  },
  {
    name: 'put-organization',
    description: "The secretariat sets an organisation's directory entry",
    trigger: 'http',
    routes: [{ method: 'PUT', path: '/directory/organizations/{org}' }],
    calls: WRITE,
  },
  {
    name: 'rotate-webhook-key',
    description: "An organisation's member or the secretariat starts a new webhook signing key generation",
    trigger: 'http',
    routes: [{ method: 'POST', path: '/directory/organizations/{org}/webhook-keys' }],
    calls: [...WRITE, 'secretsmanager:GetSecretValue'],
    secrets: ['webhook-master'],
  },
  {
    name: 'issue-advisory',
    description: 'NISC, the ministry or the secretariat issues an advisory (情報提供)',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/advisories' }],
    calls: WRITE,
  },
  {
    name: 'create-drill',
    description: 'Starts a drill: an advisory marked as an exercise',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/drills' }],
    calls: WRITE,
  },
  {
    name: 'list-drills',
    description: 'The drills the caller may read the report of, newest first, with the rate so far',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/drills' }],
    calls: READ,
  },
  {
    name: 'forward-advisory',
    description: 'The ministry, then the secretariat, forwards an advisory down the chain',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/advisories/{id}/forward' }],
    calls: WRITE,
  },
  {
    name: 'acknowledge-advisory',
    description: 'A member acknowledges an advisory for its organisation',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/advisories/{id}/receipt' }],
    calls: WRITE,
  },
  {
    name: 'ack-link',
    description:
      'Acknowledgement link of an advisory message: a page to confirm, then the record (no login; signed token)',
    trigger: 'http',
    routes: [
      { method: 'GET', path: '/ack/{token}', public: true },
      { method: 'POST', path: '/ack/{token}', public: true },
    ],
    calls: [...WRITE, 'secretsmanager:GetSecretValue'],
    secrets: ['ack-link'],
  },
  {
    name: 'get-advisory',
    description: 'An advisory as the caller may see it, with delivery and acknowledgement per recipient',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/advisories/{id}' }],
    calls: READ,
  },
  {
    name: 'list-advisories',
    description: 'The advisories the caller may see, with what awaits the caller (forward, acknowledgement)',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/advisories' }],
    // A member's own recipient heads, 100 per BatchGetItem.
    calls: [...READ, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'list-board',
    description: 'The electronic bulletin board: the advisories the caller may see',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/board' }],
    calls: READ,
  },
  {
    name: 'public-board',
    description: 'The public bulletin board: TLP:CLEAR advisories, without a token',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/public/board', public: true }],
    calls: READ,
  },
  {
    name: 'drill-report',
    description: "A drill's transmission-rate report, as JSON or CSV",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/drills/{id}/report' }],
    calls: READ,
  },
  {
    name: 'create-exercise',
    description:
      'NISC or a ministry prepares a cross-sector exercise (分野横断的演習): sectors, participants, timed injects',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/exercises' }],
    calls: WRITE,
  },
  {
    name: 'list-exercises',
    description: 'The exercises the caller may see, newest first',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/exercises' }],
    calls: READ,
  },
  {
    name: 'get-exercise',
    description: 'An exercise: its scenario and which injects were released',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/exercises/{id}' }],
    calls: READ,
  },
  {
    name: 'start-exercise',
    description: 'Starts an exercise: its injects are released at their offsets from now',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/exercises/{id}/start' }],
    calls: WRITE,
  },
  {
    name: 'end-exercise',
    description: 'Ends an exercise: nothing more is released, what was not done is missed',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/exercises/{id}/end' }],
    calls: WRITE,
  },
  {
    name: 'exercise-report',
    description: "An exercise's after-action report from the log at any moment, as JSON or CSV",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/exercises/{id}/report' }],
    calls: READ,
  },
  {
    name: 'share-incident',
    description: 'The secretariat shares an anonymised incident with the other members as an advisory',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/incidents/{id}/share' }],
    calls: WRITE,
  },
  {
    name: 'create-contact-check',
    description: 'The secretariat sends a test message to every member contact on every channel',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/contact-checks' }],
    calls: WRITE,
  },
  {
    name: 'get-contact-check',
    description: 'Who confirmed a contact check, per organisation and contact',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/contact-checks/{id}' }],
    calls: READ,
  },
  {
    name: 'create-survey',
    description: 'NISC, a ministry or a secretariat builds a survey or self-assessment',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/surveys' }],
    calls: WRITE,
  },
  {
    name: 'list-surveys',
    description: 'The surveys the caller may see',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/surveys' }],
    calls: READ,
  },
  {
    name: 'get-survey',
    description: "A survey's newest version and where it stands",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/surveys/{id}' }],
    calls: READ,
  },
  {
    name: 'revise-survey',
    description: "The survey's owner edits it: a new version",
    trigger: 'http',
    routes: [{ method: 'PUT', path: '/surveys/{id}' }],
    calls: WRITE,
  },
  {
    name: 'issue-survey',
    description: "The survey's owner issues it to its sectors' members with a due date",
    trigger: 'http',
    routes: [{ method: 'POST', path: '/surveys/{id}/issue' }],
    calls: WRITE,
  },
  {
    name: 'get-survey-response',
    description: "A member's own draft or submitted answers",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/surveys/{id}/response' }],
    calls: READ,
  },
  {
    name: 'save-survey-response',
    description: 'A member saves its answers as a draft',
    trigger: 'http',
    routes: [{ method: 'PUT', path: '/surveys/{id}/response' }],
    calls: WRITE,
  },
  {
    name: 'submit-survey-response',
    description: 'A member submits (or amends) its answers',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/surveys/{id}/response/submit' }],
    calls: WRITE,
  },
  {
    name: 'close-survey',
    description: "The survey's owner closes it",
    trigger: 'http',
    routes: [{ method: 'POST', path: '/surveys/{id}/close' }],
    calls: WRITE,
  },
  {
    name: 'survey-results',
    description: "A survey's results as the caller may see them (JSON, CSV, XLSX)",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/surveys/{id}/results' }],
    // A reader who sees fewer sectors than the survey spans: those sectors' response heads by stream id.
    calls: [...READ, 'dynamodb:BatchGetItem'],
    // exceljs (with jszip, bluebird, saxes…) is three quarters of it, and only an XLSX export needs it.
    lazy: ['survey-xlsx'],
  },
  {
    name: 'survey-recipients',
    description:
      "The secretariat's recipients of a survey: reached or not, on which channels, and their answers",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/surveys/{id}/recipients' }],
    // One sector's response heads by stream id, 100 per BatchGetItem.
    calls: [...READ, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'release-survey-text',
    description: "The secretariat releases its edit of a free-text question's answers",
    trigger: 'http',
    routes: [{ method: 'POST', path: '/surveys/{id}/free-text/{questionId}/release' }],
    calls: WRITE,
  },
  {
    name: 'openapi',
    description: "The API's OpenAPI 3.1 document (docs/openapi.json), without a token",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/openapi.json', public: true }],
    calls: [],
  },
  {
    name: 'record-activity',
    description:
      'The secretariat records an activity (WG meeting, JPCERT/CC exchange, council, committee report)',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/activities' }],
    calls: WRITE,
  },
  {
    name: 'list-activities',
    description: "A sector's recorded activities (of a fiscal year), or one",
    trigger: 'http',
    routes: [
      { method: 'GET', path: '/activities' },
      { method: 'GET', path: '/activities/{id}' },
    ],
    calls: READ,
  },
  {
    name: 'attach-minutes',
    description:
      'The secretariat attaches minutes (PDF, DOCX, text) to an activity: the file to the minutes bucket, the record to the log',
    trigger: 'http',
    routes: [{ method: 'POST', path: '/activities/{id}/minutes' }],
    calls: [...WRITE, 's3:PutObject'],
    bucket: 'minutes',
  },
  {
    name: 'get-minutes',
    description: "An activity's attached minutes file",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/activities/{id}/minutes/{n}' }],
    calls: [...READ, 's3:GetObject'],
    bucket: 'minutes',
  },
  {
    name: 'get-plan',
    description: "Next year's plan of a sector's fiscal-year report, as drafted",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/reports/{sector}/{fy}/plan' }],
    calls: READ,
  },
  {
    name: 'put-plan',
    description: "The secretariat saves the draft of next year's plan",
    trigger: 'http',
    routes: [{ method: 'PUT', path: '/reports/{sector}/{fy}/plan' }],
    calls: WRITE,
  },
  {
    name: 'annual-report',
    description:
      "A sector's fiscal-year activity report from the log at a signed checkpoint (JSON, HTML or PDF)",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/reports/{sector}/{fy}' }],
    pdf: true,
    lazy: ['pdf-chromium'],
    // Chromium's renderer wants memory (and Lambda gives CPU in proportion); a cold container inflates it before
    // it prints, so it gets nearly all of API Gateway's 30 s.
    memoryMiB: 2048,
    timeoutSeconds: 28,
    // Reads checkpoints; PutObject is in the archive's module (audit-archive-aws.ts), never called here.
    // BatchGetItem: a period read resolves the time index's entries to their events (audit-log.ts).
    calls: [...READ, 'dynamodb:BatchGetItem', 's3:PutObject', 's3:GetObject', 's3:ListBucket'],
  },
  {
    name: 'relay-step',
    description: 'The relay workflow steps: plan, wait (task token) and escalate',
    trigger: 'workflow',
    calls: WRITE,
  },
  {
    name: 'stream-reactor',
    description:
      'Reacts to committed events: projects the heads (the read model), starts and resumes the relay and advisory workflows',
    trigger: 'event-stream',
    // A stream batch's heads in BatchGetItem, its audit time entries in BatchWriteItem (head-projection.ts).
    calls: [
      ...WRITE,
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'states:StartExecution',
      'states:SendTaskSuccess',
    ],
  },
  {
    // Beside stream-reactor on the same stream (two readers, DynamoDB Streams' recommended most per shard),
    // so neither bundle carries the other's SDK clients.
    name: 'stream-notifier',
    description: 'Reacts to committed events: publishes the notifications they call for',
    trigger: 'event-stream',
    calls: [...READ, 'sns:Publish', 'secretsmanager:GetSecretValue'],
    secrets: ['ack-link'],
  },
  {
    name: 'deliver-notification',
    description:
      'Delivers one notification by e-mail, SMS, webhook (signed) or voice call and records the delivery',
    trigger: 'notification-queue',
    calls: [
      ...WRITE,
      'ses:SendEmail',
      'sns:Publish',
      'sms-voice:SendVoiceMessage',
      'secretsmanager:GetSecretValue',
      'sqs:GetQueueUrl',
      'sqs:ChangeMessageVisibility',
    ],
    secrets: ['webhook-master'],
    // End User Messaging's client (some 11 KB of the bundle), for the calls alone.
    lazy: ['voice-sender'],
  },
  {
    name: 'audit-stream',
    description: 'An auditor replays a stream: its state at a moment and the events up to it',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/audit/streams/{id}' }],
    // Heads by stream id, 100 per BatchGetItem: the sector of each stream a one-sector auditor meets.
    calls: [...READ, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'audit-events',
    description: 'An auditor reads every event of a period in recorded order (JSON pages or NDJSON)',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/audit/events' }],
    // Heads by stream id, 100 per BatchGetItem: the sector of each stream a one-sector auditor meets.
    calls: [...READ, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'audit-heads',
    description: "An auditor lists every stream's head and last hash",
    trigger: 'http',
    routes: [{ method: 'GET', path: '/audit/heads' }],
    // Heads by stream id, 100 per BatchGetItem: the sector of each stream a one-sector auditor meets.
    calls: [...READ, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'audit-compliance',
    description: 'An auditor reads deadline compliance per hop and severity for a period',
    trigger: 'http',
    routes: [{ method: 'GET', path: '/audit/compliance' }],
    // Heads by stream id, 100 per BatchGetItem: the sector of each stream a one-sector auditor meets.
    calls: [...READ, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'audit-checkpoints',
    description:
      "An auditor lists, reads or publishes signed Merkle checkpoints, or reads a stream's inclusion proof",
    trigger: 'http',
    routes: [
      { method: 'GET', path: '/audit/checkpoints' },
      { method: 'POST', path: '/audit/checkpoints' },
      { method: 'GET', path: '/audit/checkpoints/{id}' },
      { method: 'GET', path: '/audit/checkpoints/{id}/proof' },
    ],
    // A checkpoint's heads and leaves object are held in memory when it is published, its leaves and tree when
    // read; at a million streams a publication peaks at some 730 MiB and takes 7-10 s here, a cold read of a page
    // or a proof some 880 MiB and 7 s (bench/RESULTS.md §5a): more than the house's 512 MB and 10 s.
    memoryMiB: 2048,
    timeoutSeconds: 28,
    calls: [...CHECKPOINT, 'dynamodb:BatchGetItem'],
  },
  {
    name: 'publish-checkpoint',
    description: "Publishes a signed Merkle checkpoint over every stream's head, on a schedule",
    trigger: 'schedule',
    // As audit-checkpoints: every head and the leaves object in memory.
    memoryMiB: 2048,
    calls: CHECKPOINT,
  },
] as const satisfies readonly FunctionSpec[];

export type FunctionName = (typeof functions)[number]['name'];
