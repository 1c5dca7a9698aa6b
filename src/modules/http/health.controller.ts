import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { PublicRoute } from '../auth/principal.js';
import { Database } from '../database/database.js';

@Controller('health')
export class HealthController {
  constructor(private readonly db: Database) {}

  /** 200 when the database answers. */
  @Get()
  @PublicRoute()
  async health(): Promise<{ status: string; database: string }> {
    try {
      await this.db.query('SELECT 1');
      return { status: 'ok', database: 'up' };
    } catch {
      throw new HttpException({ status: 'unavailable', database: 'down', message: 'the database does not answer' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
