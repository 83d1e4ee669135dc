import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { $ZodType } from 'zod/v4/core';
import { type Actor, type Role, roles } from '../../events/actor.ts';
import {
  ForbiddenError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../events/errors.ts';
import { isSectorId } from '../../events/sector/catalog.ts';
import * as z from '../../events/zod.ts';
import { logger } from '../runtime/logger.ts';
import { problemHeaders, problemResponse, toProblem } from './problem.ts';
import { rateLimiter } from './rate-limit.ts';
import { parseStrictJson } from './strict-json.ts';

/** Requests over this size are refused with 413 before anything is parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type UserActor = Extract<Actor, { kind: 'user' }>;

/** What a route's function receives: the verified caller and the validated input. */
export interface HttpRequest<B> {
  readonly actor: UserActor;
  readonly body: B;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly idempotencyKey: string | undefined;
  readonly event: HttpEvent;
}

/** What a route's function returns. */
export interface HttpResponse {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as is (e.g. NDJSON), with its content type in `headers`; wins over `body`. */
  readonly rawBody?: string;
  /** A binary body (a PDF, an XLSX export, an attached file), sent base64-encoded as API Gateway expects; wins over both. */
  readonly binaryBody?: Buffer;
  readonly headers?: Record<string, string>;
}

/** The caller, from the JWT claims the API Gateway authorizer (or the local server) verified. */
export function actorFromClaims(claims: Record<string, unknown> | undefined): UserActor {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') throw new UnauthorizedError('a valid bearer token is required');
  const role = groupsOf(claims?.['cognito:groups']).find((g): g is Role =>
    (roles as readonly string[]).includes(g),
  );
  if (!role) throw new ForbiddenError('the token carries no role');
  const org = claims?.['custom:org'];
  const sector = claims?.['custom:sector'];
  // A token without a sector is one from before sectors (chemical, or every sector for NISC and auditors).
  if (sector !== undefined && sector !== '' && !isSectorId(sector))
    throw new ForbiddenError('the token names no known sector');
  return {
    kind: 'user',
    sub,
    role,
    ...(typeof org === 'string' && org !== '' ? { org } : {}),
    ...(isSectorId(sector) ? { sector } : {}),
  };
}

// API Gateway's JWT authorizer flattens array claims to "[a b]"; tokens themselves carry arrays.
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string')
    return value
      .replace(/^\[|\]$/g, '')
      .split(/[\s,]+/)
      .filter(Boolean);
  return [];
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** `application/json`, with at most a UTF-8 charset: the one media type the write routes read. */
const JSON_MEDIA_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

function parseBody<B>(event: HttpEvent, schema: $ZodType<B>): B {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  // A form or text/plain post is what a cross-site page can send without a preflight: only JSON is read.
  if (bytes.length > 0 && !JSON_MEDIA_TYPE.test(event.headers?.['content-type'] ?? ''))
    throw new UnsupportedMediaTypeError('the body must be application/json');
  const json: unknown = bytes.toString('utf8').trim() === '' ? {} : parseStrictJson(bytes);
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    throw new ValidationError(
      'the body does not match the contract',
      parsed.error.issues.map((issue) => ({
        path: issue.path.length > 0 ? issue.path.join('.') : '(body)',
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

/** Errors become problem+json; unexpected ones are logged here and reach the caller as a bare 500. */
const problemJson = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const problem = toProblem(request.error);
    if (problem.status >= 500) logger.error('request failed', { error: request.error as Error });
    request.response = problemResponse(problem, problemHeaders(request.error));
  },
});

/** What a route's handler enforces before its function runs: the roles it allows and its body's schema. */
export interface HttpSpec<B> {
  readonly allow: readonly Role[];
  readonly body?: $ZodType<B>;
}

/**
 * Builds an API Gateway HTTP API handler: caller, role check, body, then the route's function.
 * The handler carries its `spec`, so the API's contract (functions/api-contract.ts) documents the
 * very roles and schema it enforces.
 */
export function httpHandler<B = Record<string, never>>(
  spec: HttpSpec<B>,
  fn: (request: HttpRequest<B>) => Promise<HttpResponse>,
) {
  const handler = middy<HttpEvent, HttpResult, Error, Context>()
    .use(problemJson())
    .handler(async (event) => {
      const actor = actorFromClaims(event.requestContext.authorizer?.jwt?.claims);
      // Before anything is parsed: a flood costs as little as possible (docs/SECURITY.md, API4).
      const wait = rateLimiter().take(actor.sub, actor.org ?? `role:${actor.role}`);
      if (wait > 0) throw new RateLimitedError(`too many requests; retry after ${wait} s`, wait);
      if (!spec.allow.includes(actor.role))
        throw new ForbiddenError(`this needs the role ${spec.allow.join(' or ')}`);
      const key = event.headers?.['idempotency-key'];
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new ValidationError('the Idempotency-Key header must be 1 to 255 visible ASCII characters', [
          { path: 'Idempotency-Key', message: 'invalid' },
        ]);
      }
      const body = spec.body ? parseBody(event, spec.body) : (undefined as B);
      const response = await fn({
        actor,
        body,
        params: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        idempotencyKey: key,
        event,
      });
      if (response.binaryBody !== undefined) {
        return {
          statusCode: response.status,
          headers: { ...response.headers },
          body: response.binaryBody.toString('base64'),
          isBase64Encoded: true,
        };
      }
      if (response.rawBody !== undefined) {
        return {
          statusCode: response.status,
          headers: { ...response.headers },
          body: response.rawBody,
        };
      }
      // A route that sets its own text content type (CSV exports) sends its body as it is.
      const raw =
        typeof response.body === 'string' && response.headers?.['content-type']?.startsWith('text/');
      return {
        statusCode: response.status,
        headers: {
          ...(response.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...response.headers,
        },
        ...(response.body === undefined
          ? {}
          : { body: raw ? String(response.body) : JSON.stringify(response.body) }),
      };
    });
  return Object.assign(handler, { spec });
}
