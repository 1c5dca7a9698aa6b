import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workspaces, API keys, stored files, imports with their staged rows and errors, and the
 * directory. Every workspace table leads its keys and indexes with workspace_id.
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        -- bumped when an import starts applying; a plan made at another version is stale
        directory_version bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE api_keys (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'viewer')),
        key_hash bytea NOT NULL,
        key_prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        PRIMARY KEY (workspace_id, id)
      )`);
    // Authentication looks a key up before its workspace is known: the one global index.
    await db.query(`CREATE UNIQUE INDEX api_keys_by_hash ON api_keys (key_hash)`);

    await db.query(`
      CREATE TABLE files (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        chunk_size integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await db.query(`
      CREATE TABLE file_chunks (
        workspace_id uuid NOT NULL,
        file_id uuid NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (workspace_id, file_id, seq),
        FOREIGN KEY (workspace_id, file_id) REFERENCES files (workspace_id, id) ON DELETE CASCADE
      )`);

    await db.query(`
      CREATE TABLE imports (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        state text NOT NULL,
        snapshot jsonb NOT NULL,
        machine_version integer NOT NULL,
        file_id uuid NOT NULL,
        config jsonb NOT NULL,
        requested_by text NOT NULL,
        requested_by_key uuid,
        idempotency_key text,
        state_times jsonb NOT NULL DEFAULT '{}',
        failure_reason text,
        phase text NOT NULL DEFAULT 'waiting',
        -- the job attempt that owns the import: every batch of another attempt is refused
        attempt text,
        headers jsonb,
        delimiter text,
        resolved_mapping jsonb,
        staged_bytes bigint NOT NULL DEFAULT 0,
        staged_lines integer NOT NULL DEFAULT 0,
        staged_count integer NOT NULL DEFAULT 0,
        staged_at timestamptz,
        planned_at timestamptz,
        planned_version bigint,
        apply_started_at timestamptz,
        applied_line integer NOT NULL DEFAULT 0,
        applied_bytes bigint NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{}',
        applied jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, file_id) REFERENCES files (workspace_id, id)
      )`);
    await db.query(`CREATE INDEX imports_newest ON imports (workspace_id, seq DESC)`);
    await db.query(`CREATE INDEX imports_by_state ON imports (workspace_id, state, seq DESC)`);
    await db.query(`
      CREATE UNIQUE INDEX imports_by_idempotency_key ON imports (workspace_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL`);

    await db.query(`
      CREATE TABLE staged_rows (
        workspace_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line integer NOT NULL,
        start_byte bigint NOT NULL,
        end_byte bigint NOT NULL,
        key text NOT NULL,
        external_id text,
        email text,
        first_name text,
        last_name text,
        display_name text,
        title text,
        department text,
        location text,
        phone text,
        status text,
        custom jsonb,
        PRIMARY KEY (workspace_id, import_id, line)
      )`);

    // The plan: only the lines that change the directory. Staged lines with neither a change nor
    // an error are unchanged.
    await db.query(`
      CREATE TABLE import_changes (
        workspace_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line integer NOT NULL,
        op text NOT NULL CHECK (op IN ('create', 'update')),
        user_id bigint,
        changes jsonb,
        PRIMARY KEY (workspace_id, import_id, line)
      )`);

    await db.query(`
      CREATE TABLE import_errors (
        workspace_id uuid NOT NULL,
        import_id uuid NOT NULL,
        id bigserial NOT NULL,
        line integer NOT NULL,
        column_name text,
        code text NOT NULL,
        message text NOT NULL,
        -- the original line; when null it is read back from the file between these offsets
        raw text,
        start_byte bigint,
        end_byte bigint,
        -- 'stage' errors come from reading a line; 'plan' errors from comparing lines
        source text NOT NULL CHECK (source IN ('stage', 'plan')),
        PRIMARY KEY (workspace_id, import_id, id)
      )`);
    await db.query(`CREATE INDEX import_errors_by_line ON import_errors (workspace_id, import_id, line)`);

    await db.query(`
      CREATE TABLE users (
        -- no foreign key: a per-row check would slow bulk writes, and rows only come from imports
        workspace_id uuid NOT NULL,
        -- sequential, so bulk inserts append to the primary key instead of splitting random pages
        id bigint GENERATED ALWAYS AS IDENTITY,
        external_id text,
        email text,
        first_name text,
        last_name text,
        display_name text,
        title text,
        department text,
        location text,
        phone text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
        custom jsonb NOT NULL DEFAULT '{}',
        created_by_import uuid,
        updated_by_import uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX users_by_external_id ON users (workspace_id, external_id)`);
    await db.query(`CREATE UNIQUE INDEX users_by_email ON users (workspace_id, lower(email))`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['users', 'import_errors', 'import_changes', 'staged_rows', 'imports', 'file_chunks', 'files', 'api_keys', 'workspaces']) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
