import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved configs (profiles) that imports, sources and schedules reuse; imports remember theirs. */
export class Profiles1764000000000 implements MigrationInterface {
  name = 'Profiles1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE profiles (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        config jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX profiles_by_name ON profiles (workspace_id, lower(name))`);
    // The profile an import was made from (its config is copied: editing the profile later does
    // not change an import already made).
    await db.query(`ALTER TABLE imports ADD COLUMN profile_id uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE imports DROP COLUMN profile_id`);
    await db.query(`DROP TABLE profiles`);
  }
}
