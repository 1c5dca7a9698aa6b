import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { AlreadyExistsError, NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { ScheduleRegistry } from './schedule-registry.js';
import { RUN_OUTCOMES, SchedulesRepository, type RunOutcome, type Schedule, type ScheduleInput, type ScheduleRun } from './schedules.repository.js';

class ScheduleDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Unique in the workspace.', example: 'Nightly HR sync' })
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The source each run pulls from.' })
  @IsUUID('all', { message: 'sourceId must be the id of a source' })
  sourceId!: string;

  @ApiProperty({ format: 'uuid', description: 'The profile whose config each import gets.' })
  @IsUUID('all', { message: 'profileId must be the id of a profile' })
  profileId!: string;

  /** Five fields (minute hour day month weekday), e.g. "0 2 * * *". */
  @ApiProperty({ maxLength: 200, description: 'Five fields: minute hour day month weekday.', example: '0 2 * * *' })
  @IsString() @MinLength(1) @MaxLength(200)
  cron!: string;

  @ApiPropertyOptional({ default: 'UTC', description: 'An IANA time zone.', example: 'Europe/Berlin' })
  @IsOptional() @IsString()
  timezone?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional() @IsBoolean()
  enabled?: boolean;
}

type ScheduleView = Schedule & { nextRuns: string[]; lastRun: ScheduleRun | null };

class ScheduleRunBody implements ScheduleRun {
  @ApiProperty() jobId!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ enum: RUN_OUTCOMES, description: 'unchanged: the file equals the last one imported; refused: too soon; skipped: disabled.' })
  outcome!: RunOutcome;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) importId!: string | null;
  @ApiProperty({ type: String, nullable: true }) fileName!: string | null;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
}

class ScheduleBody implements ScheduleView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uuid' }) sourceId!: string;
  @ApiProperty({ format: 'uuid' }) profileId!: string;
  @ApiProperty({ example: '0 2 * * *' }) cron!: string;
  @ApiProperty({ example: 'Europe/Berlin' }) timezone!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'date-time' }, description: 'The next five runs (none when disabled).' }) nextRuns!: string[];
  @ApiProperty({ type: ScheduleRunBody, nullable: true }) lastRun!: ScheduleRun | null;
}

const NOT_FOUND = 'no such schedule in this workspace.';
const INVALID = 'the name, cron expression or time zone is not valid, or sourceId or profileId names nothing of this workspace.';

const scheduleId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Schedule not found.') });

/** Schedules: a source, a profile and a cron expression in a timezone; each run pulls and imports. */
@Controller('v1/schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly registry: ScheduleRegistry,
  ) {}

  @Get()
  @ApiOperation({ summary: "The workspace's schedules, with their next runs and last run" })
  @ApiItems(ScheduleBody, 'The schedules.')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: ScheduleView[] }> {
    const schedules = await this.schedules.list(principal.workspaceId);
    return { items: await Promise.all(schedules.map((schedule) => this.view(principal.workspaceId, schedule))) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A schedule' })
  @ApiOkResponse({ type: ScheduleBody , description: 'The schedule.' })
  @ApiErrors({ 404: NOT_FOUND })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', scheduleId) id: string): Promise<ScheduleView> {
    return this.view(principal.workspaceId, await this.find(principal, id));
  }

  /** The latest runs, newest first: imported, unchanged (skipped), refused (too soon), failed, skipped (disabled). */
  @Get(':id/runs')
  @ApiOperation({ summary: "A schedule's latest 100 runs, newest first" })
  @ApiItems(ScheduleRunBody, 'The runs.')
  @ApiErrors({ 404: NOT_FOUND })
  async runs(@CurrentPrincipal() principal: Principal, @Param('id', scheduleId) id: string): Promise<{ items: ScheduleRun[] }> {
    await this.find(principal, id);
    return { items: await this.schedules.runs(principal.workspaceId, id, 100) };
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Schedule pulls and imports of a source with a profile' })
  @ApiBody({ type: ScheduleDto })
  @ApiCreatedResponse({ type: ScheduleBody , description: 'The schedule, with its next runs.' })
  @ApiErrors({ 400: INVALID, 409: 'already_exists: a schedule with this name exists.' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ScheduleView> {
    const input = this.read(body);
    const schedule = await this.schedules.create(principal.workspaceId, input);
    if (!schedule) throw new AlreadyExistsError(`A schedule named "${input.name}" exists already.`);
    await this.registry.save(principal.workspaceId, schedule);
    return this.view(principal.workspaceId, schedule);
  }

  @Put(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace a schedule' })
  @ApiBody({ type: ScheduleDto })
  @ApiOkResponse({ type: ScheduleBody , description: 'The schedule, with its next runs.' })
  @ApiErrors({ 400: INVALID, 404: NOT_FOUND, 409: 'already_exists: another schedule has this name.' })
  async replace(@CurrentPrincipal() principal: Principal, @Param('id', scheduleId) id: string, @Body() body: unknown): Promise<ScheduleView> {
    const input = this.read(body);
    const result = await this.schedules.replace(principal.workspaceId, id, input);
    if (result === 'missing') throw new NotFoundError('Schedule not found.');
    if (result === 'taken') throw new AlreadyExistsError(`Another schedule is named "${input.name}".`);
    await this.registry.save(principal.workspaceId, result);
    return this.view(principal.workspaceId, result);
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({ 404: NOT_FOUND })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', scheduleId) id: string): Promise<void> {
    if (!(await this.schedules.delete(principal.workspaceId, id))) throw new NotFoundError('Schedule not found.');
    await this.registry.remove(id);
  }

  private read(body: unknown): ScheduleInput {
    const dto = validateInput(ScheduleDto, body, 'body');
    const input = { name: dto.name.trim(), sourceId: dto.sourceId, profileId: dto.profileId, cron: dto.cron.trim(), timezone: dto.timezone?.trim() || 'UTC', enabled: dto.enabled ?? true };
    this.registry.nextRuns(input.cron, input.timezone, 1);
    return input;
  }

  private async find(principal: Principal, id: string): Promise<Schedule> {
    const schedule = await this.schedules.find(principal.workspaceId, id);
    if (!schedule) throw new NotFoundError('Schedule not found.');
    return schedule;
  }

  private async view(workspaceId: string, schedule: Schedule): Promise<ScheduleView> {
    const [lastRun] = await this.schedules.runs(workspaceId, schedule.id, 1);
    const nextRuns = schedule.enabled ? this.registry.nextRuns(schedule.cron, schedule.timezone, 5).map((at) => at.toISOString()) : [];
    return { ...schedule, nextRuns, lastRun: lastRun ?? null };
  }
}
