import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recovery codes are handed out only once all are made; config edits are attributed (four eyes
 * counts the editors too); people who existed before invitations are not pending.
 */
export class RecoveryCodesReady1764500000000 implements MigrationInterface {
  name = 'RecoveryCodesReady1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports ADD COLUMN recovery_codes_ready_at timestamptz, ADD COLUMN config_editors uuid[] NOT NULL DEFAULT '{}'`);
    // Everyone already in a directory counts as activated: only people created from now on are pending.
    await db.query(`UPDATE users SET activated_at = created_at WHERE activated_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports DROP COLUMN recovery_codes_ready_at, DROP COLUMN config_editors`);
  }
}
