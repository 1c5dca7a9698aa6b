/**
 * Errors services throw, shared by the API and the workers. The HTTP status is chosen in one
 * place, DomainErrorFilter; `code` is stable for clients to branch on.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details: Record<string, unknown> = {};
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
  constructor(message = 'A valid API key is required: send it as "x-api-key: <key>" or "Authorization: Bearer <key>".') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.details.fields = fields;
  }
}

/** Something with that name already exists. */
export class AlreadyExistsError extends DomainError {
  readonly code = 'already_exists';
}

/** The thing is still used by another (a source or profile by a schedule). */
export class InUseError extends DomainError {
  readonly code = 'in_use';
}

/** Too soon: the request is allowed again at `retryAt`. */
export class TooSoonError extends DomainError {
  readonly code: string = 'too_soon';
  constructor(
    message: string,
    readonly retryAt: Date,
  ) {
    super(message);
    this.details.retryAt = retryAt.toISOString();
  }
}

/** The API key sent more requests than its rate allows: it may send again at `retryAt`. */
export class RateLimitedError extends TooSoonError {
  override readonly code = 'rate_limited';
}

/** A source could not be fetched: `code` says why (unreachable, auth, host key, TLS, no file…). */
export class SourceError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Not yet: it is being made (ask again shortly). */
export class NotReadyError extends DomainError {
  readonly code = 'not_ready';
}

/** It was there, and is no more (handed out once). */
export class GoneError extends DomainError {
  readonly code = 'gone';
}

/** The deployment lacks something the request needs (a secret key, say). */
export class NotConfiguredError extends DomainError {
  readonly code = 'not_configured';
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

/** A request the import's current state does not allow. */
export class IllegalStateError extends DomainError {
  readonly code = 'illegal_state';
  constructor(
    readonly importId: string,
    readonly state: string,
    readonly request: string,
    readonly allowed: string[],
  ) {
    super(
      `Import ${importId} is ${state}: ${request} is not allowed now. ` +
        (allowed.length ? `Allowed: ${allowed.join(', ')}.` : 'The import is finished; nothing more can be requested.'),
    );
    Object.assign(this.details, { state, allowed });
  }
}
