import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { AlreadyExistsError, NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { ImportConfigDto, parseWorkspaceConfig } from '../imports/dto/import-config.dto.js';
import { ImportConfigBody } from '../imports/imports.schemas.js';
import { ProfilesRepository, type Profile } from './profiles.repository.js';

class ProfileDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Unique in the workspace, regardless of case.', example: 'Nightly HR' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** The import config: mapping, key, mode, missing, scope, createMissing, parsing. */
  @ApiProperty({ type: ImportConfigDto, description: 'The import config it saves (as an upload sends it).' })
  @IsDefined({ message: 'config is required: the import config this profile saves' })
  config!: unknown;
}

class ProfileBody implements Profile {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: ImportConfigBody, description: 'The config, every option filled in.' }) config!: Profile['config'];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

const NOT_FOUND = 'no such profile in this workspace.';
const INVALID = 'the name or the config is not valid (the config as an import checks it).';

const profileId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Profile not found.') });

/** Profiles: named, saved import configs; `POST /v1/imports` takes `profileId` instead of a config. */
@Controller('v1/profiles')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly customFields: CustomFieldsRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: "The workspace's profiles, by name" })
  @ApiItems(ProfileBody, 'The profiles.')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: Profile[] }> {
    return { items: await this.profiles.list(principal.workspaceId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A profile' })
  @ApiOkResponse({ type: ProfileBody , description: 'The profile.' })
  @ApiErrors({ 404: NOT_FOUND })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', profileId) id: string): Promise<Profile> {
    const profile = await this.profiles.find(principal.workspaceId, id);
    if (!profile) throw new NotFoundError('Profile not found.');
    return profile;
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Save a config as a profile' })
  @ApiBody({ type: ProfileDto })
  @ApiCreatedResponse({ type: ProfileBody , description: 'The profile, its config normalised.' })
  @ApiErrors({ 400: INVALID, 409: 'already_exists: a profile with this name exists.' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Profile> {
    const { name, config } = await this.read(principal, body);
    const profile = await this.profiles.create(principal.workspaceId, name, config);
    if (!profile) throw new AlreadyExistsError(`A profile named "${name}" exists already.`);
    return profile;
  }

  @Put(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace a profile (imports made from it keep their copy)' })
  @ApiBody({ type: ProfileDto })
  @ApiOkResponse({ type: ProfileBody , description: 'The profile, its config normalised.' })
  @ApiErrors({ 400: INVALID, 404: NOT_FOUND, 409: 'already_exists: another profile has this name.' })
  async replace(@CurrentPrincipal() principal: Principal, @Param('id', profileId) id: string, @Body() body: unknown): Promise<Profile> {
    const { name, config } = await this.read(principal, body);
    const result = await this.profiles.replace(principal.workspaceId, id, name, config);
    if (result === 'missing') throw new NotFoundError('Profile not found.');
    if (result === 'taken') throw new AlreadyExistsError(`Another profile is named "${name}".`);
    return result;
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a profile' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({ 404: NOT_FOUND, 409: 'in_use: a schedule uses it.' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', profileId) id: string): Promise<void> {
    if (!(await this.profiles.delete(principal.workspaceId, id))) throw new NotFoundError('Profile not found.');
  }

  private async read(principal: Principal, body: unknown): Promise<{ name: string; config: Profile['config'] }> {
    const dto = validateInput(ProfileDto, body, 'body');
    return { name: dto.name.trim(), config: parseWorkspaceConfig(dto.config, await this.customFields.list(principal.workspaceId)) };
  }
}
