import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { asSystem } from '../database/db-scope.js';

/** The SQL behind the metrics read from the database at scrape time. */
@Injectable()
export class MetricsRepository {
  constructor(private readonly db: Database) {}

  /** Imports per state, every workspace together. */
  async importsByState(): Promise<Map<string, number>> {
    const rows = await asSystem(() => this.db.query<{ state: string; imports: number }>('SELECT state, count(*)::int AS imports FROM imports GROUP BY state'));
    return new Map(rows.map((row) => [row.state, row.imports]));
  }
}
