import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { REPORT_EXAMPLE } from '../functions/api-contract.ts';
import type { FunctionSpec } from '../functions/manifest.ts';
import { ensureTable, startDynamoLocal } from '../local/dynamodb.ts';
import { eventTableSpec } from '../local/table-spec.ts';

const execFileAsync = promisify(execFile);

/** Fresh `node --enable-source-maps` processes per function for the cold start (import + first invocation). */
export const COLD_RUNS = 15;

/** One bundle to start cold: the baseline (`spec` undefined) or a manifest function. */
export interface ColdTarget {
  readonly name: string;
  readonly file: string;
  readonly spec?: FunctionSpec;
}

/** A cold start's figures: wall time of import + first invocation, and what the invocation answered. */
export interface ColdResult {
  readonly ms: number[];
  readonly outcomes: string[];
  /** Of `ms`: the import alone and the first invocation alone, per run. */
  readonly importMs: number[];
  readonly invokeMs: number[];
}

// Timed inside the child, like the import time: node's own start-up is left out. The handler gets a Lambda-like
// context; the outcome is the HTTP status, a batch's failure count, a workflow step's result, or the error's name.
const COLD_SCRIPT = `
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 };
const t0 = performance.now();
const mod = await import(process.env.BENCH_IMPORT_URL);
const t1 = performance.now();
let outcome;
try {
  const result = await mod.handler(event, context);
  outcome = typeof result?.statusCode === 'number' ? String(result.statusCode)
    : Array.isArray(result?.batchItemFailures) ? 'failures ' + result.batchItemFailures.length
    : result === null || result === undefined ? 'ok' : 'ok ' + (typeof result === 'object' ? Object.keys(result).join('/') : typeof result);
} catch (error) {
  outcome = 'threw ' + (error?.name ?? 'error');
}
const t2 = performance.now();
process.stdout.write(JSON.stringify({ ms: t2 - t0, importMs: t1 - t0, invokeMs: t2 - t1, outcome }));`;

/** The first role each route allows (functions/<name>.ts `allow`), so the minimal event passes the role check. */
const ROLE: Record<string, string> = {
  'acknowledge-advisory': 'member',
  'acknowledge-receipt': 'ministry',
  'add-follow-up': 'member',
  'close-incident': 'secretariat',
  'create-contact-check': 'secretariat',
  'create-drill': 'secretariat',
  'decide-relay': 'secretariat',
  'forward-advisory': 'ministry',
  'get-contact-check': 'secretariat',
  'get-incident-events': 'secretariat',
  'get-organization': 'secretariat',
  'issue-advisory': 'nisc',
  'list-organizations': 'secretariat',
  'put-organization': 'secretariat',
  'put-sector': 'nisc',
  'report-incident': 'member',
  'share-incident': 'secretariat',
};
const AUDITOR_ROUTES = /^audit-/;
const MEMBER_ORG = 'asahi-petrochem';

/** A small valid body per writing route (the rest get `{}` and may answer 400, which is still a first invocation). */
const BODY: Record<string, unknown> = {
  'report-incident': REPORT_EXAMPLE,
  'add-follow-up': { description: 'Backups restored.', recoveryStatus: 'mitigating' },
  'decide-relay': { decision: 'approve' },
  'acknowledge-receipt': {},
  'close-incident': {},
  'issue-advisory': { title: 'VPN appliance exploited', body: 'Patch now.', tlp: 'GREEN' },
  'create-drill': { title: 'Quarterly drill', body: 'Acknowledge this message.', tlp: 'GREEN' },
  'forward-advisory': {},
  'acknowledge-advisory': {},
  'create-contact-check': {},
  'share-incident': { title: 'Ransomware at a member', body: 'Check your historians.', tlp: 'GREEN' },
};

interface Fixture {
  readonly incidentId: string;
  readonly advisoryId: string;
  readonly ackToken: string;
  readonly webhookUrl: string;
}

/** An API Gateway HTTP API (v2) event with the JWT authorizer's claims, as the local server builds it. */
function httpEvent(spec: FunctionSpec, fixture: Fixture): unknown {
  const route = spec.routes?.[0];
  if (!route) throw new Error(`${spec.name} has no route`);
  const params: Record<string, string> = {};
  const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value =
      name === 'token'
        ? fixture.ackToken
        : name === 'org'
          ? MEMBER_ORG
          : spec.name.includes('advisory') || spec.name.includes('drill') || spec.name.includes('contact')
            ? fixture.advisoryId
            : spec.name.startsWith('audit-')
              ? `incident#${fixture.incidentId}`
              : fixture.incidentId;
    params[name] = value;
    return encodeURIComponent(value);
  });
  const role = ROLE[spec.name] ?? (AUDITOR_ROUTES.test(spec.name) ? 'auditor' : 'secretariat');
  const claims = {
    sub: `bench-${role}`,
    'cognito:groups': `[${role}]`,
    ...(role === 'member' ? { 'custom:org': MEMBER_ORG } : {}),
  };
  const body = route.method === 'GET' ? undefined : JSON.stringify(BODY[spec.name] ?? {});
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', accept: 'application/json', host: 'bench.example' },
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.example',
      domainPrefix: 'bench',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(route.public
        ? {}
        : { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } }),
    },
  };
}

/** The minimal realistic event of each trigger, on the incident the fixture reported. */
function eventFor(spec: FunctionSpec, fixture: Fixture, run: number): unknown {
  switch (spec.trigger) {
    case 'http':
      return httpEvent(spec, fixture);
    case 'workflow':
      return { action: 'plan', incidentId: fixture.incidentId };
    case 'event-stream': {
      // A committed delivery record on the incident: the reactor loads the incident and the directory.
      const recordedAt = new Date().toISOString();
      return {
        Records: [
          {
            eventID: `bench-${run}`,
            eventName: 'INSERT',
            eventSource: 'aws:dynamodb',
            dynamodb: {
              SequenceNumber: String(run + 1),
              NewImage: {
                pk: { S: `incident#${fixture.incidentId}` },
                sk: { N: '2' },
                kind: { S: 'event' },
                type: { S: 'NotificationDelivered' },
                data: { S: JSON.stringify({ key: `bench-${run}`, channel: 'webhook' }) },
                recordedAt: { S: recordedAt },
                actor: { S: JSON.stringify({ kind: 'system', name: 'deliver-notification' }) },
              },
            },
          },
        ],
      };
    }
    case 'notification-queue': {
      // One webhook message to a local server that answers 200, recorded on the incident.
      const message = {
        key: `bench-${run}:${randomUUID()}`,
        streamId: `incident#${fixture.incidentId}`,
        purpose: 'review_request',
        channel: 'webhook',
        to: fixture.webhookUrl,
        subject: 'bench',
        body: 'bench',
      };
      return {
        Records: [
          {
            messageId: `bench-${run}`,
            receiptHandle: 'bench',
            body: JSON.stringify(message),
            attributes: {},
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:ap-northeast-1:000000000000:bench',
            awsRegion: 'ap-northeast-1',
          },
        ],
      };
    }
    case 'schedule':
      return { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
  }
}

async function runChild(
  file: string,
  cwd: string,
  env: Record<string, string>,
  event: unknown,
): Promise<{ ms: number; importMs: number; invokeMs: number; outcome: string }> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', COLD_SCRIPT],
    {
      cwd,
      env: { ...env, BENCH_EVENT: JSON.stringify(event), BENCH_IMPORT_URL: pathToFileURL(file).href },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  // The handlers' own log lines go to stdout too; the measurement is the last line.
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const start = line.lastIndexOf('{"ms":');
  return JSON.parse(line.slice(start)) as { ms: number; importMs: number; invokeMs: number; outcome: string };
}

/**
 * Each bundle started as Lambda would: a fresh `node --enable-source-maps`, the import, then the first
 * invocation with a minimal event of its trigger against DynamoDB Local (in memory); round-robin, COLD_RUNS each.
 */
export async function coldStarts(
  targets: readonly ColdTarget[],
  workDir: string,
  baseEnv: Record<string, string>,
  onProgress: (message: string) => void,
): Promise<Map<string, ColdResult>> {
  const dynamo = await startDynamoLocal({ inMemory: true });
  const webhook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const table = `bench-cold-${Date.now()}`;
    await ensureTable(client, eventTableSpec(table));
    client.destroy();
    const ackKeyFile = join(workDir, 'ack-link.key');
    const ackKey = randomBytes(32);
    writeFileSync(ackKeyFile, ackKey.toString('base64'));
    const env: Record<string, string> = {
      ...baseEnv,
      EVENTS_TABLE: table,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      // Nothing else may be called by the minimal events; a call elsewhere would fail fast here.
      AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      CEPTOAR_ACK_KEY_FILE: ackKeyFile,
      CEPTOAR_CHECKPOINT_DIR: join(workDir, 'checkpoints'),
    };

    // The incident the other events name: reported by the report-incident bundle itself (not timed).
    const reporter = targets.find((t) => t.spec?.name === 'report-incident');
    if (!reporter?.spec) throw new Error('report-incident is not among the bundles');
    const advisoryId = randomUUID();
    const incidentId = await seedIncident(reporter.file, workDir, env, reporter.spec);
    const ackToken = await new SignJWT({ adv: advisoryId, org: MEMBER_ORG, cid: 'c1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('ceptoar-relay')
      .setAudience('ceptoar-ack')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .sign(ackKey);
    const fixture: Fixture = {
      incidentId,
      advisoryId,
      ackToken,
      webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
    };

    const results = new Map<string, ColdResult>(
      targets.map((t) => [t.name, { ms: [], outcomes: [], importMs: [], invokeMs: [] }]),
    );
    onProgress(`bundles: ${COLD_RUNS} cold starts (import + first invocation) of each of ${targets.length}`);
    for (let run = 0; run < COLD_RUNS; run++) {
      for (const target of targets) {
        const event = target.spec ? eventFor(target.spec, fixture, run) : {};
        const r = await runChild(target.file, workDir, env, event);
        const result = results.get(target.name);
        result?.ms.push(r.ms);
        result?.importMs.push(r.importMs);
        result?.invokeMs.push(r.invokeMs);
        result?.outcomes.push(r.outcome);
      }
    }
    return results;
  } finally {
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    await dynamo.stop();
  }
}

/** Reports one incident with the report-incident bundle and returns its id (from the 201's body). */
async function seedIncident(
  file: string,
  cwd: string,
  env: Record<string, string>,
  spec: FunctionSpec,
): Promise<string> {
  const script = `
const mod = await import(process.env.BENCH_IMPORT_URL);
const result = await mod.handler(JSON.parse(process.env.BENCH_EVENT), {});
process.stdout.write(JSON.stringify(result));`;
  const placeholder: Fixture = { incidentId: '', advisoryId: '', ackToken: '', webhookUrl: '' };
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env: {
      ...env,
      BENCH_EVENT: JSON.stringify(httpEvent(spec, placeholder)),
      BENCH_IMPORT_URL: pathToFileURL(file).href,
    },
    encoding: 'utf8',
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { statusCode?: number; body?: string };
  const id = (JSON.parse(result.body ?? '{}') as { id?: unknown }).id;
  if (result.statusCode !== 201 || typeof id !== 'string')
    throw new Error(`seeding an incident answered ${stdout}`);
  return id;
}

/** "201 ×1, 409 ×14": how often each outcome came. */
export function outcomeSummary(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts.entries()].map(([o, n]) => (counts.size === 1 ? o : `${o} ×${n}`)).join(', ');
}
