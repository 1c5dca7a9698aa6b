import { Injectable } from '@nestjs/common';
import { BossService } from '../../jobs/boss.service.js';
import type { Tx } from '../database/database.js';
import type { ImportRecord } from '../imports/import-record.js';
import { importView } from '../imports/import-view.js';
import { eventsFor } from './webhook-events.js';

/**
 * Queues webhook deliveries for an import's state change, in the transaction of the change: a
 * delivery exists exactly when the change committed, and a pg-boss job sends it (with retries).
 */
@Injectable()
export class WebhookOutbox {
  constructor(private readonly boss: BossService) {}

  async stateChanged(tx: Tx, after: ImportRecord, transition: { from: string; to: string; actor: string }): Promise<void> {
    const hooks = await tx.query<{ id: string; events: string[] }>(`SELECT id, events FROM webhooks WHERE workspace_id = $1`, [after.workspaceId]);
    if (!hooks.length) return;
    const events = eventsFor(after);
    const occurredAt = new Date().toISOString();
    const view = importView(after);
    for (const hook of hooks) {
      for (const event of events.filter((e) => hook.events.includes(e) || hook.events.includes('*'))) {
        const [{ id }] = await tx.query<{ id: string }>(
          `INSERT INTO webhook_deliveries (workspace_id, webhook_id, event, import_id, payload)
           VALUES ($1, $2, $3::text, $4, jsonb_build_object('event', $3::text, 'occurredAt', $5::text, 'workspaceId', $1::uuid, 'transition', $6::jsonb, 'import', $7::jsonb))
           RETURNING id`,
          [after.workspaceId, hook.id, event, after.importId, occurredAt, transition, view],
        );
        await this.boss.enqueueWebhook(tx.boss, { workspaceId: after.workspaceId, deliveryId: id });
      }
    }
  }
}
