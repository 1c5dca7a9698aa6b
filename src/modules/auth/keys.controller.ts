import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { KEY_ROLES, type KeyRole } from './api-key.js';
import { ApiKeysRepository, type KeyView } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { CreatedKeyBody, KeyBody } from './keys.schemas.js';
import { AdminOnly, CurrentPrincipal, type Principal } from './principal.js';

class CreateKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'hr-middleware' })
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: KEY_ROLES, description: 'viewer: read only; admin: everything.' })
  @IsIn([...KEY_ROLES], { message: 'role must be "admin" or "viewer"' })
  role!: KeyRole;
}

const keyId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Key not found.') });

/** API keys of the workspace, for admins: create (the secret is shown once), list, revoke. */
@Controller('v1/keys')
export class KeysController {
  constructor(
    private readonly service: ApiKeysService,
    private readonly keys: ApiKeysRepository,
  ) {}

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Create a key of this workspace (the secret is shown once)' })
  @ApiBody({ type: CreateKeyDto })
  @ApiCreatedResponse({ type: CreatedKeyBody, description: 'The key, with its secret.' })
  @ApiErrors({ 400: 'the name or role is missing or wrong.' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Record<string, unknown>> {
    const { name, role } = validateInput(CreateKeyDto, body, 'body');
    const created = await this.service.add(principal.workspaceId, name.trim(), role);
    return { id: created.id, name: created.name, role: created.role, key: created.key };
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: "List the workspace's keys (never their secrets)" })
  @ApiItems(KeyBody, 'The keys, revoked ones too.')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: KeyView[] }> {
    return { items: await this.keys.list(principal.workspaceId) };
  }

  /** Revoked at once: the key's next request gets the same 401 as an unknown key. */
  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors({ 404: 'no such key in this workspace, or it is revoked already.' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', keyId) id: string): Promise<void> {
    if (!(await this.keys.revoke(principal.workspaceId, id))) throw new NotFoundError('Key not found (or revoked already).');
  }
}
