import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { Database } from '../database/database.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { SECRET_BOX } from '../secrets/secrets.tokens.js';

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}

export interface Attempt {
  at: string;
  /** The HTTP status the receiver answered, or null when it could not be reached. */
  status: number | null;
  error: string | null;
  ms: number;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export interface Delivery {
  id: string;
  webhookId: string;
  event: string;
  importId: string | null;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: Attempt[];
  createdAt: string;
  deliveredAt: string | null;
}

const COLUMNS = `id, url, events, created_at AS "createdAt"`;
const DELIVERY_COLUMNS = `id, webhook_id AS "webhookId", event, import_id AS "importId", status, attempts, created_at AS "createdAt", delivered_at AS "deliveredAt"`;

/** Webhooks by workspace (their signing secrets sealed), and their deliveries. */
@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly db: Database,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /** The new webhook and its signing secret, which is shown this once. */
  async create(workspaceId: string, url: string, events: string[]): Promise<Webhook & { secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const [row] = await this.db.query<Webhook>(
      `INSERT INTO webhooks (workspace_id, id, url, events, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [workspaceId, id, url, events, this.box.seal({ secret }, context(workspaceId, id))],
    );
    return { ...row, secret };
  }

  list(workspaceId: string): Promise<Webhook[]> {
    return this.db.query<Webhook>(`SELECT ${COLUMNS} FROM webhooks WHERE workspace_id = $1 ORDER BY created_at`, [workspaceId]);
  }

  async find(workspaceId: string, id: string): Promise<Webhook | undefined> {
    const [row] = await this.db.query<Webhook>(`SELECT ${COLUMNS} FROM webhooks WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    return row;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    return (await this.db.transaction((tx) => tx.execute('DELETE FROM webhooks WHERE workspace_id = $1 AND id = $2', [workspaceId, id]))) > 0;
  }

  deliveries(workspaceId: string, webhookId: string, limit: number): Promise<Delivery[]> {
    return this.db.query<Delivery>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE workspace_id = $1 AND webhook_id = $2 ORDER BY created_at DESC LIMIT $3`,
      [workspaceId, webhookId, limit],
    );
  }

  /** A delivery still to send, with its webhook's URL and secret; undefined when done or gone. */
  async pending(workspaceId: string, deliveryId: string): Promise<{ url: string; secret: string; event: string; payload: unknown } | undefined> {
    const [row] = await this.db.query<{ url: string; sealed: string; webhookId: string; event: string; payload: unknown }>(
      `SELECT w.url, w.secret AS sealed, w.id AS "webhookId", d.event, d.payload
         FROM webhook_deliveries d JOIN webhooks w ON w.workspace_id = d.workspace_id AND w.id = d.webhook_id
        WHERE d.workspace_id = $1 AND d.id = $2 AND d.status = 'pending'`,
      [workspaceId, deliveryId],
    );
    if (!row) return undefined;
    const { secret } = this.box.open<{ secret: string }>(row.sealed, context(workspaceId, row.webhookId));
    return { url: row.url, secret, event: row.event, payload: row.payload };
  }

  /** Records an attempt; `final` settles the delivery as delivered (a 2xx) or failed. */
  async recordAttempt(workspaceId: string, deliveryId: string, attempt: Attempt, outcome: Delivery['status']): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET attempts = attempts || $3::jsonb, status = $4, delivered_at = CASE WHEN $4 = 'delivered' THEN now() END
        WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, deliveryId, JSON.stringify([attempt]), outcome],
    );
  }
}

function context(workspaceId: string, id: string): string {
  return `webhook:${workspaceId}:${id}`;
}
