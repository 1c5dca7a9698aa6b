import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { PageQuery } from '../imports/dto/import-requests.dto.js';
import { UserBody, UserChangeBody, UserDetailBody } from './directory.schemas.js';
import { USER_STATUSES, UsersRepository, type UserDetail, type UserStatus } from './users.repository.js';

class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: USER_STATUSES })
  @IsOptional()
  @IsIn([...USER_STATUSES], { message: `status must be ${USER_STATUSES.join(' or ')}` })
  status?: UserStatus;

  @ApiPropertyOptional({ maxLength: 200, description: "Members of this group (its name)." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  group?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Text in the name, e-mail, user name or key.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** The directory: people with their manager, reports, groups and history. */
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersRepository) {}

  @Get()
  @ApiOperation({ summary: 'People, by name, filtered by status, group and text' })
  @ApiQuery({ type: ListUsersQuery })
  @ApiItems(UserBody, 'A page of people.', 'with-total')
  @ApiErrors({ 400: 'a query parameter is not valid.' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { status, group, q, page = 1, pageSize = 50 } = validateInput(ListUsersQuery, query, 'query');
    const result = await this.users.list(principal.workspaceId, { status, group, q }, page, pageSize);
    return { items: result.items, page, pageSize, total: result.total };
  }

  /** By externalId, or by email. */
  @Get(':key')
  @ApiOperation({ summary: 'A person, by externalId or e-mail, with manager, direct reports and groups' })
  @ApiOkResponse({ type: UserDetailBody , description: 'The person.' })
  @ApiErrors({ 404: 'no person with this externalId or e-mail.' })
  async get(@CurrentPrincipal() principal: Principal, @Param('key') key: string): Promise<UserDetail> {
    const user = await this.users.find(principal.workspaceId, key);
    if (!user) throw new NotFoundError(`No person with externalId or email "${key}".`);
    return user;
  }

  /** The person accepted their invitation: no longer pending, so "pendingUsers" invitations skip them. */
  @Post(':key/activate')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a person as having accepted their invitation (no longer pending)' })
  @ApiOkResponse({ type: UserDetailBody , description: 'The person, no longer pending.' })
  @ApiErrors({ 404: 'no person with this externalId or e-mail.' })
  async activate(@CurrentPrincipal() principal: Principal, @Param('key') key: string): Promise<UserDetail> {
    if (!(await this.users.activate(principal.workspaceId, key))) throw new NotFoundError(`No person with externalId or email "${key}".`);
    return (await this.users.find(principal.workspaceId, key))!;
  }

  @Get(':key/history')
  @ApiOperation({ summary: 'What imports did to a person, newest first (a deleted person is found by their key)' })
  @ApiQuery({ type: PageQuery })
  @ApiItems(UserChangeBody, 'A page of changes.', 'without-total')
  @ApiErrors({ 400: 'a query parameter is not valid.', 404: 'no person with this key, now or in any import.' })
  async history(@CurrentPrincipal() principal: Principal, @Param('key') key: string, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { page = 1, pageSize = 50 } = validateInput(PageQuery, query, 'query');
    const items = await this.users.history(principal.workspaceId, key, page, pageSize);
    if (!items) throw new NotFoundError(`No person with externalId or email "${key}", now or in any import.`);
    return { items, page, pageSize };
  }
}
