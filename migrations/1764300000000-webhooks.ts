import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks (a URL, the events it wants, a signing secret kept sealed) and each delivery with its attempts. */
export class Webhooks1764300000000 implements MigrationInterface {
  name = 'Webhooks1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhooks (
        workspace_id uuid NOT NULL REFERENCES workspaces (id),
        id uuid NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        -- the signing secret, sealed (AES-256-GCM) like source credentials: shown once, never again
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        workspace_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL,
        event text NOT NULL,
        import_id uuid,
        payload jsonb NOT NULL,
        -- pending, delivered, failed
        status text NOT NULL DEFAULT 'pending',
        -- [{ at, status, error, ms }]
        attempts jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, webhook_id) REFERENCES webhooks (workspace_id, id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (workspace_id, webhook_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhooks`);
  }
}
