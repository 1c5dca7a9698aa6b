import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Database } from '../database/database.js';
import { asSystem } from '../database/db-scope.js';

/** A database that takes longer than this to answer `SELECT 1` counts as down. */
const TIMEOUT_MS = 2000;

/** Up when PostgreSQL answers through the same pool every repository uses. */
@Injectable()
export class DatabaseHealth {
  private readonly logger = new Logger('health');

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: Database,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'database'>> {
    return this.health
      .check('database')
      .attempt(async () => {
        try {
          await asSystem(() => this.db.query('SELECT 1'));
        } catch (error) {
          // The cause (a host, a database name) goes to the log, not to whoever asks.
          this.logger.warn({ err: error }, 'the database does not answer');
          throw new Error('the database does not answer');
        }
      })
      .withTimeout(TIMEOUT_MS);
  }
}
