import { Controller, Get, Param, Query } from '@nestjs/common';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { PageQuery } from '../imports/dto/import-requests.dto.js';
import { UsersRepository, type UserView } from './users.repository.js';

class ListUsersQuery extends PageQuery {
  @IsOptional()
  @IsIn(['active', 'deactivated'], { message: 'status must be active or deactivated' })
  status?: 'active' | 'deactivated';

  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersRepository) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { status, q, page = 1, pageSize = 50 } = validateInput(ListUsersQuery, query, 'query');
    const result = await this.users.list(principal.workspaceId, { status, q }, page, pageSize);
    return { items: result.items, page, pageSize, total: result.total };
  }

  @Get(':externalId')
  async get(@CurrentPrincipal() principal: Principal, @Param('externalId') externalId: string): Promise<UserView> {
    const user = await this.users.findByExternalId(principal.workspaceId, externalId);
    if (!user) throw new NotFoundError(`No person with externalId "${externalId}".`);
    return user;
  }
}
