// What `npm start` tells an operator once it is up: every local stand-in's URL and the SDK's own
// variable that points an AWS SDK or the AWS CLI at it, as a block on the terminal and as JSON in
// `<dataDir>/endpoints.json` (the same values: the block is printed from the JSON).
import { join } from 'node:path';

/** The file in the data folder that holds {@link LocalEndpoints}. */
export const ENDPOINTS_FILE = 'endpoints.json';

/** One AWS service's local stand-in. */
export interface LocalServiceEndpoint {
  /** The AWS service it stands in for. */
  readonly service: string;
  /** What answers locally. */
  readonly standIn: string;
  readonly url: string;
  /** `AWS_ENDPOINT_URL_<serviceId>`: the AWS SDKs' and the AWS CLI's own per-service endpoint variable. */
  readonly variable: string;
  /** The AWS CLI command (`aws <cli> …`). */
  readonly cli: string;
  /** What lives there: table, state machines, topic, queues. */
  readonly resources: Readonly<Record<string, string | readonly string[]>>;
}

/** Where a catcher keeps what it caught instead of sending it. */
export interface LocalCatcher {
  readonly name: string;
  /** `null` while there is no such catcher. */
  readonly url: string | null;
  readonly note: string;
  readonly caught?: string;
  /** The API route that lists what was caught. */
  readonly route?: string;
}

/** The contents of `endpoints.json`. */
export interface LocalEndpoints {
  readonly api: { readonly url: string; readonly console: string; readonly health: string };
  readonly region: string;
  /** Dummy credentials: nothing local checks them, but the SDKs and the CLI refuse to sign without some. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly services: readonly LocalServiceEndpoint[];
  readonly catchers: readonly LocalCatcher[];
  /** Everything to export in another shell for an SDK or the CLI to use this stack. */
  readonly env: Readonly<Record<string, string>>;
  readonly dataDir: string;
}

/** What the running stack knows, from which {@link localEndpoints} builds the file. */
export interface EndpointFacts {
  readonly apiUrl: string;
  readonly dataDir: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly dynamodb: string;
  readonly stepFunctions: string;
  /** The SNS endpoint callers use: the SMS catcher in front of fauxqs. */
  readonly sns: string;
  readonly sqs: string;
  readonly ses: string;
  /** End User Messaging SMS and Voice v2: the voice catcher. */
  readonly voice: string;
  /** The origination identity local calls come from. */
  readonly voiceOrigination: string;
  readonly smtpPort: number;
  readonly tableName: string;
  readonly stateMachineArns: readonly (string | undefined)[];
  readonly topicArn: string;
  readonly queueUrls: readonly string[];
}

/** The endpoints of a running stack. */
export function localEndpoints(facts: EndpointFacts): LocalEndpoints {
  const services: LocalServiceEndpoint[] = [
    {
      service: 'DynamoDB',
      standIn: 'DynamoDB Local',
      url: facts.dynamodb,
      variable: 'AWS_ENDPOINT_URL_DYNAMODB',
      cli: 'dynamodb',
      resources: { table: facts.tableName },
    },
    {
      service: 'DynamoDB Streams',
      standIn: 'DynamoDB Local',
      url: facts.dynamodb,
      variable: 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
      cli: 'dynamodbstreams',
      resources: {},
    },
    {
      service: 'Step Functions',
      standIn: 'aws-local-stepfunctions, the synthesized state machines',
      url: facts.stepFunctions,
      variable: 'AWS_ENDPOINT_URL_SFN',
      cli: 'stepfunctions',
      resources: { stateMachines: facts.stateMachineArns.filter((arn) => arn !== undefined) },
    },
    {
      service: 'SNS',
      standIn: 'fauxqs behind the SMS catcher',
      url: facts.sns,
      variable: 'AWS_ENDPOINT_URL_SNS',
      cli: 'sns',
      resources: { topic: facts.topicArn },
    },
    {
      service: 'SQS',
      standIn: 'fauxqs',
      url: facts.sqs,
      variable: 'AWS_ENDPOINT_URL_SQS',
      cli: 'sqs',
      resources: { queues: facts.queueUrls },
    },
    {
      service: 'SES v2',
      standIn: 'SendEmail relayed to the SMTP catcher',
      url: facts.ses,
      variable: 'AWS_ENDPOINT_URL_SESV2',
      cli: 'sesv2',
      resources: {},
    },
    {
      service: 'SMS and Voice v2',
      standIn: 'SendVoiceMessage answered by the voice catcher',
      url: facts.voice,
      variable: 'AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2',
      cli: 'pinpoint-sms-voice-v2',
      resources: { originationIdentity: facts.voiceOrigination },
    },
  ];
  const catchers: LocalCatcher[] = [
    {
      name: 'mail',
      url: `smtp://127.0.0.1:${facts.smtpPort}`,
      note: 'every e-mail SES would send',
      caught: join(facts.dataDir, 'mail'),
      route: `${facts.apiUrl}/local/mail`,
    },
    {
      name: 'SMS',
      url: facts.sns,
      note: 'SNS Publish to a phone number',
      caught: join(facts.dataDir, 'sms.jsonl'),
      route: `${facts.apiUrl}/local/sms`,
    },
    {
      name: 'voice',
      url: facts.voice,
      note: 'SendVoiceMessage: each call, its SSML and its plain text',
      caught: join(facts.dataDir, 'voice.jsonl'),
      route: `${facts.apiUrl}/local/voice`,
    },
  ];
  return {
    api: { url: facts.apiUrl, console: `${facts.apiUrl}/app/`, health: `${facts.apiUrl}/health` },
    region: facts.region,
    credentials: facts.credentials,
    services,
    catchers,
    env: {
      AWS_REGION: facts.region,
      // AWS CLI v1 reads only this one.
      AWS_DEFAULT_REGION: facts.region,
      AWS_ACCESS_KEY_ID: facts.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: facts.credentials.secretAccessKey,
      ...Object.fromEntries(services.map((s) => [s.variable, s.url])),
    },
    dataDir: facts.dataDir,
  };
}

/** The block `npm start` prints once `GET /health` answers 200. */
export function formatEndpoints(endpoints: LocalEndpoints): string {
  const rows: string[][] = [
    ['API and console', endpoints.api.url, `console ${endpoints.api.console}`],
    ...endpoints.services.map((s) => [s.service, s.url, s.variable, resourceSummary(s.resources)]),
    ...endpoints.catchers.map((c) => [
      `${c.name} catcher`,
      c.url ?? '-',
      c.caught ? `${c.note} → ${c.caught}, ${c.route}` : c.note,
    ]),
  ];
  const width = (i: number) =>
    Math.max(...rows.map((r) => (r[i + 1] === undefined ? 0 : (r[i] ?? '').length)));
  const table = rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(width(i))).join('  ')}`.trimEnd());
  return [
    `ceptoar-relay is up at ${endpoints.api.url} (data in ${endpoints.dataDir})`,
    ...table,
    `  region ${endpoints.region}, credentials ${endpoints.credentials.accessKeyId} / ${endpoints.credentials.secretAccessKey} (dummies: nothing checks them)`,
    '  To point the AWS CLI or an SDK in another shell at this stack:',
    ...Object.entries(endpoints.env).map(([name, value]) => `    export ${name}=${value}`),
    `  The same as JSON: ${join(endpoints.dataDir, ENDPOINTS_FILE)}`,
  ].join('\n');
}

/** `table ceptoar-events`, `stateMachines RelayWorkflow…, AdvisoryWorkflow…`: names, not whole ARNs or URLs. */
function resourceSummary(resources: LocalServiceEndpoint['resources']): string {
  const name = (arnOrUrl: string) => arnOrUrl.split(/[:/]/).at(-1) ?? arnOrUrl;
  return Object.entries(resources)
    .map(([kind, value]) => `${kind} ${(typeof value === 'string' ? [value] : value).map(name).join(', ')}`)
    .join('; ');
}
