import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject } from '@nestjs/swagger';
import { ErrorBody, errorResponse, REQUIRED_ROLE, type ErrorStatus, type RequiredRole } from './api-docs.js';

const ROLE_TEXT: Record<RequiredRole, string> = {
  admin: '**Needs an admin key.**',
  viewer: '**Needs a key** (viewer or admin).',
  none: '**Public:** no key needed.',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const DESCRIPTION = `rostersync keeps a user directory in sync with CSV files: upload a file (or pull it from a source),
preview what would change, apply it, and read the report.

Every route but \`/health\` needs an API key, as \`Authorization: Bearer <key>\` or \`x-api-key: <key>\`.
A viewer key can read; changing anything needs an admin key (\`x-required-role\` on each operation).
Errors are JSON: \`{ "code", "message", ... }\` (the ErrorBody schema).`;

/** The OpenAPI 3 document of every route the application serves, generated from its controllers. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('rostersync API')
    .setDescription(DESCRIPTION)
    .setVersion('v1')
    // 3.1: a nullable object or enum becomes `anyOf [..., null]` and `enum [..., null]`, which 3.0 cannot say.
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer rsk_…`' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same API key in its own header.' }, 'apiKey')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBody] });
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      documentAuth(operation);
      documentJsonBody(operation);
    }
  }
  return document;
}

/**
 * Auth, from the role the route's decorators gave it: public routes need no key; others answer
 * 401 without a valid one, admin routes 403 to a viewer key, and any of them 429 to a key over
 * its request rate.
 */
function documentAuth(operation: OperationObject & { [REQUIRED_ROLE]?: RequiredRole }): void {
  const role = (operation[REQUIRED_ROLE] ??= 'viewer');
  operation.description = [ROLE_TEXT[role], operation.description].filter(Boolean).join('\n\n');
  if (role === 'none') {
    operation.security = [];
    return;
  }
  addError(operation, 401, 'no key, or a key that is unknown, revoked or malformed.');
  if (role === 'admin') addError(operation, 403, 'a viewer key.');
  addError(operation, 429, 'the key sent requests faster than this deployment allows (ROSTERSYNC_RATE_LIMIT_PER_MINUTE).', 'rate_limited');
}

/** Express reads a JSON body before any route runs: one that does not parse, or is too large, is refused first. */
function documentJsonBody(operation: OperationObject): void {
  const body = operation.requestBody;
  if (!body || !('content' in body) || !body.content['application/json']) return;
  addError(operation, 400, 'the body is not valid JSON.', 'bad_request');
  addError(operation, 413, 'a JSON body larger than 100 kB.');
}

/** One more reason for an error status (a status answers with one body, so the reasons are listed). */
function addError(operation: OperationObject, status: ErrorStatus, why: string, code?: string): void {
  const added = errorResponse(status, why, code);
  const existing = operation.responses[status];
  operation.responses[status] = existing && 'description' in existing ? { ...existing, description: `${existing.description} Or ${added.description}` } : added;
}

/** `GET /openapi.json` and the Swagger UI at `/docs`, its assets served from this process (no CDN). */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'rostersync API',
    // The UI would otherwise send the document to an online validator.
    swaggerOptions: { validatorUrl: 'none', persistAuthorization: true },
  });
}
