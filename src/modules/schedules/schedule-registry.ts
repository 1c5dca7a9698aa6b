import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BossService } from '../../jobs/boss.service.js';
import { SCHEDULE_QUEUE, type ScheduleJobData } from '../../jobs/queues.js';
import { ValidationError } from '../http/domain-errors.js';
import { asSystem } from '../database/db-scope.js';
import type { Schedule } from './schedules.repository.js';
import { SchedulesRepository } from './schedules.repository.js';

/**
 * Keeps pg-boss's scheduler in step with the schedules table: one pg-boss schedule (keyed by the
 * schedule's id) per enabled schedule. Saved after each change, and reconciled at start-up, so a
 * process that died between the two writes leaves nothing out of step for long.
 */
@Injectable()
export class ScheduleRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger('schedules');

  constructor(
    private readonly boss: BossService,
    private readonly schedules: SchedulesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Every workspace's schedules: system work.
    const wanted = new Map((await asSystem(() => this.schedules.listEnabled())).map((schedule) => [schedule.id, schedule]));
    for (const registered of await this.boss.boss.getSchedules(SCHEDULE_QUEUE)) {
      if (registered.key && !wanted.has(registered.key)) await this.boss.boss.unschedule(SCHEDULE_QUEUE, registered.key);
    }
    for (const schedule of wanted.values()) await this.save(schedule.workspaceId, schedule);
    if (wanted.size) this.logger.log({ schedules: wanted.size }, 'schedules registered');
  }

  async save(workspaceId: string, schedule: Schedule): Promise<void> {
    if (!schedule.enabled) return this.remove(schedule.id);
    const data: ScheduleJobData = { workspaceId, scheduleId: schedule.id };
    await this.boss.boss.schedule(SCHEDULE_QUEUE, schedule.cron, data, { tz: schedule.timezone, key: schedule.id });
  }

  async remove(scheduleId: string): Promise<void> {
    await this.boss.boss.unschedule(SCHEDULE_QUEUE, scheduleId);
  }

  /** The next `count` times the expression fires in its timezone; a ValidationError when it cannot. */
  nextRuns(cron: string, timezone: string, count = 5): Date[] {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      throw new ValidationError(`body is invalid: timezone "${timezone}" is not an IANA time zone (like Europe/Berlin or UTC)`, [{ field: 'timezone', message: 'not a time zone' }]);
    }
    try {
      return this.boss.boss.previewSchedule(cron, { tz: timezone, count });
    } catch (error) {
      throw new ValidationError(`body is invalid: cron "${cron}" cannot be read (${(error as Error).message}); use five fields, like "0 2 * * *" for 02:00 every day`, [{ field: 'cron', message: 'not a cron expression' }]);
    }
  }
}
