import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources/sources.module.js';
import { ScheduleRegistry } from './schedule-registry.js';
import { ScheduleRunner } from './schedule-runner.js';
import { SchedulesController } from './schedules.controller.js';
import { SchedulesRepository } from './schedules.repository.js';

/** Schedules: their API, their registration with pg-boss's scheduler, and the runner workers use. */
@Module({
  imports: [SourcesModule],
  controllers: [SchedulesController],
  providers: [SchedulesRepository, ScheduleRegistry, ScheduleRunner],
  exports: [ScheduleRunner],
})
export class SchedulesModule {}
