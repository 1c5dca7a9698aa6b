import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request rates per API key, shared by every API process: one row a key holding the time its
 * allowance is used up to (GCRA's "theoretical arrival time"). Unlogged: a request writes no WAL,
 * and a database crash only gives every key its full allowance again.
 */
export class ApiKeyRates1764700000000 implements MigrationInterface {
  name = 'ApiKeyRates1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE UNLOGGED TABLE api_key_rates (
        workspace_id uuid NOT NULL,
        key_id uuid NOT NULL,
        used_until timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, key_id),
        FOREIGN KEY (workspace_id, key_id) REFERENCES api_keys (workspace_id, id) ON DELETE CASCADE
      )`);
    // A workspace table like every other: row-level security (migrations/1764600000000-audit-and-isolation.ts).
    await db.query(`SELECT rostersync_isolate('api_key_rates')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE api_key_rates`);
  }
}
