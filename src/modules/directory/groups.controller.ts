import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { PageQuery } from '../imports/dto/import-requests.dto.js';
import { GroupBody, UserBody } from './directory.schemas.js';
import { UsersRepository } from './users.repository.js';

/** Groups, as the last import with a group column left them. */
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly users: UsersRepository) {}

  @Get()
  @ApiOperation({ summary: 'Groups, by name' })
  @ApiQuery({ type: PageQuery })
  @ApiItems(GroupBody, 'A page of groups.', 'with-total')
  @ApiErrors({ 400: 'a query parameter is not valid.' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { page = 1, pageSize = 50 } = validateInput(PageQuery, query, 'query');
    return { ...(await this.users.groups(principal.workspaceId, page, pageSize)), page, pageSize };
  }

  @Get(':name/members')
  @ApiOperation({ summary: "A group's members" })
  @ApiQuery({ type: PageQuery })
  @ApiItems(UserBody, 'A page of members.', 'with-total')
  @ApiErrors({ 400: 'a query parameter is not valid.', 404: 'no group with this name.' })
  async members(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { page = 1, pageSize = 50 } = validateInput(PageQuery, query, 'query');
    const found = await this.users.members(principal.workspaceId, name, page, pageSize);
    if (!found) throw new NotFoundError(`No group "${name}".`);
    return { ...found, page, pageSize };
  }
}
