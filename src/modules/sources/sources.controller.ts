import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { AlreadyExistsError, NotFoundError, ValidationError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { importView } from '../imports/import-view.js';
import { ImportsRepository } from '../imports/imports.repository.js';
import { ApiCreatesImport } from '../imports/imports.schemas.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { parseSource, SourceDto, type Source } from './source-spec.js';
import { SourceImports } from './source-imports.service.js';
import { SourcePulls } from './source-pulls.service.js';
import { SourcesRepository } from './sources.repository.js';
import { SourceBody, SourceTestBody } from './sources.schemas.js';

class TestDto {
  /** Read the sample with this profile's parsing options (and show its mapping); else detect everything. */
  @ApiPropertyOptional({ format: 'uuid', description: "Read the file with this profile's parsing options, and show its mapping." })
  @IsOptional() @IsUUID('all', { message: 'profileId must be a profile id' })
  profileId?: string;
}

class SyncDto {
  @ApiProperty({ format: 'uuid', description: 'The profile whose config the import gets.' })
  @IsUUID('all', { message: 'profileId is required: the profile whose config the import uses' })
  profileId!: string;
}

const NOT_FOUND = 'no such source in this workspace.';
const INVALID = 'the source is not valid: the uri, credentials that do not fit its scheme, a private key that does not open, a certificate that does not parse, a move folder outside the folder.';
const UNREADABLE = 'the source could not be read; the code says why (host_not_found, host_unreachable, auth_failed, host_key_mismatch, host_key_not_pinned, tls_error, file_not_found, no_matching_file, too_large, timeout, http_error, …).';
const UNDECRYPTABLE = "not_configured: the credentials cannot be decrypted (ROSTERSYNC_SECRET_KEY missing or not the one they were saved with).";
const UNSEALABLE = 'not_configured: credentials need ROSTERSYNC_SECRET_KEY.';

const sourceId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Source not found.') });

/** Sources: SFTP folders and HTTPS exports that files are pulled from; credentials never come back. */
@Controller('v1/sources')
export class SourcesController {
  constructor(
    private readonly sources: SourcesRepository,
    private readonly pulls: SourcePulls,
    private readonly sourceImports: SourceImports,
    private readonly profiles: ProfilesRepository,
    private readonly customFields: CustomFieldsRepository,
    private readonly imports: ImportsRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: "The workspace's sources (never their credentials)" })
  @ApiItems(SourceBody, 'The sources.')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: Source[] }> {
    return { items: await this.sources.list(principal.workspaceId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A source' })
  @ApiOkResponse({ type: SourceBody , description: 'The source.' })
  @ApiErrors({ 404: NOT_FOUND })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', sourceId) id: string): Promise<Source> {
    const source = await this.sources.find(principal.workspaceId, id);
    if (!source) throw new NotFoundError('Source not found.');
    return source;
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Add an SFTP or HTTPS source' })
  @ApiBody({ type: SourceDto })
  @ApiCreatedResponse({ type: SourceBody , description: 'The source (its credentials are not returned).' })
  @ApiErrors({ 400: INVALID, 409: 'already_exists: a source with this name exists.', 503: UNSEALABLE })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Source> {
    const input = parseSource(body);
    if (!input.secrets && input.auth !== 'none') throw new ValidationError('body is invalid: credentials are required', [{ field: 'credentials', message: 'required' }]);
    const source = await this.sources.create(principal.workspaceId, input);
    if (!source) throw new AlreadyExistsError(`A source named "${input.name}" exists already.`);
    return source;
  }

  /** Replaces the source; without `credentials` the stored ones are kept. */
  @Put(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace a source; without credentials the stored ones stay' })
  @ApiBody({ type: SourceDto })
  @ApiOkResponse({ type: SourceBody , description: 'The source.' })
  @ApiErrors({ 400: INVALID, 404: NOT_FOUND, 409: 'already_exists: another source has this name.', 503: UNSEALABLE })
  async replace(@CurrentPrincipal() principal: Principal, @Param('id', sourceId) id: string, @Body() body: unknown): Promise<Source> {
    const existing = await this.get(principal, id);
    const input = parseSource(body, existing);
    const result = await this.sources.replace(principal.workspaceId, id, input);
    if (result === 'missing') throw new NotFoundError('Source not found.');
    if (result === 'taken') throw new AlreadyExistsError(`Another source is named "${input.name}".`);
    return result;
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a source' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({ 404: NOT_FOUND, 409: 'in_use: a schedule uses it.' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', sourceId) id: string): Promise<void> {
    if (!(await this.sources.delete(principal.workspaceId, id))) throw new NotFoundError('Source not found.');
  }

  /** Connects, names the file it would take, and shows its dialect and first rows. */
  @Post(':id/test')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Connect, name the file the source would give, and show its dialect and first rows' })
  @ApiBody({ type: TestDto, required: false })
  @ApiOkResponse({ type: SourceTestBody , description: 'The connection worked: the file and how it reads.' })
  @ApiErrors({ 400: 'profileId is not valid, or names no profile of this workspace.', 404: NOT_FOUND, 502: UNREADABLE, 503: UNDECRYPTABLE })
  async test(@CurrentPrincipal() principal: Principal, @Param('id', sourceId) id: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    const { profileId } = validateInput(TestDto, body ?? {}, 'body');
    const ws = principal.workspaceId;
    const source = await this.sources.findWithSecrets(ws, id);
    if (!source) throw new NotFoundError('Source not found.');
    const profile = profileId ? await this.profiles.find(ws, profileId) : undefined;
    if (profileId && !profile) throw new ValidationError(`No profile ${profileId} in this workspace.`, [{ field: 'profileId', message: 'not found' }]);
    const { file, sample } = await this.pulls.test(source, profile?.config, await this.customFields.list(ws));
    const { encoding, delimiter, header, ...rest } = sample;
    return { ok: true, file, dialect: { encoding, delimiter, header }, ...rest };
  }

  /** Pulls the file now and creates an import of it (in DRAFT, as an upload) with the profile's config. */
  @Post(':id/sync')
  @AdminOnly()
  @ApiOperation({ summary: "Pull the file now and create an import of it in DRAFT, with the profile's config" })
  @ApiBody({ type: SyncDto })
  @ApiCreatesImport('The import, and the file pulled.', 'The import an earlier request with this Idempotency-Key made (pulled: null).')
  @ApiErrors({
    400: 'profileId is missing, not valid, or names no profile of this workspace.',
    404: NOT_FOUND,
    429: "the workspace's minIntervalMinutes since the last successful import has not passed.",
    502: UNREADABLE,
    503: UNDECRYPTABLE,
  })
  async sync(
    @CurrentPrincipal() principal: Principal,
    @Param('id', sourceId) id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<Record<string, unknown>> {
    const { profileId } = validateInput(SyncDto, body ?? {}, 'body');
    const result = await this.sourceImports.pullNow(principal, id, profileId, idempotencyKey?.trim() || undefined);
    const record = await this.imports.find({ workspaceId: principal.workspaceId, importId: result.importId });
    response.status(result.created ? 201 : 200).location(`/v1/imports/${result.importId}`);
    return { ...importView(record!), pulled: result.pulled };
  }
}
