import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PgBoss, type Db, type Queue, type QueueResult } from 'pg-boss';
import { ENV } from '../modules/config/config.module.js';
import type { Env } from '../modules/config/env.js';
import { DATABASE_URL } from '../modules/database/database.module.js';
import { APP_ROLE } from '../../migrations/1764600000000-audit-and-isolation.js';
import {
  DEAD_QUEUE,
  APPLY_QUEUE,
  EXPIRE_SECONDS,
  PREVIEW_QUEUE,
  RETRY_DELAY_SECONDS,
  RETRY_LIMIT,
  SCHEDULE_QUEUE,
  SCHEDULE_RETRY_LIMIT,
  NOTIFY_QUEUE,
  QUEUES,
  RETENTION_QUEUE,
  WEBHOOK_QUEUE,
  WEBHOOK_RETRY_LIMIT,
  type NotifyJobData,
  type WebhookJobData,
  type ImportJobData,
} from './queues.js';

/** Any constant: the lock under which a starting process grants the application's role pg-boss's tables. */
const GRANT_LOCK = 7_134_201_913;

/** Owns the pg-boss instance: its start, its queues and its stop. */
@Injectable()
export class BossService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('jobs');
  readonly boss: PgBoss;
  private started = false;

  constructor(@Inject(ENV) private readonly env: Env, @Inject(DATABASE_URL) url: string) {
    this.boss = new PgBoss({
      connectionString: url,
      application_name: 'rostersync-jobs',
      max: 6,
      useListenNotify: true,
      superviseIntervalSeconds: env.jobMonitorSeconds,
      monitorIntervalSeconds: env.jobMonitorSeconds,
      cronMonitorIntervalSeconds: env.cronIntervalSeconds,
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'pg-boss error'));
    this.boss.on('stopped', () => (this.started = false));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    const common: Omit<Queue, 'name'> = {
      heartbeatSeconds: this.env.jobHeartbeatSeconds,
      expireInSeconds: EXPIRE_SECONDS,
      retryLimit: RETRY_LIMIT,
      retryDelay: RETRY_DELAY_SECONDS,
      notify: true,
    };
    await this.ensureQueue(DEAD_QUEUE, { policy: 'standard', retryLimit: 10, retryDelay: 5, notify: true });
    await this.ensureQueue(PREVIEW_QUEUE, { ...common, policy: 'standard', deadLetter: DEAD_QUEUE });
    await this.ensureQueue(APPLY_QUEUE, { ...common, policy: 'key_strict_fifo', deadLetter: DEAD_QUEUE });
    // A run that failed for a reason of its own is recorded as failed, not thrown: retries are for a
    // worker or the database going away.
    await this.ensureQueue(SCHEDULE_QUEUE, {
      policy: 'standard',
      heartbeatSeconds: this.env.jobHeartbeatSeconds,
      expireInSeconds: EXPIRE_SECONDS,
      retryLimit: SCHEDULE_RETRY_LIMIT,
      retryDelay: 30,
      notify: true,
    });
    await this.ensureQueue(NOTIFY_QUEUE, { policy: 'standard', heartbeatSeconds: this.env.jobHeartbeatSeconds, expireInSeconds: EXPIRE_SECONDS, retryLimit: 10, retryDelay: 30, retryBackoff: true, notify: true });
    // 8 attempts, 5 s doubling (pg-boss backoff, jittered): about 20 minutes before a delivery fails.
    await this.ensureQueue(WEBHOOK_QUEUE, { policy: 'standard', retryLimit: WEBHOOK_RETRY_LIMIT, retryDelay: this.env.webhookRetrySeconds, retryBackoff: true, expireInSeconds: 120, notify: true });
    // One run at a time across workers (singleton); a purge cut short is taken up by the next run.
    await this.ensureQueue(RETENTION_QUEUE, { policy: 'singleton', heartbeatSeconds: this.env.jobHeartbeatSeconds, expireInSeconds: EXPIRE_SECONDS, retryLimit: 3, retryDelay: 60 });
    // Jobs are enqueued in the application's transactions, which run as its role. One process at a
    // time (concurrent GRANTs on one object can collide).
    // Only when missing (a first start, a new queue): a GRANT waits for transactions on the tables.
    await this.boss.getDb().executeSql(`DO $$ BEGIN
      IF has_schema_privilege('${APP_ROLE}', 'pgboss', 'USAGE') AND NOT EXISTS (
           SELECT 1 FROM pg_class c WHERE c.relnamespace = 'pgboss'::regnamespace AND c.relkind IN ('r', 'p') AND NOT has_table_privilege('${APP_ROLE}', c.oid, 'INSERT')) THEN
        RETURN;
      END IF;
      PERFORM pg_advisory_xact_lock(${GRANT_LOCK});
      GRANT USAGE ON SCHEMA pgboss TO ${APP_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${APP_ROLE};
      GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA pgboss TO ${APP_ROLE};
      GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO ${APP_ROLE};
    END $$`);
    this.started = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: 8000 });
  }

  /** Started, its queues made, and not stopping: jobs can be sent (and, in a worker, taken). */
  get running(): boolean {
    return this.started;
  }

  /** The queues this process has a live pg-boss worker on (none with ROLE=api). */
  workedQueues(): Set<string> {
    return new Set(this.boss.getWipData().filter((worker) => worker.state === 'active').map((worker) => worker.name));
  }

  /** Each queue's jobs by state, as pg-boss's monitor last counted them (one cheap query, no job-table scan). */
  async queueCounts(): Promise<QueueResult[]> {
    return this.boss.getQueues([...QUEUES]);
  }

  /** Enqueues inside the caller's transaction: the job exists only if the transaction commits. */
  async enqueuePreview(db: Db, ref: { workspaceId: string; importId: string }): Promise<void> {
    const data: ImportJobData = { ...ref, queue: PREVIEW_QUEUE };
    await this.boss.send(PREVIEW_QUEUE, data, { db });
  }

  async enqueueApply(db: Db, ref: { workspaceId: string; importId: string }): Promise<void> {
    const data: ImportJobData = { ...ref, queue: APPLY_QUEUE };
    await this.boss.send(APPLY_QUEUE, data, { db, singletonKey: ref.workspaceId });
  }

  async enqueueNotify(db: Db, data: NotifyJobData): Promise<void> {
    await this.boss.send(NOTIFY_QUEUE, data, { db });
  }

  async enqueueWebhook(db: Db, data: WebhookJobData): Promise<void> {
    await this.boss.send(WEBHOOK_QUEUE, data, { db });
  }

  /** Removes a job that failed for good, so a key_strict_fifo queue lets its key's next job run. */
  async removeFailed(queue: string, importId: string): Promise<void> {
    const jobs = await this.boss.findJobs<ImportJobData>(queue, { data: { importId } });
    const failed = jobs.filter((job) => job.state === 'failed').map((job) => job.id);
    if (failed.length) await this.boss.deleteJob(queue, failed);
  }

  private async ensureQueue(name: string, options: Omit<Queue, 'name'>): Promise<void> {
    const existing = await this.boss.getQueue(name).catch(() => null);
    if (!existing) await this.boss.createQueue(name, options);
  }
}
