import { Injectable, Logger } from '@nestjs/common';
import type { ImportEvent } from '../../state/import.machine.js';
import { step, type TransitionResult } from '../../state/import-snapshot.js';
import { BossService } from '../../jobs/boss.service.js';
import { Database, type Tx } from '../database/database.js';
import { NotFoundError } from '../http/domain-errors.js';
import type { ImportRecord, ImportRef } from './import-record.js';
import { ImportEventsRepository, SYSTEM_ACTOR } from './import-events.repository.js';
import { ImportsRepository } from './imports.repository.js';
import { NotificationOutbox } from '../notifications/notification-outbox.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.js';

type Alongside = (tx: Tx, before: ImportRecord) => Promise<void>;

/** Who sent an event, for the import's history (the workers, when absent). */
export interface EventNote {
  actor: string;
  comment?: string | null;
  details?: Record<string, unknown>;
}

export interface DriveOutcome {
  result: TransitionResult;
  /** The import as it was before the event. */
  before: ImportRecord;
}

/**
 * The one place an import changes state: in one transaction it locks the row, restores the
 * snapshot, runs the pure transition, saves the snapshot and state, and enqueues the jobs the
 * machine asked for, so a job exists exactly when its state change committed.
 */
@Injectable()
export class ImportDriver {
  private readonly logger = new Logger('imports');

  constructor(
    private readonly db: Database,
    private readonly imports: ImportsRepository,
    private readonly boss: BossService,
    private readonly events: ImportEventsRepository,
    private readonly webhooks: WebhookOutbox,
    private readonly notifications: NotificationOutbox,
  ) {}

  /**
   * Applies `event`. Refused events change nothing and come back with `accepted: false`.
   * `alongside` runs in the same transaction after an accepted transition is saved.
   */
  async send(ref: ImportRef, event: ImportEvent, alongside?: Alongside, note?: EventNote): Promise<DriveOutcome> {
    return this.db.transaction((tx) => this.sendWithin(tx, ref, event, alongside, note));
  }

  /** `send` inside the caller's transaction (an import created and started in one commit). */
  async sendWithin(tx: Tx, ref: ImportRef, event: ImportEvent, alongside?: Alongside, note?: EventNote): Promise<DriveOutcome> {
    const before = await this.imports.lock(tx, ref);
    if (!before) throw new NotFoundError(`Import ${ref.importId} not found.`);
    const result = step(before.persisted, event);
    if (!result.accepted) {
      this.logger.debug({ ...ref, state: before.state, event: event.type }, 'event ignored in this state');
      return { result, before };
    }
    await this.imports.saveTransition(tx, ref, result);
    for (const effect of result.effects) {
      const data = { workspaceId: ref.workspaceId, importId: ref.importId };
      if (effect === 'enqueuePreview') await this.boss.enqueuePreview(tx.boss, data);
      if (effect === 'enqueueApply') await this.boss.enqueueApply(tx.boss, data);
    }
    if (alongside) await alongside(tx, before);
    if (result.state !== before.state) {
      const actor = note?.actor ?? SYSTEM_ACTOR;
      const after = (await this.imports.find(ref, tx))!;
      await this.webhooks.stateChanged(tx, after, { from: before.state, to: result.state, actor });
      await this.notifications.stateChanged(tx, after);
      await this.events.append(tx, ref, {
        type: result.state,
        fromState: before.state,
        toState: result.state,
        actor,
        comment: note?.comment ?? null,
        details: event.type === 'FAIL' ? { reason: event.reason, ...note?.details } : (note?.details ?? null),
      });
    }
    this.logger.log({ ...ref, from: before.state, state: result.state, event: event.type }, 'import state changed');
    return { result, before };
  }
}
