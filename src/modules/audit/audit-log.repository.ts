import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

/** One entry of the audit log: who changed what, when. Secrets appear only as "<column>_changed". */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorKeyId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  /** Entries before this id: the next page, newest first. */
  before?: number;
  limit: number;
}

/**
 * Reads the audit log. It is written by triggers (migrations/1764600000000-audit-and-isolation.ts)
 * in the transaction of each change, and the application's role can only read and append it.
 */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  list(workspaceId: string, filter: AuditFilter): Promise<AuditEntry[]> {
    return this.db.query<AuditEntry>(
      `SELECT id::int AS id, at, actor, actor_key_id AS "actorKeyId", action, target_type AS "targetType", target_id AS "targetId", details
         FROM audit_log
        WHERE workspace_id = $1 AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR target_type = $3)
          AND ($4::text IS NULL OR target_id = $4) AND ($5::bigint IS NULL OR id < $5)
        ORDER BY id DESC LIMIT $6`,
      [workspaceId, filter.action ?? null, filter.targetType ?? null, filter.targetId ?? null, filter.before ?? null, filter.limit],
    );
  }
}
