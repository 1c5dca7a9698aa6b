import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an HR file means for the directory: offboarding (deactivate, delete, track), managers,
 * groups with memberships, typed custom fields, and the plan of every kind of change, which stays
 * as each person's history once applied.
 */
export class DirectorySemantics1763900000000 implements MigrationInterface {
  name = 'DirectorySemantics1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE users
        ADD COLUMN user_name text,
        ADD COLUMN language text,
        ADD COLUMN tracked boolean NOT NULL DEFAULT true,
        ADD COLUMN manager_id bigint`);
    // ON DELETE SET NULL (manager_id): deleting a manager unlinks their reports, the workspace stays.
    await db.query(`
      ALTER TABLE users ADD CONSTRAINT users_manager FOREIGN KEY (workspace_id, manager_id)
        REFERENCES users (workspace_id, id) ON DELETE SET NULL (manager_id)`);
    await db.query(`CREATE INDEX users_by_manager ON users (workspace_id, manager_id) WHERE manager_id IS NOT NULL`);
    await db.query(`CREATE INDEX users_by_display_name ON users (workspace_id, lower(display_name))`);

    await db.query(`
      CREATE TABLE groups (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id bigint GENERATED ALWAYS AS IDENTITY,
        name text NOT NULL,
        created_by_import uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX groups_by_name ON groups (workspace_id, name)`);
    await db.query(`
      CREATE TABLE group_members (
        workspace_id uuid NOT NULL,
        group_id bigint NOT NULL,
        user_id bigint NOT NULL,
        added_by_import uuid,
        PRIMARY KEY (workspace_id, group_id, user_id),
        FOREIGN KEY (workspace_id, group_id) REFERENCES groups (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX group_members_by_user ON group_members (workspace_id, user_id)`);

    await db.query(`
      CREATE TABLE custom_fields (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        key text NOT NULL,
        label text NOT NULL,
        type text NOT NULL CHECK (type IN ('string', 'number', 'boolean', 'date', 'enum')),
        enum_values jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, key)
      )`);

    await db.query(`
      ALTER TABLE staged_rows
        ADD COLUMN user_name text,
        ADD COLUMN language text,
        ADD COLUMN tracked boolean,
        ADD COLUMN remove boolean,
        ADD COLUMN manager_key text,
        ADD COLUMN group_name text,
        -- a line that only adds a group to the person of an earlier line (set by the plan)
        ADD COLUMN repeat_of integer`);

    // The plan, in apply order: `seq` is the line for a line of the file, and counts on past the
    // last line for people absent from a full snapshot. Applied rows stay as people's history.
    // Plans made before this change are made again.
    await db.query(`TRUNCATE import_changes`);
    await db.query(`UPDATE imports SET planned_at = NULL WHERE state NOT IN ('COMPLETED', 'CANCELLED', 'FAILED')`);
    await db.query(`ALTER TABLE import_changes DROP CONSTRAINT import_changes_pkey`);
    await db.query(`ALTER TABLE import_changes DROP CONSTRAINT import_changes_op_check`);
    await db.query(`
      ALTER TABLE import_changes
        ADD COLUMN seq integer NOT NULL,
        ADD COLUMN key text NOT NULL,
        ALTER COLUMN line DROP NOT NULL,
        ALTER COLUMN user_id SET NOT NULL,
        ADD CONSTRAINT import_changes_op_check CHECK (op IN ('create', 'update', 'deactivate', 'delete')),
        ADD PRIMARY KEY (workspace_id, import_id, seq)`);
    await db.query(`CREATE INDEX import_changes_by_user ON import_changes (workspace_id, user_id)`);

    await db.query(`
      CREATE TABLE import_group_changes (
        workspace_id uuid NOT NULL,
        import_id uuid NOT NULL,
        seq integer NOT NULL,
        op text NOT NULL CHECK (op IN ('group_create', 'member_remove', 'member_add', 'group_remove')),
        group_name text NOT NULL,
        user_id bigint,
        key text,
        line integer,
        PRIMARY KEY (workspace_id, import_id, seq)
      )`);

    // A line error that leaves the rest of the line to apply (a display name in use, a manager
    // that cannot be linked) does not block the line.
    await db.query(`ALTER TABLE import_errors ADD COLUMN blocking boolean NOT NULL DEFAULT true`);
    // The key of a line that could not be staged: a full snapshot must not treat that person as absent.
    await db.query(`ALTER TABLE import_errors ADD COLUMN key text`);

    // Apply runs in three passes, each with its checkpoint: people, manager links, groups.
    await db.query(`
      ALTER TABLE imports
        ADD COLUMN linked_seq integer NOT NULL DEFAULT 0,
        ADD COLUMN grouped_seq integer NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports DROP COLUMN linked_seq, DROP COLUMN grouped_seq`);
    await db.query(`ALTER TABLE import_errors DROP COLUMN blocking, DROP COLUMN key`);
    await db.query(`DROP TABLE import_group_changes`);
    await db.query(`DROP INDEX import_changes_by_user`);
    // Plans made before this change are made again.
    await db.query(`TRUNCATE import_changes`);
    await db.query(`UPDATE imports SET planned_at = NULL WHERE state NOT IN ('COMPLETED', 'CANCELLED', 'FAILED')`);
    await db.query(`ALTER TABLE import_changes DROP CONSTRAINT import_changes_pkey, DROP CONSTRAINT import_changes_op_check`);
    await db.query(`
      ALTER TABLE import_changes DROP COLUMN seq, DROP COLUMN key, ALTER COLUMN line SET NOT NULL, ALTER COLUMN user_id DROP NOT NULL,
        ADD CONSTRAINT import_changes_op_check CHECK (op IN ('create', 'update')), ADD PRIMARY KEY (workspace_id, import_id, line)`);
    await db.query(`ALTER TABLE staged_rows DROP COLUMN user_name, DROP COLUMN language, DROP COLUMN tracked, DROP COLUMN remove, DROP COLUMN manager_key, DROP COLUMN group_name, DROP COLUMN repeat_of`);
    await db.query(`DROP TABLE custom_fields`);
    await db.query(`DROP TABLE group_members`);
    await db.query(`DROP TABLE groups`);
    await db.query(`ALTER TABLE users DROP CONSTRAINT users_manager`);
    await db.query(`DROP INDEX users_by_display_name`);
    await db.query(`ALTER TABLE users DROP COLUMN user_name, DROP COLUMN language, DROP COLUMN tracked, DROP COLUMN manager_id`);
  }
}
