import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { BossService } from '../../jobs/boss.service.js';
import { QUEUES } from '../../jobs/queues.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';

/**
 * pg-boss "running", by role: every process needs its pg-boss started (queues made, not stopping)
 * to send jobs; a process that works jobs (ROLE=worker or all) also needs a live worker on every
 * queue. ROLE=api takes no jobs, so it is ready without workers.
 */
@Injectable()
export class JobQueueHealth {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly health: HealthIndicatorService,
    private readonly boss: BossService,
  ) {}

  check(): HealthIndicatorResult<'jobs'> {
    const indicator = this.health.check('jobs');
    if (!this.boss.running) return indicator.down({ message: 'pg-boss is not running' });
    if (this.env.role === 'api') return indicator.up({ worker: false });
    const worked = this.boss.workedQueues();
    const idle = QUEUES.filter((queue) => !worked.has(queue));
    if (idle.length) return indicator.down({ message: 'this worker does not take jobs from every queue', idle });
    return indicator.up({ worker: true });
  }
}
