import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { AlreadyExistsError, NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { parseWorkspaceConfig } from '../imports/dto/import-config.dto.js';
import { ProfilesRepository, type Profile } from './profiles.repository.js';

class ProfileDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** The import config: mapping, key, mode, missing, scope, createMissing, parsing. */
  @IsDefined({ message: 'config is required: the import config this profile saves' })
  config!: unknown;
}

const profileId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Profile not found.') });

/** Profiles: named, saved import configs; `POST /v1/imports` takes `profileId` instead of a config. */
@Controller('v1/profiles')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly customFields: CustomFieldsRepository,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: Profile[] }> {
    return { items: await this.profiles.list(principal.workspaceId) };
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', profileId) id: string): Promise<Profile> {
    const profile = await this.profiles.find(principal.workspaceId, id);
    if (!profile) throw new NotFoundError('Profile not found.');
    return profile;
  }

  @Post()
  @AdminOnly()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Profile> {
    const { name, config } = await this.read(principal, body);
    const profile = await this.profiles.create(principal.workspaceId, name, config);
    if (!profile) throw new AlreadyExistsError(`A profile named "${name}" exists already.`);
    return profile;
  }

  @Put(':id')
  @AdminOnly()
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
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', profileId) id: string): Promise<void> {
    if (!(await this.profiles.delete(principal.workspaceId, id))) throw new NotFoundError('Profile not found.');
  }

  private async read(principal: Principal, body: unknown): Promise<{ name: string; config: Profile['config'] }> {
    const dto = validateInput(ProfileDto, body, 'body');
    return { name: dto.name.trim(), config: parseWorkspaceConfig(dto.config, await this.customFields.list(principal.workspaceId)) };
  }
}
