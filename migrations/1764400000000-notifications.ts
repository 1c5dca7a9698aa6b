import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mail reports and invitations, and recovery codes: a person is pending until activated through
 * the API; invitations and codes are recorded so a resumed job never sends or makes one twice.
 */
export class Notifications1764400000000 implements MigrationInterface {
  name = 'Notifications1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN activated_at timestamptz, ADD COLUMN invited_at timestamptz, ADD COLUMN recovery_code_hash text`);
    // Reports already sent for an import, by event: a retried job does not send them again.
    await db.query(`ALTER TABLE imports ADD COLUMN notified jsonb NOT NULL DEFAULT '{}'`);
    // Codes waiting to be handed out, sealed; the one download deletes them.
    await db.query(`
      CREATE TABLE recovery_codes (
        workspace_id uuid NOT NULL,
        import_id uuid NOT NULL,
        user_id bigint NOT NULL,
        code text NOT NULL,
        PRIMARY KEY (workspace_id, import_id, user_id),
        FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
      )`);
    await db.query(`ALTER TABLE imports ADD COLUMN recovery_codes_taken_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports DROP COLUMN recovery_codes_taken_at, DROP COLUMN notified`);
    await db.query(`DROP TABLE recovery_codes`);
    await db.query(`ALTER TABLE users DROP COLUMN activated_at, DROP COLUMN invited_at, DROP COLUMN recovery_code_hash`);
  }
}
