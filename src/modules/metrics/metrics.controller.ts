import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiOkResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { PublicRoute } from '../auth/principal.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { ApiErrors } from '../http/api-docs.js';
import { UnauthenticatedError } from '../http/domain-errors.js';
import { Metrics } from './metrics.js';

/** GET /metrics in Prometheus's text format: no API key; with METRICS_TOKEN set, that token as a bearer. */
@Controller('metrics')
@PublicRoute()
export class MetricsController {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly metrics: Metrics,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format); with METRICS_TOKEN set, send it as a bearer token' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'Imports by state, rows staged and applied, phase durations, queue depth, failed jobs, delivery failures.' })
  @ApiErrors({ 401: 'METRICS_TOKEN is set and the request does not carry it.' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) response: Response): Promise<string> {
    if (this.env.metricsToken !== undefined && !bearerIs(authorization, this.env.metricsToken)) {
      throw new UnauthenticatedError('GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".');
    }
    response.setHeader('Content-Type', this.metrics.contentType);
    response.setHeader('Cache-Control', 'no-store');
    return this.metrics.exposition();
  }
}

/** Compared as digests, so neither the token's length nor its prefix leaks through timing. */
function bearerIs(authorization: string | undefined, token: string): boolean {
  const presented = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (presented === undefined) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}
