import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the application's queries run as (SET LOCAL ROLE per transaction): not the tables' owner. */
export const APP_ROLE = 'rostersync_app';

/**
 * Operations and security:
 * - the audit log, append-only: written by triggers in the transaction of the change (so no change
 *   goes unrecorded), readable and insertable by the application's role, never updatable or
 *   deletable by it; secrets appear only as "changed";
 * - the isolation backstop: row-level security on every table with a workspace_id (and on
 *   workspaces), admitting the rows of the transaction's workspace (rostersync.workspace), or every
 *   row in a transaction the application marks as system work (rostersync.system = on).
 */
export class AuditAndIsolation1764600000000 implements MigrationInterface {
  name = 'AuditAndIsolation1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT now(),
        -- the API key that made the change (null: rostersync itself, the keys CLI, a schedule)
        actor_key_id uuid,
        actor text NOT NULL,
        -- <target>.<created|updated|deleted|revoked|approved|rejected|cancelled|config-changed>
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        details jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (workspace_id, id)
      )`);

    // One trigger function for every audited table. Arguments: the target's name, the columns
    // shown (with from/to on an update), the columns that are secrets (only "changed" is shown).
    await db.query(`
      CREATE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target text := TG_ARGV[0];
        shown text[] := string_to_array(TG_ARGV[1], ',');
        secret text[] := string_to_array(coalesce(TG_ARGV[2], ''), ',');
        before jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
        after jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
        item jsonb := coalesce(after, before);
        details jsonb := '{}';
        action text := CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END;
        col text;
      BEGIN
        FOREACH col IN ARRAY shown LOOP
          IF TG_OP = 'UPDATE' THEN
            IF before->col IS DISTINCT FROM after->col THEN
              details := details || jsonb_build_object(col, jsonb_build_object('from', before->col, 'to', after->col));
            END IF;
          ELSIF item->col IS NOT NULL AND item->col <> 'null'::jsonb THEN
            details := details || jsonb_build_object(col, item->col);
          END IF;
        END LOOP;
        FOREACH col IN ARRAY secret LOOP
          IF (TG_OP = 'UPDATE' AND before->col IS DISTINCT FROM after->col) OR (TG_OP = 'INSERT' AND after->col IS NOT NULL AND after->col <> 'null'::jsonb) THEN
            details := details || jsonb_build_object(col || '_changed', true);
          END IF;
        END LOOP;
        IF TG_OP = 'UPDATE' THEN
          IF details = '{}' THEN RETURN NULL; END IF;
          IF details ? 'revoked_at' AND before->'revoked_at' = 'null'::jsonb THEN action := 'revoked'; END IF;
        END IF;
        INSERT INTO audit_log (workspace_id, actor_key_id, actor, action, target_type, target_id, details)
        VALUES ((CASE TG_TABLE_NAME WHEN 'workspaces' THEN item->>'id' ELSE item->>'workspace_id' END)::uuid, nullif(current_setting('rostersync.actor_key', true), '')::uuid,
                coalesce(nullif(current_setting('rostersync.actor', true), ''), 'rostersync'),
                target || '.' || action, target, coalesce(item->>'id', item->>'key'), details);
        RETURN NULL;
      END $$`);
    // (api_keys: only what an admin changes, not the last-used time every request writes.)
    const audited: [table: string, target: string, shown: string, secret?: string][] = [
      ['api_keys', 'key', 'name,role,key_prefix,revoked_at'],
      ['profiles', 'profile', 'name,config'],
      ['sources', 'source', 'name,uri,pattern,auth,username,host_key_fingerprint,ca_certificate,after_import', 'secret'],
      ['schedules', 'schedule', 'name,source_id,profile_id,cron,timezone,enabled'],
      ['webhooks', 'webhook', 'url,events', 'secret'],
      ['custom_fields', 'custom_field', 'key,label,type,enum_values'],
    ];
    for (const [table, target, shown, secret] of audited) {
      const updates = table === 'api_keys' ? `UPDATE OF name, role, revoked_at` : 'UPDATE';
      await db.query(`CREATE TRIGGER audit AFTER INSERT OR ${updates} OR DELETE ON ${table}
                        FOR EACH ROW EXECUTE FUNCTION audit_change('${target}', '${shown}', '${secret ?? ''}')`);
    }
    // Workspace settings live on the workspace row.
    await db.query(`CREATE TRIGGER audit AFTER UPDATE OF min_interval_minutes ON workspaces
                      FOR EACH ROW EXECUTE FUNCTION audit_change('settings', 'min_interval_minutes', '')`);
    // An import's config, and the decisions in its history (approved, rejected, cancelled), with their actor.
    await db.query(`
      CREATE FUNCTION audit_import() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'imports' THEN
          INSERT INTO audit_log (workspace_id, actor_key_id, actor, action, target_type, target_id, details)
          VALUES (NEW.workspace_id, nullif(current_setting('rostersync.actor_key', true), '')::uuid,
                  coalesce(nullif(current_setting('rostersync.actor', true), ''), 'rostersync'),
                  'import.config-changed', 'import', NEW.id::text, jsonb_build_object('config', jsonb_build_object('from', OLD.config, 'to', NEW.config)));
        -- A rejection cancels the import in the same transaction: one entry, the rejection.
        ELSIF NEW.type IN ('approved', 'rejected') OR (NEW.to_state = 'CANCELLED' AND NOT EXISTS (
                SELECT 1 FROM import_events e WHERE e.workspace_id = NEW.workspace_id AND e.import_id = NEW.import_id
                                               AND e.type = 'rejected' AND e.at = NEW.at)) THEN
          INSERT INTO audit_log (workspace_id, actor_key_id, actor, action, target_type, target_id, details)
          VALUES (NEW.workspace_id, nullif(current_setting('rostersync.actor_key', true), '')::uuid, NEW.actor,
                  'import.' || CASE WHEN NEW.to_state = 'CANCELLED' THEN 'cancelled' ELSE NEW.type END, 'import', NEW.import_id::text,
                  jsonb_strip_nulls(jsonb_build_object('comment', NEW.comment, 'from_state', NEW.from_state)));
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER audit AFTER UPDATE OF config ON imports FOR EACH ROW WHEN (OLD.config IS DISTINCT FROM NEW.config) EXECUTE FUNCTION audit_import()`);
    await db.query(`CREATE TRIGGER audit AFTER INSERT ON import_events FOR EACH ROW EXECUTE FUNCTION audit_import()`);

    // The application's role: every table's rows, but the audit log only read and appended.
    await db.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN; END IF;
      END $$`);
    // The role is the server's (roles are not per database): another rostersync database may have made it.
    await db.query(`DO $$ BEGIN
        IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN GRANT ${APP_ROLE} TO CURRENT_USER; END IF;
      END $$`);
    await db.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await db.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${APP_ROLE}`);
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${APP_ROLE}`);
    await db.query(`REVOKE ALL ON schema_migrations FROM ${APP_ROLE}`);

    // Row-level security on every workspace table; later migrations call rostersync_isolate() on theirs.
    await db.query(`
      CREATE FUNCTION rostersync_isolate(target regclass, workspace_column text DEFAULT 'workspace_id') RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        -- Sub-selects: each setting is read once per statement, not once per row.
        scope text := format($f$(%I = (SELECT nullif(current_setting('rostersync.workspace', true), '')::uuid) OR (SELECT current_setting('rostersync.system', true) = 'on'))$f$, workspace_column);
      BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
        EXECUTE format('CREATE POLICY workspace_scope ON %s TO ${APP_ROLE} USING %s WITH CHECK %s', target, scope, scope);
      END $$`);
    const tables = await db.query(`
      SELECT c.table_name AS name FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
       WHERE c.table_schema = current_schema() AND c.column_name = 'workspace_id'`) as { name: string }[];
    for (const { name } of tables) await db.query(`SELECT rostersync_isolate($1)`, [name]);
    await db.query(`SELECT rostersync_isolate('workspaces', 'id')`);
  }

  async down(db: QueryRunner): Promise<void> {
    const tables = await db.query(`SELECT tablename AS name FROM pg_policies WHERE policyname = 'workspace_scope' AND schemaname = current_schema()`) as { name: string }[];
    for (const { name } of tables) {
      await db.query(`DROP POLICY workspace_scope ON ${name}`);
      await db.query(`ALTER TABLE ${name} DISABLE ROW LEVEL SECURITY`);
    }
    for (const table of ['api_keys', 'profiles', 'sources', 'schedules', 'webhooks', 'custom_fields', 'workspaces', 'imports', 'import_events']) {
      await db.query(`DROP TRIGGER IF EXISTS audit ON ${table}`);
    }
    await db.query(`DROP FUNCTION audit_change(), audit_import(), rostersync_isolate(regclass, text)`);
    await db.query(`DROP TABLE audit_log`);
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await db.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await db.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
  }
}
