/** pg-boss queue names and their payloads: the only place either is spelled out. */
export const PREVIEW_QUEUE = 'import-preview';
/** Applies run one at a time per workspace, in the order requested (key_strict_fifo by workspace). */
export const APPLY_QUEUE = 'import-apply';
/** Where a job lands when its retries are used up: the import fails and its workspace's queue moves on. */
export const DEAD_QUEUE = 'import-dead';

/** A schedule's run: pg-boss's scheduler sends one job per cron slot, whatever the number of processes. */
export const SCHEDULE_QUEUE = 'schedule-run';

/** Attempts of a schedule's run after an unexpected failure (a worker or the database gone). */
export const SCHEDULE_RETRY_LIMIT = 10;

export interface ScheduleJobData {
  workspaceId: string;
  scheduleId: string;
}

/** A webhook delivery: retried with backoff, each attempt recorded on the delivery. */
export const WEBHOOK_QUEUE = 'webhook-delivery';
export const WEBHOOK_RETRY_LIMIT = 8;

export interface WebhookJobData {
  workspaceId: string;
  deliveryId: string;
}

/** After an import completes, fails or waits for approval: its report, invitations and recovery codes. */
export const NOTIFY_QUEUE = 'import-notify';

export interface NotifyJobData {
  workspaceId: string;
  importId: string;
  event: 'import.completed' | 'import.failed' | 'import.waiting_for_approval';
}

export interface ImportJobData {
  workspaceId: string;
  importId: string;
  /** The queue the job was sent to, for the dead-letter handler. */
  queue: typeof PREVIEW_QUEUE | typeof APPLY_QUEUE;
}

/** Attempts before a job is given up: worker deaths count too, so there is room for several. */
export const RETRY_LIMIT = 60;
/** 60 attempts 5 s apart: a database outage of about five minutes is ridden out. */
export const RETRY_DELAY_SECONDS = 5;
/** One attempt may run this long; a dead worker is noticed sooner through missed heartbeats. */
export const EXPIRE_SECONDS = 6 * 60 * 60;

/** Removes finished imports' files and staged lines after ROSTERSYNC_RETENTION_DAYS: one run an hour, by pg-boss's scheduler. */
export const RETENTION_QUEUE = 'retention';
export const RETENTION_CRON = '17 * * * *';

/** Every queue: each process that works jobs (ROLE=worker or all) works all of them. */
export const QUEUES: readonly string[] = [PREVIEW_QUEUE, APPLY_QUEUE, DEAD_QUEUE, SCHEDULE_QUEUE, WEBHOOK_QUEUE, NOTIFY_QUEUE, RETENTION_QUEUE];
