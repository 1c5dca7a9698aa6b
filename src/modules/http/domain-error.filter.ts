import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import {
  AlreadyExistsError,
  DomainError,
  ForbiddenError,
  GoneError,
  IllegalStateError,
  InUseError,
  NotConfiguredError,
  NotFoundError,
  NotReadyError,
  PayloadTooLargeError,
  RateLimitedError,
  SourceError,
  TooSoonError,
  UnauthenticatedError,
  ValidationError,
} from './domain-errors.js';

const STATUS = new Map<Function, number>([
  [NotFoundError, HttpStatus.NOT_FOUND],
  [UnauthenticatedError, HttpStatus.UNAUTHORIZED],
  [ForbiddenError, HttpStatus.FORBIDDEN],
  [ValidationError, HttpStatus.BAD_REQUEST],
  [PayloadTooLargeError, HttpStatus.PAYLOAD_TOO_LARGE],
  [IllegalStateError, HttpStatus.CONFLICT],
  [AlreadyExistsError, HttpStatus.CONFLICT],
  [InUseError, HttpStatus.CONFLICT],
  [GoneError, HttpStatus.GONE],
  [NotReadyError, HttpStatus.CONFLICT],
  [TooSoonError, HttpStatus.TOO_MANY_REQUESTS],
  [RateLimitedError, HttpStatus.TOO_MANY_REQUESTS],
  [SourceError, HttpStatus.BAD_GATEWAY],
  [NotConfiguredError, HttpStatus.SERVICE_UNAVAILABLE],
]);

/** The one place where errors become HTTP responses: `{ code, message, ...details }`. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (error instanceof DomainError) {
      const status = STATUS.get(error.constructor) ?? HttpStatus.BAD_REQUEST;
      if (error instanceof TooSoonError) response.setHeader('Retry-After', Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000)));
      response.status(status).json({ code: error.code, message: error.message, ...error.details });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
      response.status(status).json({ code: codeFor(status), message });
      return;
    }
    this.logger.error(error);
    response.status(500).json({ code: 'internal_error', message: 'Something went wrong on our side; the error is logged.' });
  }
}

function codeFor(status: number): string {
  switch (status) {
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 400:
      return 'bad_request';
    default:
      return `http_${status}`;
  }
}
