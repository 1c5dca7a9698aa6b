import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of a finished import's bulk working data (ROSTERSYNC_RETENTION_DAYS): when its stored
 * file's bytes and staged lines were removed. What the import did stays (counts, events, line
 * errors with their original lines, planned changes, group changes, the file's name, size and
 * sha256).
 */
export class Retention1765100000000 implements MigrationInterface {
  name = 'Retention1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports ADD COLUMN purged_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports DROP COLUMN purged_at`);
  }
}
