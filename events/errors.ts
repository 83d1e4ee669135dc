/**
 * The domain's error hierarchy. Each error names its kind; the HTTP layer maps kinds to
 * status codes in exactly one place (functions/http/problem.ts), and the workflow
 * surfaces them as Step Functions error names.
 */

/** Field-level detail of a validation error: a JSON path and a message. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Base class of every error the domain raises on purpose. */
export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'validation'
    | 'unauthorized'
    | 'forbidden'
    | 'not_found'
    | 'illegal_state'
    | 'concurrency'
    | 'idempotency_key_reused'
    | 'payload_too_large'
    | 'unsupported_media_type'
    | 'rate_limited'
    | 'not_implemented';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks the contract; carries one entry per offending field. */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(
    message: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

/** No credentials, or credentials that do not verify. */
export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}

/** The caller's role may not do this. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** Nothing there, or nothing the caller may know exists. */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The command does not apply in the aggregate's current state. */
export class IllegalStateError extends DomainError {
  readonly kind = 'illegal_state';
}

/** Another writer appended to the stream first. */
export class ConcurrencyError extends DomainError {
  readonly kind = 'concurrency';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(`stream ${streamId} moved past version ${expectedVersion}`, options);
  }
}

/** An Idempotency-Key was used before with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly kind = 'idempotency_key_reused';
}

/** A request body over the limit. */
export class PayloadTooLargeError extends DomainError {
  readonly kind = 'payload_too_large';
}

/** A body in a media type other than the route's (application/json). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = 'unsupported_media_type';
}

/** Too many requests from one caller or organisation; retry after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A capability this deployment does not offer (printing a PDF in AWS); the caller can take another form. */
export class NotImplementedError extends DomainError {
  readonly kind = 'not_implemented';
}

/** Type guard for errors the domain raised on purpose. */
export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
