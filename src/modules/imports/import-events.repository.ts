import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '../database/database.js';
import type { ImportRef } from './import-record.js';

/** One entry of an import's history. */
export interface ImportEvent {
  seq: number;
  at: string;
  /** created, a state name (the state it went to), approved, rejected, auto-approved, approval-required, plan-recomputed */
  type: string;
  fromState: string | null;
  toState: string | null;
  /** An API key's name, a schedule, or "rostersync" for what the workers do. */
  actor: string;
  comment: string | null;
  details: Record<string, unknown> | null;
}

export type NewImportEvent = Pick<ImportEvent, 'type' | 'actor'> & Partial<Pick<ImportEvent, 'fromState' | 'toState' | 'comment' | 'details'>>;

/** Who the workers are in an import's history. */
export const SYSTEM_ACTOR = 'rostersync';

/** Every import's history, appended in the transaction of what it records. */
@Injectable()
export class ImportEventsRepository {
  constructor(private readonly db: Database) {}

  async append(tx: Tx, ref: ImportRef, event: NewImportEvent): Promise<void> {
    await tx.query(
      `INSERT INTO import_events (workspace_id, import_id, type, from_state, to_state, actor, comment, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [ref.workspaceId, ref.importId, event.type, event.fromState ?? null, event.toState ?? null, event.actor, event.comment ?? null, event.details ?? null],
    );
  }

  list(ref: ImportRef): Promise<ImportEvent[]> {
    return this.db.query<ImportEvent>(
      `SELECT seq::int AS seq, at, type, from_state AS "fromState", to_state AS "toState", actor, comment, details
         FROM import_events WHERE workspace_id = $1 AND import_id = $2 ORDER BY seq`,
      [ref.workspaceId, ref.importId],
    );
  }
}
