import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealth } from './database.health.js';
import { HealthController } from './health.controller.js';
import { JobQueueHealth } from './job-queue.health.js';

/** GET /health/live and /health/ready (terminus), in every process that serves HTTP. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [DatabaseHealth, JobQueueHealth],
})
export class HealthModule {}
