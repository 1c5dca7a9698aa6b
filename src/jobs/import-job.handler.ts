import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { ImportPipeline, type Attempt } from '../modules/pipeline/import-pipeline.service.js';
import { WorkerStopping } from '../modules/staging/pipeline-errors.js';
import { BossService } from './boss.service.js';
import { APPLY_QUEUE, RETRY_LIMIT, type ImportJobData } from './queues.js';
import { ShutdownSignal } from './shutdown-signal.js';

/**
 * The preview and apply jobs: thin, idempotent, re-reading the import each time. A transient
 * error is thrown so pg-boss retries; on the last attempt it fails the import instead.
 */
@Injectable()
export class ImportJobHandler {
  private readonly logger = new Logger('jobs');

  constructor(
    private readonly pipeline: ImportPipeline,
    private readonly shutdown: ShutdownSignal,
    private readonly boss: BossService,
  ) {}

  async preview(job: Job<ImportJobData>): Promise<void> {
    await this.run(job, () => this.pipeline.preview(job.data, this.attempt(job)));
  }

  async apply(job: Job<ImportJobData>): Promise<void> {
    await this.run(job, () => this.pipeline.apply(job.data, this.attempt(job)));
  }

  private async run(job: Job<ImportJobData>, work: () => Promise<void>): Promise<void> {
    const { workspaceId, importId } = job.data;
    try {
      await work();
    } catch (error) {
      if (error instanceof WorkerStopping || job.retryCount < RETRY_LIMIT) {
        this.logger.warn({ workspaceId, importId, attempt: job.retryCount + 1, err: error }, 'job attempt failed; it will be retried');
        throw error;
      }
      const reason = `Processing failed ${job.retryCount + 1} times; the last error was: ${(error as Error).message}`;
      this.logger.error({ workspaceId, importId, err: error }, 'job gave up');
      await this.pipeline.fail(job.data, reason);
    }
  }

  private attempt(job: Job<ImportJobData>): Attempt {
    return { id: `${job.id}/${job.retryCount}`, stopping: () => this.shutdown.requested || job.signal.aborted };
  }

  /** A job whose worker died on its last attempt: fail the import, unblock the workspace's queue. */
  async dead(job: Job<ImportJobData>): Promise<void> {
    const { data } = job;
    await this.pipeline.fail(data, 'The worker processing this import stopped responding too many times. Retry with PATCH state=IMPORT_PENDING; it resumes from the last checkpoint.');
    if (data.queue === APPLY_QUEUE) await this.boss.removeFailed(APPLY_QUEUE, data.importId);
  }
}
