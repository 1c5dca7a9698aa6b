import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { PublicRoute } from '../auth/principal.js';
import { Database } from '../database/database.js';
import { ApiErrors } from './api-docs.js';

@Controller('health')
export class HealthController {
  constructor(private readonly db: Database) {}

  /** 200 when the database answers. */
  @Get()
  @PublicRoute()
  @ApiOperation({ summary: 'Whether the service and its database answer' })
  @ApiOkResponse({ schema: { type: 'object', required: ['status', 'database'], properties: { status: { type: 'string', enum: ['ok'] }, database: { type: 'string', enum: ['up'] } } } , description: 'The service and its database answer.' })
  @ApiErrors({ 503: 'http_503: the database does not answer.' })
  async health(): Promise<{ status: string; database: string }> {
    try {
      await this.db.query('SELECT 1');
      return { status: 'ok', database: 'up' };
    } catch {
      throw new HttpException({ status: 'unavailable', database: 'down', message: 'the database does not answer' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
