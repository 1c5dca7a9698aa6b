import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database.js';
import type { MappedColumn } from '../imports/import-config.js';
import type { ImportRef } from '../imports/import-record.js';
import { mappedFields } from '../planning/mapped-fields.js';

/** One batch of a pass: the last position it reached, and what it did by op. */
export interface AppliedBatch {
  lastSeq: number;
  done: Record<string, number>;
}

/**
 * The planned changes of the batch's range (alias c) with the manager each links its person to, by
 * external id (`manager_key`) and by id if they are in the directory (`manager_id`). OFFSET 0 keeps
 * the key a plain column: compared as `changes->…->>'to'` (not leakproof), row-level security let
 * PostgreSQL search the index by the workspace only. And both columns of the unique index on
 * (workspace, external id) are compared with the change's own, values unknown when the statement is
 * planned, so only that index promises one row: compared with the workspace's id as a value, the
 * statistics of a first load (the plan analysed the workspace empty) made the primary key look as
 * good, and PostgreSQL read every person the workspace had gained since, for each lookup (20 s for
 * a batch of 10k people at 40k, 0.6 s with this).
 */
function plannedLinks(where: string): string {
  return `(SELECT k.*, (SELECT m.id FROM users m WHERE m.workspace_id = k.workspace_id AND m.external_id = k.manager_key) AS manager_id
             FROM (SELECT c.*, c.changes->'managerExternalId'->>'to' AS manager_key FROM import_changes c
                    WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.seq > $3 AND c.seq <= $4 AND ${where} OFFSET 0) k) c`;
}

/** The planned changes (alias c) whose person the managers pass links. */
const LINKED = "c.changes ? 'managerExternalId' AND c.op <> 'delete'";

/** The three passes of an apply, each with its checkpoint column in imports. */
export type ApplyPass = 'people' | 'managers' | 'groups';

/**
 * Apply: writes the plan to the directory, a range of the plan per transaction, in three passes:
 * people (creates, updates, deactivations, deletions), then manager links (every person exists by
 * then), then groups. Values come from the plan's {from, to}: what is applied is what was previewed.
 */
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

  async applyNext(tx: Tx, ref: ImportRef, pass: ApplyPass, mapping: MappedColumn[], after: number, limit: number): Promise<AppliedBatch | null> {
    const batch = pass === 'groups' ? await this.groupBatch(tx, ref, after, limit) : await this.peopleBatch(tx, ref, after, limit);
    if (!batch) return null;
    await tx.query('UPDATE workspaces SET directory_version = directory_version + 1 WHERE id = $1', [ref.workspaceId]);
    const range = [ref.workspaceId, ref.importId, after, batch.lastSeq];
    if (pass === 'people') await this.writePeople(tx, range, mapping, batch.done);
    else if (pass === 'managers') await this.linkManagers(tx, range);
    else await this.writeGroups(tx, range);
    await this.checkpoint(tx, ref, pass, batch);
    return batch;
  }

  /** Whether the plan, after a position, still links someone to a manager (the managers pass has work). */
  async linksAfter(tx: Tx, ref: ImportRef, after: number): Promise<boolean> {
    const [row] = await tx.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM import_changes c WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.seq > $3 AND ${LINKED}) AS found`,
      [ref.workspaceId, ref.importId, after],
    );
    return row.found;
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

  /**
   * The next range of the plan, in seq order. The managers pass takes every change too, and links
   * those of the range that name a manager: asking for those alone, PostgreSQL expected few and
   * sorted all the rest of the plan for every batch (0.4 s a batch at 1M lines).
   */
  private async peopleBatch(tx: Tx, ref: ImportRef, after: number, limit: number): Promise<AppliedBatch | null> {
    const rows = await tx.query<{ seq: number; op: string }>(
      'SELECT seq, op FROM import_changes WHERE workspace_id = $1 AND import_id = $2 AND seq > $3 ORDER BY seq LIMIT $4',
      [ref.workspaceId, ref.importId, after, limit],
    );
    return summarise(rows);
  }

  private async groupBatch(tx: Tx, ref: ImportRef, after: number, limit: number): Promise<AppliedBatch | null> {
    const rows = await tx.query<{ seq: number; op: string }>(
      'SELECT seq, op FROM import_group_changes WHERE workspace_id = $1 AND import_id = $2 AND seq > $3 ORDER BY seq LIMIT $4',
      [ref.workspaceId, ref.importId, after, limit],
    );
    return summarise(rows);
  }

  /**
   * People: values come from the staged lines the plan compared (for each field the plan found
   * changed, the line's value is the plan's `to`); people absent from a full snapshot have no line.
   * The line range on both tables: without it on staged_rows, PostgreSQL hash-joins the whole
   * import's staged rows for every batch (quadratic in the file size).
   */
  private async writePeople(tx: Tx, range: unknown[], mapping: MappedColumn[], done: Record<string, number>): Promise<void> {
    const writes = mappedFields(mapping).flatMap((f) => (f.write ? [f.write] : []));
    const planned = `import_changes c WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.seq > $3 AND c.seq <= $4`;
    // kd: the line's display name is someone else's, so it is not written.
    const fromLines = (changes = 'import_changes c'): string => `${changes} JOIN staged_rows s ON s.workspace_id = c.workspace_id AND s.import_id = c.import_id AND s.line = c.line
       LEFT JOIN (SELECT DISTINCT e.line FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.code = 'DISPLAY_NAME_IN_USE'
                     AND e.line > $3 AND e.line <= $4) kd ON kd.line = s.line
       WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.seq > $3 AND c.seq <= $4
         AND s.workspace_id = $1 AND s.import_id = $2 AND s.line > $3 AND s.line <= $4`;
    if (done.create) {
      // A manager already in the directory (written by an earlier batch, or before this import) is
      // linked as the person is created; the managers pass links the others, and changes nothing
      // for these.
      const linking = mapping.some((m) => m.field === 'managerExternalId');
      const columns = [...writes, ...(linking ? [{ column: 'manager_id', create: 'c.manager_id' }] : [])];
      await tx.query(
        `INSERT INTO users (id, workspace_id, ${columns.map((w) => w.column).join(', ')}, custom, created_by_import, updated_by_import)
         OVERRIDING SYSTEM VALUE
         SELECT c.user_id, $1, ${columns.map((w) => w.create).join(', ')}, coalesce(jsonb_strip_nulls(s.custom), '{}'), $2, $2
           FROM ${fromLines(linking ? plannedLinks("c.op = 'create'") : undefined)} AND c.op = 'create'`,
        range,
      );
    }
    if (done.update || done.deactivate) {
      await tx.query(
        `UPDATE users u
            SET ${writes.map((w) => `${w.column} = ${w.value}`).join(', ')},
                custom = CASE WHEN s.custom IS NULL THEN u.custom ELSE jsonb_strip_nulls(u.custom || s.custom) END,
                updated_at = now(), updated_by_import = $2
           FROM ${fromLines()} AND c.op IN ('update', 'deactivate') AND u.workspace_id = $1 AND u.id = c.user_id`,
        range,
      );
      await tx.query(
        `UPDATE users u SET status = 'deactivated', updated_at = now(), updated_by_import = $2
           FROM ${planned} AND c.op = 'deactivate' AND c.line IS NULL AND u.workspace_id = $1 AND u.id = c.user_id`,
        range,
      );
    }
    if (done.delete) {
      await tx.query(`DELETE FROM users u USING ${planned} AND c.op = 'delete' AND u.workspace_id = $1 AND u.id = c.user_id`, range);
    }
  }

  /**
   * Every person exists now, so a manager later in the file is found. A person already linked to
   * that manager (when created) is not written again: each write is a new version of the person in
   * every index. After a people pass that created many, the pass starts on fresh statistics
   * (ImportPipeline), so the people are found by id.
   */
  private async linkManagers(tx: Tx, range: unknown[]): Promise<void> {
    await tx.query(
      `UPDATE users u SET manager_id = c.manager_id, updated_at = now(), updated_by_import = $2
         FROM ${plannedLinks(LINKED)}
        WHERE u.workspace_id = $1 AND u.id = c.user_id AND u.manager_id IS DISTINCT FROM c.manager_id`,
      range,
    );
  }

  private async writeGroups(tx: Tx, range: unknown[]): Promise<void> {
    const planned = `import_group_changes b WHERE b.workspace_id = $1 AND b.import_id = $2 AND b.seq > $3 AND b.seq <= $4`;
    await tx.query(
      `INSERT INTO groups (workspace_id, name, created_by_import) SELECT $1, b.group_name, $2 FROM ${planned} AND b.op = 'group_create'
       ON CONFLICT (workspace_id, name) DO NOTHING`,
      range,
    );
    await tx.query(
      `DELETE FROM group_members m USING groups g, ${planned} AND b.op = 'member_remove'
          AND g.workspace_id = $1 AND g.name = b.group_name AND m.workspace_id = $1 AND m.group_id = g.id AND m.user_id = b.user_id`,
      range,
    );
    await tx.query(
      `INSERT INTO group_members (workspace_id, group_id, user_id, added_by_import)
       SELECT $1, g.id, b.user_id, $2 FROM groups g, ${planned} AND b.op = 'member_add' AND g.workspace_id = $1 AND g.name = b.group_name
          AND EXISTS (SELECT 1 FROM users u WHERE u.workspace_id = $1 AND u.id = b.user_id)
       ON CONFLICT DO NOTHING`,
      range,
    );
    await tx.query(`DELETE FROM groups g USING ${planned} AND b.op = 'group_remove' AND g.workspace_id = $1 AND g.name = b.group_name`, range);
  }

  /**
   * The pass's checkpoint, in the batch's transaction. The plan stays bound to the directory as
   * this batch leaves it: a resume after another import changed the directory plans again.
   */
  private async checkpoint(tx: Tx, ref: ImportRef, pass: ApplyPass, batch: AppliedBatch): Promise<void> {
    const params = [ref.workspaceId, ref.importId, batch.lastSeq];
    const version = 'planned_version = (SELECT directory_version FROM workspaces WHERE id = $1), updated_at = now()';
    if (pass === 'people') {
      await tx.query(
        `UPDATE imports
            SET applied_line = $3, phase = 'applying', ${version},
                applied_bytes = coalesce((SELECT s.end_byte FROM import_changes c JOIN staged_rows s
                                            ON s.workspace_id = c.workspace_id AND s.import_id = c.import_id AND s.line = c.line
                                           WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.seq <= $3 AND c.line IS NOT NULL
                                           ORDER BY c.seq DESC LIMIT 1), applied_bytes),
                applied = (SELECT jsonb_object_agg(op, coalesce((applied->>op)::int, 0) + coalesce(($4::jsonb->>op)::int, 0))
                             FROM unnest(ARRAY['create', 'update', 'deactivate', 'delete']) AS op)
          WHERE workspace_id = $1 AND id = $2`,
        [...params, batch.done],
      );
    } else {
      const column = pass === 'managers' ? 'linked_seq' : 'grouped_seq';
      await tx.query(`UPDATE imports SET ${column} = $3, phase = '${pass === 'managers' ? 'linking' : 'grouping'}', ${version} WHERE workspace_id = $1 AND id = $2`, params);
    }
  }
}

function summarise(rows: { seq: number; op: string }[]): AppliedBatch | null {
  if (!rows.length) return null;
  const done: Record<string, number> = {};
  for (const row of rows) done[row.op] = (done[row.op] ?? 0) + 1;
  return { lastSeq: rows[rows.length - 1].seq, done };
}
