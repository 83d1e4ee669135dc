import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type DomainError,
  type FieldError,
  isDomainError,
  RateLimitedError,
  ValidationError,
} from '../../events/errors.ts';

/** RFC 9457 problem details, as every error response carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: readonly FieldError[];
}

/** The one place domain error kinds become HTTP statuses. */
const statusByKind: Record<DomainError['kind'], { status: number; title: string }> = {
  validation: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not Found' },
  illegal_state: { status: 409, title: 'Conflict' },
  concurrency: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Payload Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  rate_limited: { status: 429, title: 'Too Many Requests' },
  idempotency_key_reused: { status: 422, title: 'Unprocessable Content' },
  not_implemented: { status: 501, title: 'Not Implemented' },
};

/** A problem+json response. */
export function problemResponse(
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(problem),
  };
}

/** Seconds a caller is asked to wait (Retry-After) when the event table cannot be reached or throttles. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

// DynamoDB's (and the SDK's) names for "too many requests now" and "not there now": the request was not
// carried out, and the same request later may be. Errors the SDK gives after its own retries.
const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
]);
// The socket errors of an endpoint that is down or went away mid-request (Node's codes).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether an error says the event table (or another AWS service behind a route) is unreachable or
 * throttling, not that the request was wrong: it, or any error it was caused by, has one of those
 * names or socket codes, or a transaction was cancelled for throttling.
 */
export function isUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    cause?: unknown;
    errors?: unknown;
    CancellationReasons?: { Code?: string }[];
  };
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.CancellationReasons?.some((r) => r.Code === 'ThrottlingError')) return true;
  // An AggregateError (a connection tried on IPv4 and IPv6) holds the socket errors.
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnavailable(x, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

/** The headers an error's problem carries besides its content type: Retry-After for 429 and 503. */
export function problemHeaders(error: unknown): Record<string, string> {
  if (error instanceof RateLimitedError) return { 'retry-after': String(error.retryAfterSeconds) };
  if (!isDomainError(error) && isUnavailable(error))
    return { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
  return {};
}

/**
 * Turns any error into a problem. Domain errors keep their message (written for the
 * caller); the table unreachable or throttling becomes a 503 (with Retry-After, from
 * {@link problemHeaders}); anything else becomes a bare 500 so no internal detail leaks.
 */
export function toProblem(error: unknown): Problem {
  if (isDomainError(error)) {
    const { status, title } = statusByKind[error.kind];
    const detail =
      error.kind === 'concurrency'
        ? 'the incident was changed by someone else; reload and retry'
        : error.message;
    return {
      type: 'about:blank',
      title,
      status,
      detail,
      ...(error instanceof ValidationError && error.fields.length > 0 ? { errors: error.fields } : {}),
    };
  }
  if (isUnavailable(error)) {
    return {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail:
        'the service is busy or briefly unavailable; nothing was changed, retry after the Retry-After seconds',
    };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'something went wrong on our side',
  };
}
