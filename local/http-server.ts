import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type HttpEvent, MAX_BODY_BYTES } from '../functions/http/http.ts';
import { type Problem, problemHeaders, toProblem } from '../functions/http/problem.ts';
import { verifyLocalToken } from './auth.ts';

/** A Lambda handler behind an HTTP API route. */
export type RouteHandler = (
  event: HttpEvent,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | undefined>;

/** A route served as API Gateway would: `{param}` path templates, JWT-verified, same event shape. */
export interface ApiRoute {
  readonly method: string;
  readonly path: string;
  readonly functionName: string;
  /** Served without a token, as API Gateway does for a route with no authorizer. */
  readonly public?: boolean;
  readonly load: () => Promise<RouteHandler>;
}

/** A route of the local runtime itself (health, local tokens, the mailbox): no JWT, plain JSON. */
export type LocalRoute = (request: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: IncomingMessage['headers'];
}) => Promise<
  { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> } | undefined
>;

interface CompiledRoute extends ApiRoute {
  readonly pattern: RegExp;
  readonly names: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}) {
  res.writeHead(problem.status, { ...headers, 'content-type': 'application/problem+json' });
  res.end(JSON.stringify(problem));
}

const problem = (status: number, title: string, detail: string): Problem => ({
  type: 'about:blank',
  title,
  status,
  detail,
});

/** A path segment decoded, or null when it is not percent-encoded UTF-8 (`%zz`, `%ED%A0%80`). */
function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Reads a body up to the limit; over it, answers 413 and stops reading. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The local stand-in for the HTTP API: the same routes, the same handler modules, the
 * same event shape (`requestContext.authorizer.jwt.claims`), tokens verified like the
 * JWT authorizer does (401 before the handler runs).
 */
export async function startHttpServer(options: {
  port: number;
  host?: string;
  routes: readonly ApiRoute[];
  localRoutes: readonly LocalRoute[];
  signingKey: Uint8Array;
  log?: (message: string, extra?: object) => void;
}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const routes = options.routes.map(compile);
  const handlers = new Map<string, Promise<RouteHandler>>();
  const load = (route: CompiledRoute) => {
    let handler = handlers.get(route.functionName);
    if (!handler) {
      handler = route.load();
      handlers.set(route.functionName, handler);
    }
    return handler;
  };

  const server = createServer(async (req, res) => {
    const started = Date.now();
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = (req.method ?? 'GET').toUpperCase();
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (raw === null) {
        sendProblem(
          res,
          problem(413, 'Payload Too Large', `the body must be at most ${MAX_BODY_BYTES} bytes`),
        );
        return;
      }
      for (const local of options.localRoutes) {
        const answer = await local({
          method,
          path: url.pathname,
          query: url.searchParams,
          body: raw.toString('utf8'),
          headers: req.headers,
        });
        if (answer) {
          res.writeHead(answer.status, {
            'content-type': answer.contentType ?? 'application/json',
            ...answer.headers,
          });
          res.end(
            answer.body === undefined
              ? ''
              : typeof answer.body === 'string' || Buffer.isBuffer(answer.body)
                ? answer.body
                : JSON.stringify(answer.body),
          );
          return;
        }
      }
      const matches = routes.filter((r) => r.pattern.test(url.pathname));
      const route = matches.find((r) => r.method === method);
      if (!route) {
        if (matches.length > 0)
          sendProblem(res, problem(405, 'Method Not Allowed', `${method} is not allowed on ${url.pathname}`));
        else sendProblem(res, problem(404, 'Not Found', `no route for ${method} ${url.pathname}`));
        return;
      }
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      const claims = route.public ? null : token ? await verifyLocalToken(options.signingKey, token) : null;
      if (!claims && !route.public) {
        sendProblem(res, problem(401, 'Unauthorized', 'a valid bearer token is required'));
        return;
      }
      const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const decoded = values.map(decodePathSegment);
      if (decoded.includes(null)) {
        sendProblem(res, problem(400, 'Bad Request', 'the path is not valid percent-encoded UTF-8'));
        return;
      }
      const pathParameters = Object.fromEntries(route.names.map((n, i) => [n, decoded[i] ?? '']));
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k.toLowerCase(),
          Array.isArray(v) ? v.join(',') : (v ?? ''),
        ]),
      );
      const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined;
      // A body that is not UTF-8 reaches the handler as its bytes (base64), to be refused, not as a string
      // whose bad bytes became U+FFFD and pass for text.
      const utf8 = isUtf8(raw);
      const text = utf8 ? raw.toString('utf8') : raw.toString('base64');
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(query ? { queryStringParameters: query } : {}),
        ...(route.names.length > 0 ? { pathParameters } : {}),
        ...(raw.length > 0 ? { body: text } : {}),
        isBase64Encoded: !utf8,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: req.headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '',
            userAgent: req.headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: `${route.method} ${route.path}`,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
          authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
        },
      } as unknown as HttpEvent;
      const handler = await load(route);
      const result = (await handler(event, lambdaContext(route.functionName))) ?? { statusCode: 204 };
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      // A binary answer (a PDF, an attachment, an XLSX export) comes base64-encoded, as API Gateway decodes it.
      res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
    } catch (error) {
      options.log?.('request failed', { error: String(error) });
      if (!res.headersSent) sendProblem(res, toProblem(error), problemHeaders(error));
      else res.end();
    } finally {
      options.log?.('request', {
        method: req.method,
        url: req.url,
        status: res.statusCode,
        ms: Date.now() - started,
      });
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
