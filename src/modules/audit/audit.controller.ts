import { Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { validateInput } from '../http/validate-input.js';
import { AuditLogRepository, type AuditEntry } from './audit-log.repository.js';

class AuditQuery {
  @IsOptional() @IsString() @MaxLength(100) action?: string;
  @IsOptional() @IsString() @MaxLength(100) targetType?: string;
  @IsOptional() @IsString() @MaxLength(200) targetId?: string;
  /** The `next` of the previous page. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) before?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}

/** `GET /v1/audit`: the workspace's audit log, newest first, for admins. */
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogRepository) {}

  @Get()
  @AdminOnly()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<{ items: AuditEntry[]; next: number | null }> {
    const { pageSize = 50, ...filter } = validateInput(AuditQuery, query, 'query');
    const items = await this.audit.list(principal.workspaceId, { ...filter, limit: pageSize });
    return { items, next: items.length === pageSize ? items[items.length - 1].id : null };
  }
}
