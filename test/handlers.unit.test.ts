import { gunzipSync } from 'node:zlib';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IncidentState } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import type { HttpEvent, HttpResult } from '../functions/http/http.ts';
import { decisionJsonOf } from '../functions/store/decision-attribute.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { given } from './support/decider.ts';
import {
  ASAHI_MEMBER,
  at,
  HOURS,
  INCIDENT_ID,
  RANSOMWARE_REPORT,
  SECRETARIAT,
  T0,
  WORKFLOW,
} from './support/fixtures.ts';

// Handlers read their configuration once, at import: set it before importing them. The unit tier shares
// its workers' module registry between files (vitest.config.ts, isolate: false), so this file imports the
// handlers afresh (vi.resetModules) and leaves the environment and the SDK clients as it found them.
const UNIT_ENV = {
  EVENTS_TABLE: 'events-unit',
  RELAY_WORKFLOW_ARN: 'arn:aws:states:ap-northeast-1:000000000000:stateMachine:relay',
  STAGE_WORKFLOW_ARN: 'arn:aws:states:ap-northeast-1:000000000000:stateMachine:stages',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:000000000000:notifications',
  AWS_REGION: 'ap-northeast-1',
  AWS_ACCESS_KEY_ID: 'unit',
  AWS_SECRET_ACCESS_KEY: 'unit',
};
const envBefore = Object.fromEntries(Object.keys(UNIT_ENV).map((key) => [key, process.env[key]]));
Object.assign(process.env, UNIT_ENV);

const dynamo = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const ses = mockClient(SESv2Client);
const sqsClient = mockClient(SQSClient);

type Http = (event: HttpEvent, context: Context) => Promise<HttpResult>;
let reportIncident: Http;
let decideRelay: Http;
type StreamHandler = (
  event: DynamoDBStreamEvent,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
let streamReactor: StreamHandler;
let streamNotifier: StreamHandler;
let deliver: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

beforeAll(async () => {
  vi.resetModules();
  reportIncident = (await import('../functions/report-incident.ts')).handler as unknown as Http;
  decideRelay = (await import('../functions/decide-relay.ts')).handler as unknown as Http;
  streamReactor = (await import('../functions/stream-reactor.ts')).handler;
  streamNotifier = (await import('../functions/stream-notifier.ts')).handler;
  deliver = (await import('../functions/deliver-notification.ts')).handler;
});

afterAll(() => {
  for (const mock of [dynamo, sfn, sns, ses, sqsClient]) mock.restore();
  for (const [key, value] of Object.entries(envBefore)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.resetModules();
});

beforeEach(async () => {
  dynamo.reset();
  // The container's memory of decision snapshots would outlive the mocks between tests.
  (await import('../functions/store/store.ts')).store.forget(`incident#${INCIDENT_ID}`);
  sfn.reset();
  sns.reset();
  ses.reset();
  sqsClient.reset();
  // A head that is not there (a report reads its sector's head first), as DynamoDB answers it.
  dynamo.on(GetItemCommand).resolves({});
  // A stream's events after its head: none (the head is current).
  dynamo.on(QueryCommand).resolves({ Items: [] });
  // The stream projection's batch reads and writes: no head yet, every time entry written.
  dynamo.on(BatchGetItemCommand).resolves({ Responses: {} });
  dynamo.on(BatchWriteItemCommand).resolves({});
  // The stream notifier reads the event-sourced directory from the byType index: the demo seed.
  dynamo.on(QueryCommand, { IndexName: 'byType' }).resolves({ Items: seedDirectoryHeads });
});

const seedDirectoryHeads = Object.entries(seedDirectory().organizations).map(([org, entry]) => ({
  pk: { S: `organization#${org}` },
  sk: { N: '0' },
  version: { N: '1' },
  state: { S: JSON.stringify({ org, entry, createdAt: T0, updatedAt: T0, version: 1 }) },
  stateSchema: { N: '1' },
  updatedAt: { S: T0 },
}));

const context = {} as Context;

function httpEvent(options: {
  method: string;
  path: string;
  body?: string;
  claims?: Record<string, unknown>;
  params?: Record<string, string>;
}): HttpEvent {
  return {
    version: '2.0',
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: '',
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.params ? { pathParameters: options.params } : {}),
    requestContext: {
      http: { method: options.method, path: options.path },
      ...(options.claims ? { authorizer: { jwt: { claims: options.claims, scopes: [] } } } : {}),
    },
  } as unknown as HttpEvent;
}

const memberClaims = { sub: 'u-asahi-1', 'cognito:groups': '[member]', 'custom:org': 'asahi-petrochem' };
const secretariatClaims = { sub: 'u-sec-1', 'cognito:groups': ['secretariat'] };

function headItem(state: IncidentState) {
  return {
    Item: {
      pk: { S: `incident#${state.id}` },
      sk: { N: '0' },
      version: { N: String(state.version) },
      state: { S: JSON.stringify(state) },
      stateSchema: { N: String(incidents.stateSchema) },
      updatedAt: { S: state.updatedAt },
    },
  };
}

/**
 * The incident's stream as DynamoDB answers it at the state's version: its head (GetItem, and BatchGetItem as
 * the stream projection reads a batch's heads) and its newest event with the decision snapshot (the Query of
 * one item a command and the deliverer make).
 */
function onStream(state: IncidentState) {
  const head = headItem(state).Item;
  dynamo.on(GetItemCommand).resolves({ Item: head });
  dynamo.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => ({
    Responses: Object.fromEntries(Object.keys(input.RequestItems ?? {}).map((table) => [table, [head]])),
  }));
  dynamo.on(QueryCommand, { ScanIndexForward: false, Limit: 1 }).resolves(newestEvent(state));
}

/** The newest event item of a stream at the state's version, carrying its decision snapshot. */
function newestEvent(state: IncidentState) {
  return {
    Items: [
      {
        sk: { N: String(state.version) },
        recordedAt: { S: state.updatedAt },
        hash: { S: 'a'.repeat(64) },
        decision: { S: JSON.stringify(state) },
        decisionSchema: { N: String(incidents.stateSchema) },
      },
    ],
  };
}

const reportedState = given([
  {
    event: {
      type: 'IncidentReported',
      data: {
        incidentId: INCIDENT_ID,
        org: 'asahi-petrochem',
        reportedBy: 'u-asahi-1',
        report: RANSOMWARE_REPORT,
        secretariatDueAt: at(T0, 4 * HOURS),
      },
    },
    at: T0,
    actor: ASAHI_MEMBER,
  },
]) as IncidentState;

describe('report-incident handler', () => {
  it('creates the stream in one conditional transaction, reading nothing of it first, and answers 201 with Location', async () => {
    dynamo.on(GetItemCommand).resolves({});
    dynamo.on(TransactWriteItemsCommand).resolves({});
    const res = await reportIncident(
      httpEvent({
        method: 'POST',
        path: '/incidents',
        body: JSON.stringify(RANSOMWARE_REPORT),
        claims: memberClaims,
      }),
      context,
    );
    expect(res.statusCode).toBe(201);
    const body = JSON.parse(res.body ?? '{}');
    expect(body).toMatchObject({ status: 'awaiting_secretariat', version: 1 });
    expect(res.headers?.location).toBe(`/incidents/${body.id}`);
    // The id was minted for this report: nothing of its stream is read first (unwrittenStream); the sector's
    // clocks are.
    const queried = dynamo
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']?.S);
    expect(queried).toEqual(['sector#chemical']);
    const [call] = dynamo.commandCalls(TransactWriteItemsCommand);
    const items = call?.args[0].input.TransactItems ?? [];
    // The event, the head and the list item (never moving back), in one transaction.
    expect(items.map((i) => i.Put?.ConditionExpression)).toEqual([
      'attribute_not_exists(pk)',
      'attribute_not_exists(pk)',
      'attribute_not_exists(pk) OR version <= :version',
    ]);
    expect(items[0]?.Put?.Item?.type?.S).toBe('IncidentReported');
    expect(items.map((i) => i.Put?.Item?.kind?.S)).toEqual(['event', 'head', 'list']);
    // The head is not in the list indexes; the list item is, with the listing and not the report's text.
    expect(items[1]?.Put?.Item?.listPk).toBeUndefined();
    expect(items[2]?.Put?.Item?.listPk?.S).toBe('incident');
    const listing = JSON.parse(
      gunzipSync(items[2]?.Put?.Item?.stateZ?.B ?? new Uint8Array()).toString('utf8'),
    );
    expect(listing).toMatchObject({ id: body.id, report: { title: RANSOMWARE_REPORT.title } });
    expect(listing.report.description).toBeUndefined();
  });

  it('answers 400 naming every bad field, and writes nothing', async () => {
    const res = await reportIncident(
      httpEvent({
        method: 'POST',
        path: '/incidents',
        body: JSON.stringify({
          ...RANSOMWARE_REPORT,
          severity: 'apocalyptic',
          contact: { name: 'x', email: 'nope' },
        }),
        claims: memberClaims,
      }),
      context,
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body ?? '{}');
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual(['contact.email', 'severity']);
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await reportIncident(
      httpEvent({ method: 'POST', path: '/incidents', body: '{"title":', claims: memberClaims }),
      context,
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body ?? '{}').detail).toBe('the body is not valid JSON');
  });

  it('answers 413 to a body over 256 KB before parsing it', async () => {
    const body = JSON.stringify({ ...RANSOMWARE_REPORT, description: 'x'.repeat(300 * 1024) });
    const res = await reportIncident(
      httpEvent({ method: 'POST', path: '/incidents', body, claims: memberClaims }),
      context,
    );
    expect(res.statusCode).toBe(413);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 401 without verified claims and 403 to the wrong role', async () => {
    const anonymous = await reportIncident(
      httpEvent({ method: 'POST', path: '/incidents', body: '{}' }),
      context,
    );
    expect(anonymous.statusCode).toBe(401);
    const wrongRole = await reportIncident(
      httpEvent({
        method: 'POST',
        path: '/incidents',
        body: JSON.stringify(RANSOMWARE_REPORT),
        claims: secretariatClaims,
      }),
      context,
    );
    expect(wrongRole.statusCode).toBe(403);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('turns an unexpected failure into a bare 500 with no internal detail', async () => {
    dynamo
      .on(QueryCommand, { ScanIndexForward: false, Limit: 1 })
      .rejects(new Error('socket hang up at 10.0.3.7:443 table events-unit'));
    const res = await reportIncident(
      httpEvent({
        method: 'POST',
        path: '/incidents',
        body: JSON.stringify(RANSOMWARE_REPORT),
        claims: memberClaims,
      }),
      context,
    );
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/socket|10\.0|events-unit|at /);
  });

  const postReport = () =>
    reportIncident(
      httpEvent({
        method: 'POST',
        path: '/incidents',
        body: JSON.stringify(RANSOMWARE_REPORT),
        claims: memberClaims,
      }),
      context,
    );

  it('answers 503 problem+json with Retry-After when the table throttles, and names nothing internal', async () => {
    dynamo.on(QueryCommand, { ScanIndexForward: false, Limit: 1 }).rejects(
      new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table events-unit was exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const res = await postReport();
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '5' });
    expect(JSON.parse(res.body ?? '')).toMatchObject({ type: 'about:blank', status: 503 });
    expect(res.body).not.toMatch(/throughput|events-unit|Provisioned|DynamoDB|at /);
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('answers 503 when the table cannot be reached (a refused connection, however deep its cause)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    dynamo
      .on(QueryCommand, { ScanIndexForward: false, Limit: 1 })
      .rejects(new Error('loading the stream failed', { cause: new AggregateError([refused]) }));
    const res = await postReport();
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('5');
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0|8000|stream/);
  });
});

describe('decide-relay handler', () => {
  it('answers 409 when another secretariat decision landed first (reloads, then decides again)', async () => {
    const returnedMeanwhile = given([
      {
        event: {
          type: 'IncidentReported',
          data: {
            incidentId: INCIDENT_ID,
            org: 'asahi-petrochem',
            reportedBy: 'u',
            report: RANSOMWARE_REPORT,
            secretariatDueAt: at(T0, 4 * HOURS),
          },
        },
        at: T0,
        actor: ASAHI_MEMBER,
      },
      {
        event: { type: 'RelayReturned', data: { memberDueAt: at(T0, 5 * HOURS) } },
        at: at(T0, HOURS),
        actor: SECRETARIAT,
      },
    ]) as IncidentState;
    dynamo
      .on(QueryCommand, { ScanIndexForward: false, Limit: 1 })
      .resolvesOnce(newestEvent(reportedState))
      .resolves(newestEvent(returnedMeanwhile));
    dynamo
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'conditional', $metadata: {} }));
    const res = await decideRelay(
      httpEvent({
        method: 'POST',
        path: `/incidents/${INCIDENT_ID}/decision`,
        body: JSON.stringify({ decision: 'approve' }),
        claims: secretariatClaims,
        params: { id: INCIDENT_ID },
      }),
      context,
    );
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body ?? '{}').detail).toMatch(/returned, not awaiting/);
    // One conditional PutItem of the approval, refused; the re-decision on the new state writes nothing.
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('answers 404 for an id that is not an incident id', async () => {
    const res = await decideRelay(
      httpEvent({
        method: 'POST',
        path: '/incidents/../../etc/decision',
        body: JSON.stringify({ decision: 'approve' }),
        claims: secretariatClaims,
        params: { id: '../../etc' },
      }),
      context,
    );
    expect(res.statusCode).toBe(404);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

function streamRecord(version: number, type: string, data: unknown): DynamoDBStreamEvent {
  return {
    Records: [
      {
        eventName: 'INSERT',
        dynamodb: {
          SequenceNumber: `${version}00`,
          NewImage: {
            pk: { S: `incident#${INCIDENT_ID}` },
            sk: { N: String(version) },
            kind: { S: 'event' },
            type: { S: type },
            data: { S: JSON.stringify(data) },
            recordedAt: { S: T0 },
            actor: { S: JSON.stringify(ASAHI_MEMBER) },
          },
        },
      },
    ],
  } as unknown as DynamoDBStreamEvent;
}

// Both functions read the same stream in AWS: one record goes to each.
const bothReactions = async (event: DynamoDBStreamEvent) => [
  await streamReactor(event),
  await streamNotifier(event),
];
const NO_FAILURES = [{ batchItemFailures: [] }, { batchItemFailures: [] }];

describe('stream-reactor and stream-notifier handlers', () => {
  it('starts the relay and notifies the secretariat on a new report; a replay starts nothing new', async () => {
    onStream(reportedState);
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'x', startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const record = streamRecord(1, 'IncidentReported', {
      incidentId: INCIDENT_ID,
      secretariatDueAt: at(T0, 4 * HOURS),
    });
    expect(await bothReactions(record)).toEqual(NO_FAILURES);
    expect(await bothReactions(record)).toEqual(NO_FAILURES);
    const starts = sfn.commandCalls(StartExecutionCommand);
    // The relay and the reporting stages' alarms, each named after the incident: a replay finds both there.
    expect(
      starts.map((c) => [c.args[0].input.stateMachineArn?.split(':').at(-1), c.args[0].input.name]),
    ).toEqual([
      ['relay', INCIDENT_ID],
      ['stages', INCIDENT_ID],
      ['relay', INCIDENT_ID],
      ['stages', INCIDENT_ID],
    ]);
    expect(JSON.parse(starts[1]?.args[0].input.input ?? '{}')).toEqual({ stagesOf: INCIDENT_ID });
    const published = sns
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    const messages = published.map((e) => JSON.parse(e.Message ?? '{}'));
    // The demo secretariat's duty contact, by e-mail and SMS, twice (one per delivery of the record).
    expect(messages.map((m) => `${m.channel}:${m.to}`)).toEqual([
      'email:duty@secretariat.ceptoar.example',
      'sms:+81300000001',
      'email:duty@secretariat.ceptoar.example',
      'sms:+81300000001',
    ]);
    expect(messages[0].subject).toMatch(/^\[TLP:AMBER\] 【要対応】IT障害報告の確認依頼 \(期限 .+ JST\)$/);
  });

  it('resumes the secretariat wait after approval and treats a gone token as done', async () => {
    const approved = given([
      {
        event: {
          type: 'IncidentReported',
          data: {
            incidentId: INCIDENT_ID,
            org: 'asahi-petrochem',
            reportedBy: 'u',
            report: RANSOMWARE_REPORT,
            secretariatDueAt: at(T0, 4 * HOURS),
          },
        },
        at: T0,
        actor: ASAHI_MEMBER,
      },
      {
        event: {
          type: 'RelayWaitStarted',
          data: { hop: 'secretariat', attempt: 0, dueAt: at(T0, 4 * HOURS), taskToken: 'tok-1' },
        },
        at: T0,
        actor: WORKFLOW,
      },
      {
        event: { type: 'RelayApproved', data: { ministryDueAt: at(T0, 5 * HOURS) } },
        at: at(T0, HOURS),
        actor: SECRETARIAT,
      },
    ]) as IncidentState;
    onStream(approved);
    sfn
      .on(SendTaskSuccessCommand)
      .resolvesOnce({})
      .rejects(new TaskTimedOut({ message: 'gone', $metadata: {} }));
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const record = streamRecord(3, 'RelayApproved', { ministryDueAt: at(T0, 5 * HOURS) });
    expect(await bothReactions(record)).toEqual(NO_FAILURES);
    expect(await bothReactions(record)).toEqual(NO_FAILURES);
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      'tok-1',
      'tok-1',
    ]);
  });

  it('reports the failing record so the stream retries from it', async () => {
    onStream(reportedState);
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    const res = await streamReactor(streamRecord(1, 'IncidentReported', {}));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
  });

  it('keeps the workflow reactions and the messages apart: each function calls only its own service', async () => {
    onStream(reportedState);
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const record = streamRecord(1, 'IncidentReported', { incidentId: INCIDENT_ID });
    await streamReactor(record);
    // Two starts: the relay's execution and the reporting stages' one.
    expect([sfn.calls().length, sns.calls().length]).toEqual([2, 0]);
    await streamNotifier(record);
    expect([sfn.calls().length, sns.calls().length]).toEqual([2, 1]);
  });

  it('reports the record whose messages failed, so the stream retries it', async () => {
    onStream(reportedState);
    sns.on(PublishBatchCommand).rejects(new Error('throttled'));
    const res = await streamNotifier(
      streamRecord(1, 'IncidentReported', { secretariatDueAt: at(T0, 4 * HOURS) }),
    );
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
  });
});

describe('deliver-notification handler', () => {
  const message = {
    key: '1:review_requested:sec-duty:email',
    streamId: `incident#${INCIDENT_ID}`,
    purpose: 'review_requested',
    channel: 'email',
    to: 'bounce@bounce.invalid',
    subject: 's',
    body: 'b',
  };
  const sqs = (body: unknown) =>
    ({ Records: [{ messageId: 'q-1', body: JSON.stringify(body) }] }) as unknown as SQSEvent;

  it('records a rejected e-mail as a failed delivery instead of retrying it forever', async () => {
    onStream(reportedState);
    dynamo.on(PutItemCommand).resolves({});
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Address blacklisted: tanaka@example.jp', $metadata: {} }));
    expect(await deliver(sqs(message))).toEqual({ batchItemFailures: [] });
    // The record is one conditional PutItem of the event, with the decision snapshot beside it.
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.Item?.type?.S).toBe('NotificationFailed');
    // SES's message names the address; the recorded reason does not.
    expect(put?.Item?.data?.S ?? JSON.stringify(put?.Item?.data)).toContain(
      'rejected by SES (MessageRejected)',
    );
    expect(put?.Item?.data?.S ?? JSON.stringify(put?.Item?.data)).not.toContain('example.jp');
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    // Compressed (decisionD1): the state after the event, its failed delivery recorded.
    const decision = JSON.parse(decisionJsonOf(put?.Item ?? {}) ?? 'null') as IncidentState;
    expect(decision.deliveries.map((d) => [d.key, d.ok])).toEqual([[message.key, false]]);
  });

  it('sends nothing for a body that is not a notification of a known stream, and leaves it to the queue', async () => {
    onStream(reportedState);
    dynamo.on(PutItemCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const event = {
      Records: [
        { messageId: 'q-garbled', body: '{"key":' },
        { messageId: 'q-number', body: '5' },
        { messageId: 'q-unknown', body: JSON.stringify({ ...message, streamId: 'exercise#x' }) },
        { messageId: 'q-1', body: JSON.stringify(message) },
      ],
    } as unknown as SQSEvent;
    expect(await deliver(event)).toEqual({
      batchItemFailures: [
        { itemIdentifier: 'q-garbled' },
        { itemIdentifier: 'q-number' },
        { itemIdentifier: 'q-unknown' },
      ],
    });
    // The incident's message went out and was recorded all the same.
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.type?.S).toBe('NotificationDelivered');
  });

  it('does not send again what the stream already records as delivered', async () => {
    const delivered = {
      ...reportedState,
      deliveries: [
        {
          key: message.key,
          at: T0,
          purpose: 'review_requested',
          channel: 'email',
          to: 'x',
          ok: true,
          detail: 'm',
        },
      ],
    };
    onStream(delivered as IncidentState);
    expect(await deliver(sqs({ Type: 'Notification', Message: JSON.stringify(message) }))).toEqual({
      batchItemFailures: [],
    });
    expect(ses.calls()).toHaveLength(0);
  });

  it('leaves a transient failure to the queue', async () => {
    onStream(reportedState);
    ses.on(SendEmailCommand).rejects(new Error('connection reset'));
    expect(await deliver(sqs(message))).toEqual({ batchItemFailures: [{ itemIdentifier: 'q-1' }] });
  });

  /** The queue's record of the message on its nth receive. */
  const received = (attempt: number) =>
    ({
      Records: [
        {
          messageId: 'q-1',
          receiptHandle: `handle-${attempt}`,
          eventSourceARN: 'arn:aws:sqs:ap-northeast-1:123456789012:ceptoar-deliveries',
          attributes: { ApproximateReceiveCount: String(attempt) },
          body: JSON.stringify(message),
        },
      ],
    }) as unknown as SQSEvent;

  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [4, 240],
  ])(
    'backs a transient failure on attempt %i off for %i s before the next, recording the attempt',
    async (attempt, seconds) => {
      onStream(reportedState);
      dynamo.on(PutItemCommand).resolves({});
      ses.on(SendEmailCommand).rejects(new Error('connection reset'));
      sqsClient
        .on(GetQueueUrlCommand)
        .resolves({ QueueUrl: 'https://sqs.example/123456789012/ceptoar-deliveries' });
      sqsClient.on(ChangeMessageVisibilityCommand).resolves({});
      expect(await deliver(received(attempt))).toEqual({ batchItemFailures: [{ itemIdentifier: 'q-1' }] });
      expect(sqsClient.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
        {
          QueueUrl: 'https://sqs.example/123456789012/ceptoar-deliveries',
          ReceiptHandle: `handle-${attempt}`,
          VisibilityTimeout: seconds,
        },
      ]);
      // The attempt is recorded, with the failure's class and not its message; the outcome is still to come.
      const puts = dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item);
      expect(puts.map((item) => item?.type?.S)).toEqual(['NotificationAttemptFailed']);
      const data = JSON.parse(puts[0]?.data?.S ?? '{}');
      expect(data).toMatchObject({ key: message.key, channel: 'email', attempt, error: 'Error' });
      expect(JSON.stringify(puts[0])).not.toContain('connection reset');
      expect(JSON.stringify(puts[0])).not.toContain(message.to);
    },
  );

  it('leaves the message to the queue when recording its failed attempt fails', async () => {
    onStream(reportedState);
    dynamo.on(PutItemCommand).rejects(new Error('table unavailable'));
    ses.on(SendEmailCommand).rejects(new Error('connection reset'));
    sqsClient
      .on(GetQueueUrlCommand)
      .resolves({ QueueUrl: 'https://sqs.example/123456789012/ceptoar-deliveries' });
    sqsClient.on(ChangeMessageVisibilityCommand).resolves({});
    expect(await deliver(received(2))).toEqual({ batchItemFailures: [{ itemIdentifier: 'q-1' }] });
  });

  it('leaves a message the table failed to the queue’s own visibility timeout, not the scaled backoff', async () => {
    // DynamoDB unreachable: nothing is sent, and the message is not hidden for the policy's backoff (under a
    // time scale, its five receives would pass within a second of an outage and dead-letter it unrecorded).
    dynamo.on(QueryCommand, { ScanIndexForward: false, Limit: 1 }).rejects(new Error('connect ECONNREFUSED'));
    sqsClient
      .on(GetQueueUrlCommand)
      .resolves({ QueueUrl: 'https://sqs.example/123456789012/ceptoar-deliveries' });
    sqsClient.on(ChangeMessageVisibilityCommand).resolves({});
    expect(await deliver(received(1))).toEqual({ batchItemFailures: [{ itemIdentifier: 'q-1' }] });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(sqsClient.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  });

  it('records a transient failure on the last attempt as a failed delivery, never leaving it to the dead-letter queue', async () => {
    onStream(reportedState);
    dynamo.on(PutItemCommand).resolves({});
    ses
      .on(SendEmailCommand)
      .rejects(
        Object.assign(new Error('connection reset sending to tanaka@example.jp'), { code: 'ECONNRESET' }),
      );
    expect(await deliver(received(5))).toEqual({ batchItemFailures: [] });
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.Item?.type?.S).toBe('NotificationFailed');
    // The failure's class, never its message (which quotes the address).
    const data = put?.Item?.data?.S ?? JSON.stringify(put?.Item?.data);
    expect(data).toContain('gave up after 5 attempts: ECONNRESET');
    expect(data).not.toContain('example.jp');
    expect(sqsClient.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  });
});
