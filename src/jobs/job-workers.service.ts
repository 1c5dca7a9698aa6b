import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { ENV } from '../modules/config/config.module.js';
import type { Env } from '../modules/config/env.js';
import { inWorkspace } from '../modules/database/db-scope.js';
import { BossService } from './boss.service.js';
import { ImportJobHandler } from './import-job.handler.js';
import { ScheduleRunner } from '../modules/schedules/schedule-runner.js';
import { ImportFollowup } from '../modules/notifications/import-followup.js';
import { ImportRetention } from '../modules/retention/import-retention.js';
import { WebhookSender } from '../modules/webhooks/webhook-sender.js';
import { APPLY_QUEUE, DEAD_QUEUE, PREVIEW_QUEUE, NOTIFY_QUEUE, RETENTION_CRON, RETENTION_QUEUE, SCHEDULE_QUEUE, WEBHOOK_QUEUE, type ImportJobData, type NotifyJobData, type ScheduleJobData, type WebhookJobData } from './queues.js';

/** Subscribes this process to the import queues when it runs as a worker (ROLE=worker or all). */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap {
  private readonly logger = new Logger('jobs');

  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly boss: BossService,
    private readonly handler: ImportJobHandler,
    private readonly schedules: ScheduleRunner,
    private readonly webhooks: WebhookSender,
    private readonly followup: ImportFollowup,
    private readonly retention: ImportRetention,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.env.role === 'api') return;
    // NOTIFY only fires when a job is created, not when a key_strict_fifo key unblocks: keep polling brisk.
    const polling = { pollingIntervalSeconds: this.env.jobPollingSeconds, notifyPollingIntervalSeconds: this.env.jobPollingSeconds, batchSize: 1 };
    // Every job works in its workspace's database scope (one job at a time per handler call).
    const one = <T extends { workspaceId: string }>(handle: (job: Job<T>) => Promise<void>) => async ([job]: Job<T>[]) => inWorkspace(job.data.workspaceId, () => handle(job));
    await this.boss.boss.work<ImportJobData>(PREVIEW_QUEUE, { ...polling, localConcurrency: this.env.previewConcurrency }, one((job) => this.handler.preview(job)));
    await this.boss.boss.work<ImportJobData>(APPLY_QUEUE, { ...polling, localConcurrency: this.env.applyConcurrency }, one((job) => this.handler.apply(job)));
    await this.boss.boss.work<ImportJobData>(DEAD_QUEUE, { ...polling, localConcurrency: 1 }, one((job) => this.handler.dead(job)));
    await this.boss.boss.work<ScheduleJobData>(SCHEDULE_QUEUE, { ...polling, localConcurrency: 4 }, one((job) => this.schedules.run(job)));
    await this.boss.boss.work<WebhookJobData>(WEBHOOK_QUEUE, { ...polling, localConcurrency: 4 }, one((job) => this.webhooks.deliver(job)));
    await this.boss.boss.work<NotifyJobData>(NOTIFY_QUEUE, { ...polling, localConcurrency: 2 }, one((job) => this.followup.run(job)));
    // The purge scans every workspace and scopes each import itself.
    await this.boss.boss.work(RETENTION_QUEUE, { ...polling, localConcurrency: 1 }, async () => {
      await this.retention.purgeDue();
    });
    if (this.env.retentionDays > 0) await this.boss.boss.schedule(RETENTION_QUEUE, RETENTION_CRON, {}, { key: 'retention' });
    else await this.boss.boss.unschedule(RETENTION_QUEUE, 'retention');
    this.logger.log({ preview: this.env.previewConcurrency, apply: this.env.applyConcurrency }, 'worker is taking import jobs');
  }
}
