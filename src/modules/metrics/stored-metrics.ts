import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { BossService } from '../../jobs/boss.service.js';
import { IMPORT_STATES } from '../../state/import.machine.js';
import { Metrics } from './metrics.js';
import { MetricsRepository } from './metrics.repository.js';

/**
 * Gauges of what the database holds, the same whichever process reads them: imports by state, and
 * pg-boss's job counts per queue (kept by its monitor, so as old as ROSTERSYNC_JOB_MONITOR_SECONDS
 * at most). Read at every scrape by processes that serve the API; workers leave them out, so they
 * are not exposed once per process. When the database does not answer they are left out too.
 */
@Injectable()
export class StoredMetrics {
  private readonly logger = new Logger('metrics');

  constructor(metrics: Metrics, repository: MetricsRepository, boss: BossService) {
    const registers = [metrics.registry];
    const imports = new Gauge({ name: 'rostersync_imports', help: 'Imports in each state, all workspaces together.', labelNames: ['state'], registers });
    const depth = new Gauge({ name: 'rostersync_queue_depth', help: 'Jobs waiting in a pg-boss queue: created, or failed and waiting for their next retry.', labelNames: ['queue'], registers });
    const active = new Gauge({ name: 'rostersync_queue_active_jobs', help: 'Jobs a worker is running, per pg-boss queue.', labelNames: ['queue'], registers });
    const failed = new Gauge({ name: 'rostersync_queue_failed_jobs', help: 'Jobs that failed for good (retries used up) and that pg-boss still keeps, per queue.', labelNames: ['queue'], registers });

    metrics.readBeforeScrape(() =>
      this.read([imports], async () => {
        const counts = await repository.importsByState();
        for (const state of IMPORT_STATES) imports.set({ state }, counts.get(state) ?? 0);
      }),
    );
    metrics.readBeforeScrape(() =>
      this.read([depth, active, failed], async () => {
        for (const queue of await boss.queueCounts()) {
          depth.set({ queue: queue.name }, queue.queuedCount);
          active.set({ queue: queue.name }, queue.activeCount);
          failed.set({ queue: queue.name }, queue.failedCount);
        }
      }),
    );
  }

  /** A reading that fails empties its gauges: no series is better than a stale one. */
  private async read(gauges: Gauge[], work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      for (const gauge of gauges) gauge.reset();
      this.logger.warn({ err: error }, 'metrics kept in the database could not be read');
    }
  }
}
