import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approval gates and decisions on imports, and the history of every import: each state change
 * (and each decision, each plan made again) is an event with its time and actor.
 */
export class ApprovalsAndEvents1764200000000 implements MigrationInterface {
  name = 'ApprovalsAndEvents1764200000000';

  async up(db: QueryRunner): Promise<void> {
    // approval: { required, reasons[], plannedAt } for the current plan;
    // decision: { kind: approved | rejected | auto-approved, by, keyId, at, comment, plannedAt }
    await db.query(`ALTER TABLE imports ADD COLUMN approval jsonb, ADD COLUMN decision jsonb`);
    await db.query(`
      CREATE TABLE import_events (
        workspace_id uuid NOT NULL,
        import_id uuid NOT NULL,
        seq bigserial NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        -- created, a state's name (the state it went to), approved, rejected, auto-approved,
        -- approval-required, plan-recomputed
        type text NOT NULL,
        from_state text,
        to_state text,
        actor text NOT NULL,
        comment text,
        details jsonb,
        PRIMARY KEY (workspace_id, import_id, seq),
        FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE import_events`);
    await db.query(`ALTER TABLE imports DROP COLUMN approval, DROP COLUMN decision`);
  }
}
