import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath, type HeadersObject, type ReferenceObject, type ResponseObject, type SchemaObject } from '@nestjs/swagger';
import type { FieldProblem } from './domain-errors.js';

/*
 * The decorators the controllers document themselves with: the error body (as DomainErrorFilter
 * writes it), the statuses a route can answer with and why, lists and pages, and CSV downloads.
 */

/** Which key a route needs, as the guard decides it (set by PublicRoute and AdminOnly in principal.ts). */
export const REQUIRED_ROLE = 'x-required-role';
export type RequiredRole = 'admin' | 'viewer' | 'none';

export class FieldProblemBody implements FieldProblem {
  @ApiProperty({ example: 'mapping.E-mail' }) field!: string;
  @ApiProperty({ example: '"mail" is not a field: use a standard field or custom.<key>' }) message!: string;
}

/** Every error: `{ code, message, ...details }`. */
export class ErrorBody {
  @ApiProperty({
    description:
      'Stable, to branch on: not_found, unauthenticated, forbidden, validation_failed, already_exists, in_use, illegal_state, ' +
      'not_ready, gone, too_soon, rate_limited, payload_too_large, not_configured, bad_request, or, from a source, why it could not be read ' +
      '(host_not_found, host_unreachable, auth_failed, host_key_mismatch, host_key_not_pinned, tls_error, file_not_found, ' +
      'no_matching_file, too_large, timeout, http_error, …)',
    example: 'not_found',
  })
  code!: string;

  @ApiProperty({ description: 'What went wrong, and what to do about it, for a person.' }) message!: string;

  @ApiPropertyOptional({ type: [FieldProblemBody], description: 'validation_failed: each field at fault.' }) fields?: FieldProblem[];

  @ApiPropertyOptional({ description: "illegal_state: the import's state." }) state?: string;

  @ApiPropertyOptional({ type: [String], description: 'illegal_state: the requests the import allows now.' }) allowed?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'too_soon, rate_limited: when the request is allowed again (also in Retry-After).' }) retryAt?: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 502 | 503;

/** The code an error of this status has, where it has only one (409 and 502 name theirs in the reason). */
const CODES: Partial<Record<ErrorStatus, string>> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  410: 'gone',
  413: 'payload_too_large',
  429: 'too_soon',
};

/** An error response: the shared body, and why this route answers with it. */
export function errorResponse(status: ErrorStatus, why: string, code = CODES[status]): ResponseObject {
  const headers: HeadersObject | undefined =
    status === 429 ? { 'Retry-After': { description: 'Seconds until the request is allowed again.', schema: { type: 'integer' } } } : undefined;
  return { description: code ? `${code}: ${why}` : why, content: { 'application/json': { schema: ref(ErrorBody) } }, headers };
}

/** The errors a route can answer with, each with why (401 and 403 come from the key's role: see openapi.ts). */
export function ApiErrors(errors: Partial<Record<ErrorStatus, string>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorBody),
    ...Object.entries(errors).map(([status, why]) => ApiResponse({ status: Number(status), ...errorResponse(Number(status) as ErrorStatus, why) })),
  );
}

/** Property options that recur: text that may be null, and a timestamp. */
export const NULLABLE_TEXT = { type: String, nullable: true } as const;
export const DATE_TIME = { type: String, format: 'date-time' } as const;

/** A JSON schema that refers to a documented class. */
export function ref(model: Type): ReferenceObject {
  return { $ref: getSchemaPath(model) };
}

const PAGE_PROPERTIES: Record<string, SchemaObject> = {
  page: { type: 'integer', minimum: 1, description: 'The page asked for (from 1).' },
  pageSize: { type: 'integer', minimum: 1, description: 'Items per page, as asked for.' },
};

/**
 * `{ items: Model[] }`; with `paged`, also `page` and `pageSize`, and `total` (across all pages)
 * unless `paged` is 'without-total'.
 */
export function itemsSchema(model: Type, paged?: 'with-total' | 'without-total'): SchemaObject {
  const properties: Record<string, SchemaObject> = { items: { type: 'array', items: ref(model) } };
  if (paged) Object.assign(properties, PAGE_PROPERTIES);
  if (paged === 'with-total') properties.total = { type: 'integer', minimum: 0, description: 'How many there are in all.' };
  return { type: 'object', required: Object.keys(properties), properties };
}

/** 200 with a list of `model` (see itemsSchema). */
export function ApiItems(model: Type, description: string, paged?: 'with-total' | 'without-total'): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiExtraModels(model), ApiResponse({ status: 200, description, schema: itemsSchema(model, paged) }));
}

/** 200 with a CSV file as an attachment. */
export function ApiCsv(description: string, example: string): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status: 200,
    description,
    content: { 'text/csv': { schema: { type: 'string' }, example } },
    headers: { 'Content-Disposition': { description: 'attachment; filename="…"', schema: { type: 'string' } } },
  });
}
