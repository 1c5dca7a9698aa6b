import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../config/env.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';
import { MetricsRepository } from './metrics.repository.js';
import { StoredMetrics } from './stored-metrics.js';

/** GET /metrics, and the Metrics seam the code that does the work counts through. */
@Global()
@Module({})
export class MetricsModule {
  static forRole(role: Role): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      // The database's gauges once, from the API, not again from every worker.
      providers: [Metrics, ...(role === 'worker' ? [] : [MetricsRepository, StoredMetrics])],
      exports: [Metrics],
    };
  }
}
