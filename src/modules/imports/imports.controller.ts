import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { once } from 'node:events';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { SourceImports } from '../sources/source-imports.service.js';
import type { FileSample } from '../staging/file-sample.js';
import { ListImportsQuery, PageQuery, PatchImportDto, PreviewQuery, PullImportDto } from './dto/import-requests.dto.js';
import { ERRORS_CSV_HEADER, csvLine } from './errors-csv.js';
import type { ImportRef } from './import-record.js';
import { importView } from './import-view.js';
import { ImportsService } from './imports.service.js';
import { PreviewRepository, type PersonOp } from './preview.repository.js';

/** A malformed id cannot name an import: 404, like an id of another workspace. */
const importId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Import not found.') });

@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly preview: PreviewRepository,
    private readonly sourceImports: SourceImports,
  ) {}

  @Post()
  @AdminOnly()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<Record<string, unknown>> {
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
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { state, page = 1, pageSize = 20 } = validateInput(ListImportsQuery, query, 'query');
    const result = await this.imports.list(principal.workspaceId, state, page, pageSize);
    return { items: result.items.map(importView), page, pageSize, total: result.total };
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string): Promise<Record<string, unknown>> {
    return importView(await this.imports.get(ref(principal, id)));
  }

  @Put(':id/config')
  @AdminOnly()
  async replaceConfig(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    return importView(await this.imports.replaceConfig(principal, ref(principal, id), body));
  }

  @Patch(':id')
  @AdminOnly()
  @HttpCode(200)
  async patch(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    const { state, comment } = validateInput(PatchImportDto, body, 'body');
    return importView(await this.imports.request(principal, ref(principal, id), state, comment?.trim() || null));
  }

  /** The import's history: every state change and decision, with its time and actor. */
  @Get(':id/events')
  async events(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string): Promise<Record<string, unknown>> {
    await this.imports.get(ref(principal, id));
    return { items: await this.imports.events(ref(principal, id)) };
  }

  /** The stored file's dialect, columns, first rows and mapping, read with the import's config (for mapping editors). */
  @Get(':id/sample')
  async sample(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string): Promise<FileSample> {
    return this.imports.sample(ref(principal, id));
  }

  @Get(':id/preview')
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
      items = await this.preview.people(record, op as PersonOp | undefined, page, pageSize);
      const { create, update, deactivate, delete: deleted, unchanged } = record.counts;
      total = op ? record.counts[op as PersonOp] : create + update + deactivate + deleted + unchanged;
    }
    return { state: record.state, ready, counts: record.counts, groups, op: op ?? null, page, pageSize, total, items };
  }

  @Get(':id/errors')
  async errors(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { page = 1, pageSize = 50 } = validateInput(PageQuery, query, 'query');
    const record = await this.imports.get(ref(principal, id));
    const [items, total] = await Promise.all([this.preview.errors(record, page, pageSize), this.preview.errorCount(record)]);
    return { page, pageSize, total, items };
  }

  @Get(':id/errors.csv')
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
