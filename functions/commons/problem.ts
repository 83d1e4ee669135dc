import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type DomainError, type FieldError, isDomainError, ValidationError } from '../../events/errors.ts';

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

/**
 * Turns any error into a problem. Domain errors keep their message (written for the
 * caller); anything else becomes a bare 500 so no internal detail leaks.
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
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'something went wrong on our side',
  };
}
