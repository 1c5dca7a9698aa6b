import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors, DATE_TIME, NULLABLE_TEXT } from '../http/api-docs.js';
import { validateInput } from '../http/validate-input.js';
import { AuditLogRepository, type AuditEntry } from './audit-log.repository.js';

class AuditQuery {
  @ApiPropertyOptional({ description: 'Only this action, e.g. source.updated' })
  @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional({ description: 'Only this kind of target: key, profile, source, schedule, webhook, custom_field, settings, import' })
  @IsOptional() @IsString() @MaxLength(100) targetType?: string;
  @ApiPropertyOptional({ description: "Only this target's id" })
  @IsOptional() @IsString() @MaxLength(200) targetId?: string;
  @ApiPropertyOptional({ description: 'Entries older than this id: the `next` of the previous page', minimum: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) before?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}

class AuditEntryBody implements AuditEntry {
  @ApiProperty() id!: number;
  @ApiProperty(DATE_TIME) at!: string;
  @ApiProperty({ description: "The API key's name, or rostersync" }) actor!: string;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid' }) actorKeyId!: string | null;
  @ApiProperty({ description: '<target>.<created|updated|deleted|revoked|approved|rejected|cancelled|config-changed|recovery-codes-downloaded>' }) action!: string;
  @ApiProperty() targetType!: string;
  @ApiProperty(NULLABLE_TEXT) targetId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed: {field: {from, to}} on an update; secrets only as <column>_changed: true' })
  details!: Record<string, unknown>;
}

class AuditPage {
  @ApiProperty({ type: [AuditEntryBody] }) items!: AuditEntryBody[];
  @ApiProperty({ type: Number, nullable: true, description: 'The before= of the next page; null on the last' }) next!: number | null;
}

/** `GET /v1/audit`: the workspace's audit log, newest first, for admins. */
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogRepository) {}

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: "The workspace's audit log, newest first" })
  @ApiQuery({ type: AuditQuery })
  @ApiOkResponse({ type: AuditPage, description: 'A page of entries.' })
  @ApiErrors({ 400: 'a query parameter is not valid.' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<{ items: AuditEntry[]; next: number | null }> {
    const { pageSize = 50, ...filter } = validateInput(AuditQuery, query, 'query');
    const items = await this.audit.list(principal.workspaceId, { ...filter, limit: pageSize });
    return { items, next: items.length === pageSize ? items[items.length - 1].id : null };
  }
}
