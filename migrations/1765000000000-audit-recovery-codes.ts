import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log records who downloaded an import's recovery codes (they are handed out once, and
 * whoever holds them can sign in as those people), with how many — never a code. The download
 * marks the import before it deletes the codes, so the trigger can count them: those whose person
 * still exists, the ones the download hands out (a later import may have deleted someone).
 */
export class AuditRecoveryCodes1765000000000 implements MigrationInterface {
  name = 'AuditRecoveryCodes1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION audit_recovery_codes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO audit_log (workspace_id, actor_key_id, actor, action, target_type, target_id, details)
        VALUES (NEW.workspace_id, nullif(current_setting('rostersync.actor_key', true), '')::uuid,
                coalesce(nullif(current_setting('rostersync.actor', true), ''), 'rostersync'),
                'import.recovery-codes-downloaded', 'import', NEW.id::text,
                jsonb_build_object('codes', (SELECT count(*) FROM recovery_codes r JOIN users u ON u.workspace_id = r.workspace_id AND u.id = r.user_id
                                               WHERE r.workspace_id = NEW.workspace_id AND r.import_id = NEW.id)));
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_recovery_codes AFTER UPDATE OF recovery_codes_taken_at ON imports
        FOR EACH ROW WHEN (OLD.recovery_codes_taken_at IS NULL AND NEW.recovery_codes_taken_at IS NOT NULL)
        EXECUTE FUNCTION audit_recovery_codes()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER audit_recovery_codes ON imports`);
    await db.query(`DROP FUNCTION audit_recovery_codes()`);
  }
}
