import { Controller, Get, Header, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '../auth/principal.js';
import { DatabaseHealth } from './database.health.js';
import { JobQueueHealth } from './job-queue.health.js';

/** Terminus's answer: status, and each check's status (with a message when down). */
const HEALTH_BODY = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: { type: 'object' } },
    error: { type: 'object', additionalProperties: { type: 'object' } },
    details: { type: 'object', additionalProperties: { type: 'object' } },
  },
};

/** Probes for an orchestrator or a load balancer; no key needed. */
@Controller('health')
@PublicRoute()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealth,
    private readonly jobs: JobQueueHealth,
  ) {}

  /** 200 while the process serves HTTP: nothing outside it is checked (restarting it would not mend the database). */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP' })
  @ApiOkResponse({ schema: HEALTH_BODY, description: 'The process is up.' })
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 200 when the database answers and pg-boss runs (with its workers, in a worker); 503 otherwise,
   * and while shutting down. GET /health, older than this, is the same.
   */
  @Get(['ready', ''])
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers and pg-boss runs (with its workers, in a worker). GET /health is the same' })
  @ApiOkResponse({ schema: HEALTH_BODY, description: 'Ready: every check is up.' })
  @ApiServiceUnavailableResponse({ schema: HEALTH_BODY, description: 'Not ready: the checks that are down, and why (also while shutting down).' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check(), () => this.jobs.check()]);
    } catch (error) {
      // Terminus's answer (which check is down, and why) is the body, not the generic error shape.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
