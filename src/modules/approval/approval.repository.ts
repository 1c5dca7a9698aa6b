import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database.js';
import { CUSTOM_PREFIX, standardField } from '../directory/user-fields.js';
import type { ImportRecord, ImportRef } from '../imports/import-record.js';
import { literal } from '../planning/mapped-fields.js';
import { trippedGates, type Approval } from './approval-gates.js';

export const DECISION_KINDS = ['approved', 'rejected', 'auto-approved'] as const;

/** What a person decided about an import, or that nobody had to. */
export interface Decision {
  kind: (typeof DECISION_KINDS)[number];
  /** The API key's name; null when no person decided (auto-approved). */
  by: string | null;
  keyId: string | null;
  at: string;
  comment: string | null;
  /** The plan decided on. */
  plannedAt: string | null;
}

/**
 * Judges a plan against its import's gates (counts, empty columns, schema drift), in the plan's
 * transaction, and keeps the verdict and the decision on the import.
 */
@Injectable()
export class ApprovalRepository {
  /** Gathers the signals, stores the verdict for the current plan and returns it. */
  async evaluate(tx: Tx, record: ImportRecord): Promise<Approval> {
    const { config } = record;
    const params = [record.workspaceId, record.importId];
    const [{ active }] = await tx.query<{ active: number }>(`SELECT count(*)::int AS active FROM users WHERE workspace_id = $1 AND status = 'active'`, [record.workspaceId]);
    const emptyColumns = config.approval.emptyColumns && record.stagedLines > 0 ? await this.emptyColumns(tx, record) : [];
    let previousHeaders: string[] | null = null;
    if (config.approval.schemaDrift && record.profileId && record.headers) {
      const [previous] = await tx.query<{ headers: string[] }>(
        `SELECT headers FROM imports WHERE workspace_id = $1 AND profile_id = $2 AND state = 'COMPLETED' AND id <> $3 AND headers IS NOT NULL
          ORDER BY seq DESC LIMIT 1`,
        [record.workspaceId, record.profileId, record.importId],
      );
      previousHeaders = previous?.headers ?? null;
    }
    const reasons = trippedGates(config.approval, { counts: record.counts, activePeople: active, emptyColumns, previousHeaders, headers: record.headers ?? [] });
    const approval: Approval = { required: reasons.length > 0, reasons, plannedAt: record.plannedAt! };
    await tx.query(`UPDATE imports SET approval = $3 WHERE workspace_id = $1 AND id = $2`, [...params, approval]);
    return approval;
  }

  async decide(tx: Tx, ref: ImportRef, decision: Decision): Promise<void> {
    await tx.query(`UPDATE imports SET decision = $3 WHERE workspace_id = $1 AND id = $2`, [ref.workspaceId, ref.importId, decision]);
  }

  /**
   * Mapped columns with no value on any staged line. A delete column is left out: "n" is staged as
   * nothing, so a column of n's is not a broken one.
   */
  private async emptyColumns(tx: Tx, record: ImportRecord): Promise<string[]> {
    const checks: { column: string; filled: string }[] = [];
    for (const { column, field } of record.resolvedMapping ?? []) {
      if (field.startsWith(CUSTOM_PREFIX)) {
        checks.push({ column, filled: `bool_or(custom->>${literal(field.slice(CUSTOM_PREFIX.length))} IS NOT NULL)` });
      } else {
        const staged = standardField(field)?.staged;
        if (staged && field !== 'delete') checks.push({ column, filled: `bool_or(${staged} IS NOT NULL)` });
      }
    }
    if (!checks.length) return [];
    const [row] = await tx.query<Record<string, boolean | null>>(
      `SELECT ${checks.map((check, i) => `${check.filled} AS c${i}`).join(', ')} FROM staged_rows WHERE workspace_id = $1 AND import_id = $2`,
      [record.workspaceId, record.importId],
    );
    // No staged line at all (every line was an error): nothing to judge.
    if (Object.values(row).every((filled) => filled === null)) return [];
    return checks.filter((_, i) => row[`c${i}`] === false).map((check) => check.column);
  }
}
