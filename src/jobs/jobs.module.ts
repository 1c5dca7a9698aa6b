import { Global, Module } from '@nestjs/common';
import { PipelineModule } from '../modules/pipeline/pipeline.module.js';
import { SchedulesModule } from '../modules/schedules/schedules.module.js';
import { NotificationsModule } from '../modules/notifications/notifications.module.js';
import { RetentionModule } from '../modules/retention/retention.module.js';
import { WebhooksModule } from '../modules/webhooks/webhooks.module.js';
import { BossService } from './boss.service.js';
import { ImportJobHandler } from './import-job.handler.js';
import { JobWorkers } from './job-workers.service.js';
import { ShutdownSignal } from './shutdown-signal.js';

@Global()
@Module({
  providers: [BossService, ShutdownSignal],
  exports: [BossService, ShutdownSignal],
})
export class QueueModule {}

/** The workers: only in processes that take jobs. */
@Module({
  imports: [PipelineModule, SchedulesModule, WebhooksModule, NotificationsModule, RetentionModule],
  providers: [ImportJobHandler, JobWorkers],
})
export class WorkersModule {}
