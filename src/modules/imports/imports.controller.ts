import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { once } from 'node:events';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiCsv, ApiErrors, ApiItems } from '../http/api-docs.js';
import { NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { SourceImports } from '../sources/source-imports.service.js';
import type { FileSample } from '../staging/file-sample.js';
import { ImportConfigDto } from './dto/import-config.dto.js';
import { ListImportsQuery, PageQuery, PatchImportDto, PreviewQuery, PullImportDto } from './dto/import-requests.dto.js';
import { ERRORS_CSV_HEADER, csvLine } from './errors-csv.js';
import type { ImportRef } from './import-record.js';
import { importView, type ImportView } from './import-view.js';
import { ApiCreatesImport, ErrorRowBody, ImportBody, ImportEventBody } from './imports.schemas.js';
import { ImportsService } from './imports.service.js';
import { PreviewRepository, type PersonOp } from './preview.repository.js';
import { PURGED, purgedError } from './purged-error.js';
import { FileSampleBody, GroupChangeBody, PersonChangeBody, PreviewBody } from './preview.schemas.js';

/** A malformed id cannot name an import: 404, like an id of another workspace. */
const importId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Import not found.') });

const NOT_FOUND = 'no such import in this workspace.';

/** POST /v1/imports takes a file (multipart) or names a saved source (JSON): one schema each. */
const CREATE_BODY = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: {
          file: { type: 'string', format: 'binary', description: 'The CSV file (at most ROSTERSYNC_MAX_UPLOAD_BYTES).' },
          config: { allOf: [{ $ref: getSchemaPath(ImportConfigDto) }], description: 'The config, as JSON text; headers are mapped by their common names when absent.' },
          profileId: { type: 'string', format: 'uuid', description: "Instead of config: a saved profile's config." },
        },
      },
      encoding: { config: { contentType: 'application/json' } },
    },
    'application/json': { schema: { $ref: getSchemaPath(PullImportDto) } },
  },
};

@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly preview: PreviewRepository,
    private readonly sourceImports: SourceImports,
  ) {}

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary: 'Create an import in DRAFT: upload a CSV file, or pull one from a saved source',
    requestBody: CREATE_BODY,
  })
  @ApiExtraModels(ImportConfigDto, PullImportDto)
  @ApiCreatesImport('Created; `pulled` only when the body named a source.', 'The import an earlier request with this Idempotency-Key made.')
  @ApiErrors({
    400:
      'an upload with no file part, a config that is not valid (or names an undefined custom field), an unknown profileId, both config and profileId, ' +
      'a file not valid in its encoding, or cut short; a JSON body whose sourceId or profileId is not an id, or names no profile of this workspace.',
    404: 'a JSON body: no such source.',
    413: 'the file is larger than ROSTERSYNC_MAX_UPLOAD_BYTES.',
    429: "the workspace's minIntervalMinutes since the last successful import has not passed.",
    502: 'a JSON body: the source could not be read; the code says why (host_unreachable, auth_failed, file_not_found, …).',
    503: "not_configured: a JSON body: the source's credentials cannot be decrypted (ROSTERSYNC_SECRET_KEY missing or changed).",
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ImportView & { pulled?: unknown }> {
    if (request.is('application/json')) {
      // A JSON body names a saved source to pull the file from (as POST /v1/sources/:id/sync).
      const { sourceId, profileId } = validateInput(PullImportDto, request.body, 'body');
      const result = await this.sourceImports.pullNow(principal, sourceId, profileId, idempotencyKey?.trim() || undefined);
      response.status(result.created ? 201 : 200).location(`/v1/imports/${result.importId}`);
      return { ...importView(await this.imports.get(ref(principal, result.importId))), pulled: result.pulled };
    }
    const { record, created } = await this.imports.create(principal, request, idempotencyKey?.trim() || undefined);
    response.status(created ? 201 : 200).location(`/v1/imports/${record.importId}`);
    return importView(record);
  }

  @Get()
  @ApiOperation({ summary: 'List imports, newest first' })
  @ApiQuery({ type: ListImportsQuery })
  @ApiItems(ImportBody, 'A page of imports.', 'with-total')
  @ApiErrors({ 400: 'a query parameter is not valid.' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { state, page = 1, pageSize = 20 } = validateInput(ListImportsQuery, query, 'query');
    const result = await this.imports.list(principal.workspaceId, state, page, pageSize);
    return { items: result.items.map(importView), page, pageSize, total: result.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An import: state, status, progress, counts, approval and decision' })
  @ApiOkResponse({ type: ImportBody , description: 'The import.' })
  @ApiErrors({ 404: NOT_FOUND })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string): Promise<ImportView> {
    return importView(await this.imports.get(ref(principal, id)));
  }

  @Put(':id/config')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace the config of a DRAFT or PREVIEW_READY import (it goes back to DRAFT)' })
  @ApiBody({ type: ImportConfigDto })
  @ApiOkResponse({ type: ImportBody , description: 'The import, back in DRAFT with its new config.' })
  @ApiErrors({
    400: 'the config is not valid, names an undefined custom field, or turns approval.fourEyes off.',
    404: NOT_FOUND,
    409: 'illegal_state: the import is in a state that cannot change its config (or has started applying).',
  })
  async replaceConfig(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Body() body: unknown): Promise<ImportView> {
    return importView(await this.imports.replaceConfig(principal, ref(principal, id), body));
  }

  @Patch(':id')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Request a preview, the import, or a cancel; on an import waiting for approval, approve or reject it' })
  @ApiBody({ type: PatchImportDto })
  @ApiOkResponse({ type: ImportBody , description: 'The import after the request (the work itself happens in a worker).' })
  @ApiErrors({
    400: 'state or comment is not valid.',
    403: 'approval.fourEyes, and this key created the import or changed its config.',
    404: NOT_FOUND,
    409: 'illegal_state: the current state does not allow it (the body has state and allowed).',
    429: "IMPORT_PENDING before the workspace's minIntervalMinutes since the last successful import.",
  })
  async patch(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Body() body: unknown): Promise<ImportView> {
    const { state, comment } = validateInput(PatchImportDto, body, 'body');
    return importView(await this.imports.request(principal, ref(principal, id), state, comment?.trim() || null));
  }

  /** The import's history: every state change and decision, with its time and actor. */
  @Get(':id/events')
  @ApiOperation({ summary: "The import's history, oldest first" })
  @ApiItems(ImportEventBody, 'Every state change and decision, with its time and actor.')
  @ApiErrors({ 404: NOT_FOUND })
  async events(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string): Promise<Record<string, unknown>> {
    await this.imports.get(ref(principal, id));
    return { items: await this.imports.events(ref(principal, id)) };
  }

  /** The stored file's dialect, columns, first rows and mapping, read with the import's config (for mapping editors). */
  @Get(':id/sample')
  @ApiOperation({ summary: "The stored file's dialect, columns, first rows and mapping, read with the import's config" })
  @ApiOkResponse({ type: FileSampleBody , description: 'The sample.' })
  @ApiErrors({ 404: NOT_FOUND, 410: PURGED })
  async sample(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string): Promise<FileSample> {
    return this.imports.sample(ref(principal, id));
  }

  @Get(':id/preview')
  @ApiOperation({ summary: 'What the import would change, page by page (empty until the plan is made)' })
  @ApiQuery({ type: PreviewQuery })
  @ApiExtraModels(PersonChangeBody, GroupChangeBody, ErrorRowBody)
  @ApiOkResponse({ type: PreviewBody , description: 'A page of the preview.' })
  @ApiErrors({ 400: 'a query parameter is not valid.', 404: NOT_FOUND, 410: PURGED })
  async getPreview(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { op, page = 1, pageSize = 50 } = validateInput(PreviewQuery, query, 'query');
    const record = await this.imports.get(ref(principal, id));
    const ready = record.plannedAt !== null;
    const groups = ready ? await this.preview.groupCounts(record) : null;
    let items: unknown[] = [];
    let total = 0;
    if (ready && op === 'error') [items, total] = await Promise.all([this.preview.errors(record, page, pageSize), this.preview.errorCount(record)]);
    else if (ready && op === 'groups') {
      items = await this.preview.groups(record, page, pageSize);
      total = Object.values(groups!).reduce((sum, n) => sum + n, 0);
    } else if (ready) {
      if (record.purgedAt) throw purgedError(record.purgedAt, 'the people it changed, line by line, were');
      items = await this.preview.people(record, op as PersonOp | undefined, page, pageSize);
      const { create, update, deactivate, delete: deleted, unchanged } = record.counts;
      total = op ? record.counts[op as PersonOp] : create + update + deactivate + deleted + unchanged;
    }
    return { state: record.state, ready, counts: record.counts, groups, op: op ?? null, page, pageSize, total, items };
  }

  @Get(':id/errors')
  @ApiOperation({ summary: "The file's line errors, page by page" })
  @ApiQuery({ type: PageQuery })
  @ApiItems(ErrorRowBody, 'A page of line errors.', 'with-total')
  @ApiErrors({ 400: 'a query parameter is not valid.', 404: NOT_FOUND })
  async errors(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { page = 1, pageSize = 50 } = validateInput(PageQuery, query, 'query');
    const record = await this.imports.get(ref(principal, id));
    const [items, total] = await Promise.all([this.preview.errors(record, page, pageSize), this.preview.errorCount(record)]);
    return { page, pageSize, total, items };
  }

  @Get(':id/errors.csv')
  @ApiOperation({ summary: 'The line errors as a CSV file (cells a spreadsheet would run as formulas are prefixed with \')' })
  @ApiCsv('line, column, code, message and the original line of each error.', 'line,column,code,message,raw\r\n17,E-mail,INVALID_EMAIL,…,…\r\n')
  @ApiErrors({ 404: NOT_FOUND })
  async errorsCsv(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Res() response: Response): Promise<void> {
    const record = await this.imports.get(ref(principal, id));
    response.status(200).type('text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="import-${record.importId}-errors.csv"`);
    try {
      response.write(ERRORS_CSV_HEADER);
      for (let page = 1; ; page++) {
        const rows = await this.preview.errors(record, page, 1000);
        if (rows.length && !response.write(rows.map(csvLine).join(''))) await once(response, 'drain');
        if (rows.length < 1000) break;
      }
      response.end();
    } catch (error) {
      // Headers are gone: the client can only learn of the failure by the connection closing.
      response.destroy(error as Error);
    }
  }
}

function ref(principal: Principal, importId: string): ImportRef {
  return { workspaceId: principal.workspaceId, importId };
}
