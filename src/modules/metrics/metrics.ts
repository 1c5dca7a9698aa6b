import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** From a small preview (tens of milliseconds) to millions of rows (most of an hour). */
const PHASE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const APPLY_OPS = ['create', 'update', 'deactivate', 'delete'];

/**
 * The registry GET /metrics exposes, and what this process counts as it works: rows staged and
 * applied, phase durations, failed deliveries. Each process counts its own work, so in a
 * deployment with worker processes these come from the workers (METRICS_PORT). Values kept in the
 * database are read at scrape time (StoredMetrics, in processes that serve the API).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly readers: (() => Promise<void>)[] = [];
  private readonly staged = new Counter({
    name: 'rostersync_rows_staged_total',
    help: 'Rows of import files this process staged (read, mapped, checked and stored), counted as each batch commits.',
    registers: [this.registry],
  });
  private readonly applied = new Counter({
    name: 'rostersync_rows_applied_total',
    help: 'People this process created, updated, deactivated or deleted in the directory while applying imports, by op, counted as each batch commits.',
    labelNames: ['op'],
    registers: [this.registry],
  });
  private readonly phases = new Histogram({
    name: 'rostersync_import_phase_seconds',
    help: 'How long a job spent in an import phase (staged, settled, planned, plan bound, applied), once per job that finished the phase.',
    labelNames: ['phase'],
    buckets: PHASE_BUCKETS,
    registers: [this.registry],
  });
  private readonly webhookFailures = new Counter({
    name: 'rostersync_webhook_delivery_failures_total',
    help: 'Webhook delivery attempts that got no 2xx answer; final="true" when it was the last attempt and the delivery failed for good.',
    labelNames: ['final'],
    registers: [this.registry],
  });
  private readonly emailFailures = new Counter({
    name: 'rostersync_email_delivery_failures_total',
    help: 'E-mails (reports, invitations) that could not be handed to the SMTP server (refused, or no answer); the job sending them is retried.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const op of APPLY_OPS) this.applied.inc({ op }, 0);
    for (const final of ['false', 'true']) this.webhookFailures.inc({ final }, 0);
  }

  rowsStaged(rows: number): void {
    this.staged.inc(rows);
  }

  /** One committed batch of the people pass: how many rows of each op it wrote. */
  rowsApplied(done: Record<string, number>): void {
    for (const [op, rows] of Object.entries(done)) this.applied.inc({ op }, rows);
  }

  phaseTook(phase: string, seconds: number): void {
    this.phases.observe({ phase }, seconds);
  }

  webhookFailed(final: boolean): void {
    this.webhookFailures.inc({ final: String(final) });
  }

  emailFailed(): void {
    this.emailFailures.inc();
  }

  /** Adds a reading made before every scrape, for values kept in the database rather than counted here. */
  readBeforeScrape(read: () => Promise<void>): void {
    this.readers.push(read);
  }

  /** The Prometheus text exposition, with the database readings refreshed. */
  async exposition(): Promise<string> {
    await Promise.all(this.readers.map((read) => read()));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
