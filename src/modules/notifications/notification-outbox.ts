import { Injectable } from '@nestjs/common';
import { BossService } from '../../jobs/boss.service.js';
import type { NotifyJobData } from '../../jobs/queues.js';
import type { Tx } from '../database/database.js';
import type { ImportRecord } from '../imports/import-record.js';
import { eventsFor } from '../webhooks/webhook-events.js';

const NOTIFIED: readonly string[] = ['import.completed', 'import.failed', 'import.waiting_for_approval'];

/**
 * Queues an import's follow-up (report e-mail; after completion, invitations and recovery codes)
 * in the transaction of the state change that calls for it, when its config asks for any.
 */
@Injectable()
export class NotificationOutbox {
  constructor(private readonly boss: BossService) {}

  async stateChanged(tx: Tx, after: ImportRecord): Promise<void> {
    const { config } = after;
    const wanted = config.notify.email.length > 0 || config.invite.newUsers || config.invite.pendingUsers || config.recoveryCodes;
    if (!wanted) return;
    for (const event of eventsFor(after).filter((e) => NOTIFIED.includes(e))) {
      await this.boss.enqueueNotify(tx.boss, { workspaceId: after.workspaceId, importId: after.importId, event: event as NotifyJobData['event'] });
    }
  }
}
