import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database.js';
import type { MappedColumn } from '../imports/import-config.js';
import type { ImportRef } from '../imports/import-record.js';
import { mappedFields } from '../planning/mapped-fields.js';

export interface AppliedBatch {
  lastLine: number;
  lastByte: number;
  created: number;
  updated: number;
}

/** Apply: writes planned rows to the directory, a range of lines per transaction. */
@Injectable()
export class ApplierRepository {
  /** The current directory version; a plan made at another version is stale. */
  async directoryVersion(tx: Tx, workspaceId: string): Promise<number> {
    const [row] = await tx.query<{ v: string }>('SELECT directory_version AS v FROM workspaces WHERE id = $1', [workspaceId]);
    return Number(row.v);
  }

  async markStarted(tx: Tx, ref: ImportRef): Promise<void> {
    await tx.query(
      `UPDATE imports SET apply_started_at = now(), phase = 'applying', updated_at = now() WHERE workspace_id = $1 AND id = $2`,
      [ref.workspaceId, ref.importId],
    );
  }

  /** Writes the next `limit` planned changes after `afterLine`; null when none are left. */
  async applyNext(tx: Tx, ref: ImportRef, mapping: MappedColumn[], afterLine: number, limit: number): Promise<AppliedBatch | null> {
    const params = [ref.workspaceId, ref.importId, afterLine];
    const [bounds] = await tx.query<{ last_line: number | null; created: string; updated: string }>(
      `SELECT max(line) AS last_line, count(*) FILTER (WHERE op = 'create') AS created, count(*) FILTER (WHERE op = 'update') AS updated
         FROM (SELECT line, op FROM import_changes
                WHERE workspace_id = $1 AND import_id = $2 AND line > $3 ORDER BY line LIMIT $4) AS batch`,
      [...params, limit],
    );
    if (bounds.last_line === null) return null;
    await tx.query('UPDATE workspaces SET directory_version = directory_version + 1 WHERE id = $1', [ref.workspaceId]);
    const range = [...params, bounds.last_line];
    const fields = mappedFields(mapping);
    const columns = fields.filter((f) => f.column && f.column !== 'status').map((f) => f.column!);
    // The line range on both sides: without it on staged_rows, PostgreSQL hash-joins the whole
    // import's staged rows for every batch (quadratic in the file size).
    const planned = `FROM import_changes c JOIN staged_rows s ON s.workspace_id = c.workspace_id AND s.import_id = c.import_id AND s.line = c.line
       WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.line > $3 AND c.line <= $4
         AND s.workspace_id = $1 AND s.import_id = $2 AND s.line > $3 AND s.line <= $4`;
    if (Number(bounds.created)) {
      await tx.query(
        `INSERT INTO users (workspace_id, ${columns.join(', ')}, status, custom, created_by_import, updated_by_import)
         SELECT $1, ${columns.map((c) => `s.${c}`).join(', ')}, coalesce(s.status, 'active'),
                coalesce(jsonb_strip_nulls(s.custom), '{}'), $2, $2
         ${planned} AND c.op = 'create'`,
        range,
      );
    }
    if (Number(bounds.updated)) {
      await tx.query(
        `UPDATE users u
            SET ${columns.map((c) => `${c} = s.${c}`).join(', ')}${columns.length ? ',' : ''}
                status = coalesce(s.status, u.status),
                custom = CASE WHEN s.custom IS NULL THEN u.custom ELSE jsonb_strip_nulls(u.custom || s.custom) END,
                updated_at = now(), updated_by_import = $2
         ${planned} AND c.op = 'update' AND u.workspace_id = $1 AND u.id = c.user_id`,
        range,
      );
    }
    const [{ end_byte }] = await tx.query<{ end_byte: string }>(
      'SELECT end_byte FROM staged_rows WHERE workspace_id = $1 AND import_id = $2 AND line = $3',
      [ref.workspaceId, ref.importId, bounds.last_line],
    );
    const batch: AppliedBatch = {
      lastLine: bounds.last_line,
      lastByte: Number(end_byte),
      created: Number(bounds.created),
      updated: Number(bounds.updated),
    };
    // The plan stays bound to the directory as this batch leaves it: a resume after another import
    // changed the directory sees the version move and plans again.
    await tx.query(
      `UPDATE imports
          SET applied_line = $3, applied_bytes = $4, updated_at = now(), phase = 'applying',
              planned_version = (SELECT directory_version FROM workspaces WHERE id = $1),
              applied = jsonb_build_object(
                'create', coalesce((applied->>'create')::int, 0) + $5,
                'update', coalesce((applied->>'update')::int, 0) + $6)
        WHERE workspace_id = $1 AND id = $2`,
      [ref.workspaceId, ref.importId, batch.lastLine, batch.lastByte, batch.created, batch.updated],
    );
    return batch;
  }

  /** The apply is done: the final counts are what was written, plus what the plan left alone. */
  async finish(tx: Tx, ref: ImportRef): Promise<void> {
    await tx.query(
      `UPDATE imports
          SET phase = 'done', applied_bytes = (SELECT size FROM files f WHERE f.workspace_id = imports.workspace_id AND f.id = imports.file_id),
              applied = applied || jsonb_build_object('unchanged', counts->'unchanged', 'error', counts->'error'), updated_at = now()
        WHERE workspace_id = $1 AND id = $2`,
      [ref.workspaceId, ref.importId],
    );
  }
}
