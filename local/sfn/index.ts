/**
 * A local AWS Step Functions endpoint: runs the state machine definitions the CDK app synthesizes
 * on aws-local-stepfunctions, and serves them to the real `@aws-sdk/client-sfn` over HTTP (AWS
 * JSON 1.0: `POST /`, `X-Amz-Target: AWSStepFunctions.<Op>`, errors as 400 `{"__type", "message"}`).
 *
 * ```ts
 * const sfn = await startLocalSfn({ log });
 * for (const { logicalId, definition } of extractStateMachines(template)) {
 *   sfn.registerStateMachine(logicalId, definition, (arn) => handlers[localFunctionName(arn)]);
 * }
 * process.env.AWS_ENDPOINT_URL_SFN = sfn.url;
 * ```
 *
 * API: `startLocalSfn(options?) → LocalSfn { url, region, registerStateMachine(name, definition,
 * resolveFunction) → ARN, executions(filter?), listRunning(), close() }`; operations
 * ListStateMachines, DescribeStateMachine (the definition as registered), StartExecution,
 * DescribeExecution, ListExecutions (statusFilter, maxResults, nextToken), GetExecutionHistory
 * (AWS's event types, see history.ts; maxResults, nextToken, reverseOrder, includeExecutionData),
 * StopExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat. Task resources: Lambda
 * function ARNs (payloadResponseOnly), `lambda:invoke` and `lambda:invoke.waitForTaskToken`
 * (tokens: see tokens.ts and tasks.ts).
 *
 * Differences from AWS: executions run in memory; with `historyFile` their records and history
 * survive a restart (for 90 days after they close, as AWS keeps them), but one that was running
 * is closed as ABORTED (its interpreter and tokens are gone). HeartbeatSeconds is not enforced. In a history `previousEventId` is always the event
 * before (AWS points some events at an earlier cause). Page tokens do not expire.
 */
import './polyfill.ts';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operations } from './api.ts';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from './arn.ts';
import { SfnServiceError } from './errors.ts';
import { ExecutionLog } from './execution-log.ts';
import { type ExecutionInfo, type ExecutionStatus, ExecutionStore } from './executions.ts';
import type { FunctionResolver } from './types.ts';

export { localFunctionName } from './arn.ts';
export {
  type CloudFormationTemplateJson,
  type ExtractedStateMachine,
  extractStateMachines,
} from './definition.ts';
export { type ExecutionInfo, type ExecutionStatus, validateStateMachine } from './executions.ts';
export type { FunctionResolver, LocalFunction } from './types.ts';

/** Options of {@link startLocalSfn}. */
export interface LocalSfnOptions {
  /** TCP port; a free one is picked when omitted. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Region in the ARNs; default ap-northeast-1. */
  readonly region?: string;
  /** Account id in the ARNs; default 000000000000. */
  readonly accountId?: string;
  /** Debug log of registrations, executions, state transitions and task tokens. */
  readonly log?: (message: string, extra?: object) => void;
  /**
   * Where executions and their history are kept across restarts (NDJSON, appended as they run);
   * in memory only when omitted. See execution-log.ts for what a restart keeps.
   */
  readonly historyFile?: string;
}

/** A running local Step Functions endpoint. */
export interface LocalSfn {
  /** `http://<host>:<port>`, for the SDK's `endpoint` or `AWS_ENDPOINT_URL_SFN`. */
  readonly url: string;
  /** Region used in ARNs. */
  readonly region: string;
  /** Registers a state machine (replacing one of the same name for later executions); returns its ARN. */
  registerStateMachine(
    name: string,
    definition: object,
    resolveFunction: FunctionResolver,
    /** True when validateStateMachine passed on this definition (a test run's): skips the library's check. */
    validated?: boolean,
  ): string;
  /** Every execution since start, newest first. */
  executions(filter?: { stateMachineArn?: string; status?: ExecutionStatus }): ExecutionInfo[];
  /** The executions still RUNNING. */
  listRunning(): ExecutionInfo[];
  /** Aborts every running execution and closes the server. Idempotent. */
  close(): Promise<void>;
}

const JSON_1_0 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';

/** Starts the endpoint; resolves once it listens. */
export async function startLocalSfn(options: LocalSfnOptions = {}): Promise<LocalSfn> {
  const region = options.region ?? DEFAULT_REGION;
  const log = options.log ?? (() => {});
  const store = new ExecutionStore(
    { region, accountId: options.accountId ?? DEFAULT_ACCOUNT_ID },
    log,
    options.historyFile ? new ExecutionLog(options.historyFile) : undefined,
  );
  const server = createServer((request, response) => {
    serve(store, request, response, log).catch((error: unknown) => {
      // Only reachable when the response itself cannot be written (client gone).
      log('sfn response failed', { error: String(error) });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${port}`;
  log('sfn endpoint listening', { url });

  let closing: Promise<void> | undefined;
  return {
    url,
    region,
    registerStateMachine: (name, definition, resolveFunction, validated) =>
      store.register(name, definition, resolveFunction, validated),
    executions: (filter) => store.list(filter),
    listRunning: () => store.list({ status: 'RUNNING' }),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await store.stopAll();
        // The SDK keeps connections alive; without this, server.close() waits for them.
        server.closeAllConnections();
        await closed;
        log('sfn endpoint closed', { url });
      })();
      return closing;
    },
  };
}

async function serve(
  store: ExecutionStore,
  request: IncomingMessage,
  response: ServerResponse,
  log: (message: string, extra?: object) => void,
): Promise<void> {
  let operationName = '?';
  try {
    const body = await readBody(request);
    const target = request.headers['x-amz-target'];
    operationName =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : '?';
    const operation = request.method === 'POST' ? operations[operationName] : undefined;
    if (!operation) {
      throw new SfnServiceError(
        'UnknownOperationException',
        `${request.method} ${String(target)} is not supported`,
      );
    }
    let input: unknown;
    try {
      input = body === '' ? {} : JSON.parse(body);
    } catch {
      throw new SfnServiceError('SerializationException', 'request body is not JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new SfnServiceError('SerializationException', 'request body is not a JSON object');
    }
    send(response, 200, operation(store, input as Record<string, unknown>));
  } catch (error) {
    if (error instanceof SfnServiceError) {
      log('sfn request rejected', { operation: operationName, error: error.type, message: error.message });
      send(response, 400, { __type: error.type, message: error.message });
      return;
    }
    log('sfn request failed', { operation: operationName, error: String(error) });
    send(response, 500, {
      __type: 'InternalFailure',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': JSON_1_0,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
