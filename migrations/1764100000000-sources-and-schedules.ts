import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sources (where files are pulled from, with their credentials encrypted), schedules (a source, a
 * profile and a cron expression) and the record of each scheduled run; imports remember the source
 * and the fetched file's hash, and a workspace may set a minimum interval between imports.
 */
export class SourcesAndSchedules1764100000000 implements MigrationInterface {
  name = 'SourcesAndSchedules1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sources (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        -- sftp://host:port/path or https://host/path, never with credentials in it
        uri text NOT NULL,
        -- SFTP: a glob; the newest matching file in the uri's folder is taken
        pattern text,
        auth text NOT NULL,
        username text,
        -- AES-256-GCM of the secrets (password, key, passphrase, token), bound to this row
        secret text,
        host_key_fingerprint text,
        ca_certificate text,
        after_import text NOT NULL DEFAULT 'keep',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX sources_by_name ON sources (workspace_id, lower(name))`);

    await db.query(`
      CREATE TABLE schedules (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        source_id uuid NOT NULL,
        profile_id uuid NOT NULL,
        cron text NOT NULL,
        timezone text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, source_id) REFERENCES sources (workspace_id, id),
        FOREIGN KEY (workspace_id, profile_id) REFERENCES profiles (workspace_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX schedules_by_name ON schedules (workspace_id, lower(name))`);
    await db.query(`CREATE INDEX schedules_by_source ON schedules (workspace_id, source_id)`);
    await db.query(`CREATE INDEX schedules_by_profile ON schedules (workspace_id, profile_id)`);

    // One row per job the scheduler sent: a retried job finds its row and does not run twice.
    await db.query(`
      CREATE TABLE schedule_runs (
        workspace_id uuid NOT NULL,
        schedule_id uuid NOT NULL,
        job_id uuid NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        -- running, imported, unchanged, refused, failed
        outcome text NOT NULL,
        import_id uuid,
        file_name text,
        message text,
        PRIMARY KEY (workspace_id, schedule_id, job_id),
        FOREIGN KEY (workspace_id, schedule_id) REFERENCES schedules (workspace_id, id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX schedule_runs_by_time ON schedule_runs (workspace_id, schedule_id, started_at DESC)`);

    await db.query(`ALTER TABLE imports ADD COLUMN source_id uuid, ADD COLUMN schedule_id uuid, ADD COLUMN fetched_sha256 text`);
    await db.query(`CREATE INDEX imports_by_source ON imports (workspace_id, source_id, created_at DESC) WHERE source_id IS NOT NULL`);
    await db.query(`CREATE INDEX imports_completed ON imports (workspace_id, created_at DESC) WHERE state = 'COMPLETED'`);
    await db.query(`ALTER TABLE workspaces ADD COLUMN min_interval_minutes integer`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE workspaces DROP COLUMN min_interval_minutes`);
    await db.query(`DROP INDEX imports_completed`);
    await db.query(`ALTER TABLE imports DROP COLUMN source_id, DROP COLUMN schedule_id, DROP COLUMN fetched_sha256`);
    await db.query(`DROP TABLE schedule_runs`);
    await db.query(`DROP TABLE schedules`);
    await db.query(`DROP TABLE sources`);
  }
}
