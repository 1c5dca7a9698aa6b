import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { AlreadyExistsError, NotFoundError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { ScheduleRegistry } from './schedule-registry.js';
import { SchedulesRepository, type Schedule, type ScheduleInput, type ScheduleRun } from './schedules.repository.js';

class ScheduleDto {
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @IsUUID('all', { message: 'sourceId must be the id of a source' })
  sourceId!: string;

  @IsUUID('all', { message: 'profileId must be the id of a profile' })
  profileId!: string;

  /** Five fields (minute hour day month weekday), e.g. "0 2 * * *". */
  @IsString() @MinLength(1) @MaxLength(200)
  cron!: string;

  @IsOptional() @IsString()
  timezone?: string;

  @IsOptional() @IsBoolean()
  enabled?: boolean;
}

type ScheduleView = Schedule & { nextRuns: string[]; lastRun: ScheduleRun | null };

const scheduleId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Schedule not found.') });

/** Schedules: a source, a profile and a cron expression in a timezone; each run pulls and imports. */
@Controller('v1/schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly registry: ScheduleRegistry,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: ScheduleView[] }> {
    const schedules = await this.schedules.list(principal.workspaceId);
    return { items: await Promise.all(schedules.map((schedule) => this.view(principal.workspaceId, schedule))) };
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', scheduleId) id: string): Promise<ScheduleView> {
    return this.view(principal.workspaceId, await this.find(principal, id));
  }

  /** The latest runs, newest first: imported, unchanged (skipped), refused (too soon), failed, skipped (disabled). */
  @Get(':id/runs')
  async runs(@CurrentPrincipal() principal: Principal, @Param('id', scheduleId) id: string): Promise<{ items: ScheduleRun[] }> {
    await this.find(principal, id);
    return { items: await this.schedules.runs(principal.workspaceId, id, 100) };
  }

  @Post()
  @AdminOnly()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ScheduleView> {
    const input = this.read(body);
    const schedule = await this.schedules.create(principal.workspaceId, input);
    if (!schedule) throw new AlreadyExistsError(`A schedule named "${input.name}" exists already.`);
    await this.registry.save(principal.workspaceId, schedule);
    return this.view(principal.workspaceId, schedule);
  }

  @Put(':id')
  @AdminOnly()
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
