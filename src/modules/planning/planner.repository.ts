import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database.js';
import type { KeyField, MappedColumn } from '../imports/import-config.js';
import { ZERO_COUNTS, type ImportRef, type OpCounts } from '../imports/import-record.js';
import { keyJoin, literal, mappedFields } from './mapped-fields.js';

export interface PlanInput {
  key: KeyField;
  mapping: MappedColumn[];
}

/**
 * Plan: a set-based diff of the staged rows against the directory. Each row becomes create,
 * update (with the changed fields), unchanged or error; the directory is never loaded into memory.
 */
@Injectable()
export class PlannerRepository {
  async plan(tx: Tx, ref: ImportRef, input: PlanInput): Promise<OpCounts> {
    const params = [ref.workspaceId, ref.importId];
    await tx.query(`UPDATE imports SET phase = 'planning', updated_at = now() WHERE workspace_id = $1 AND id = $2`, params);
    await tx.query(`DELETE FROM import_errors WHERE workspace_id = $1 AND import_id = $2 AND source = 'plan'`, params);
    // Fresh statistics after staging, or the diff and the batched apply get poor plans.
    await tx.query('ANALYZE staged_rows');
    await tx.query(`CREATE TEMP TABLE plan_rows ON COMMIT DROP AS ${classify(input)}`, params);
    await tx.query(`
      INSERT INTO import_errors (workspace_id, import_id, line, column_name, code, message, start_byte, end_byte, source)
      SELECT $1, $2, line, error_column, error_code, error_message, start_byte, end_byte, 'plan'
        FROM plan_rows WHERE error_code IS NOT NULL`, params);
    await tx.query(`
      UPDATE staged_rows s SET op = p.op, user_id = p.user_id, changes = p.changes
        FROM plan_rows p
       WHERE s.workspace_id = $1 AND s.import_id = $2 AND s.line = p.line
         AND (s.op, s.user_id, s.changes) IS DISTINCT FROM (p.op, p.user_id, p.changes)`, params);
    const counts = await this.count(tx, ref);
    await tx.query(
      `UPDATE imports
          SET counts = $3, planned_at = now(), phase = 'waiting', updated_at = now(),
              planned_version = (SELECT directory_version FROM workspaces WHERE id = $1)
        WHERE workspace_id = $1 AND id = $2`,
      [...params, counts],
    );
    return counts;
  }

  private async count(tx: Tx, ref: ImportRef): Promise<OpCounts> {
    const params = [ref.workspaceId, ref.importId];
    const rows = await tx.query<{ op: keyof OpCounts; n: string }>(
      `SELECT op, count(*) AS n FROM staged_rows WHERE workspace_id = $1 AND import_id = $2 AND op <> 'error' GROUP BY op`,
      params,
    );
    const [errors] = await tx.query<{ n: string }>(
      `SELECT count(DISTINCT line) AS n FROM import_errors WHERE workspace_id = $1 AND import_id = $2`,
      params,
    );
    const counts: OpCounts = { ...ZERO_COUNTS, error: Number(errors.n) };
    for (const row of rows) counts[row.op] = Number(row.n);
    return counts;
  }
}

/** One row per staged row: its op, its person, its changes, or the reason it cannot be applied. */
function classify({ key, mapping }: PlanInput): string {
  const fields = mappedFields(mapping);
  const keyColumn = literal(mapping.find((m) => m.field === key)!.column);
  const diff = fields.map((f) => `(${literal(f.name)}, ${f.current}, ${f.incoming})`).join(', ');
  // The other unique identifier: email when people are keyed by externalId, and the reverse.
  const other = key === 'email' ? mapping.find((m) => m.field === 'externalId') : mapping.find((m) => m.field === 'email');
  const otherExpr = key === 'email' ? 's.external_id' : 'lower(s.email)';
  const otherOwner = key === 'email' ? 'o.external_id = s.external_id AND lower(o.email) IS DISTINCT FROM s.key' : 'lower(o.email) = lower(s.email) AND o.external_id IS DISTINCT FROM s.key';
  const otherName = key === 'email' ? 'externalId' : 'email';
  const otherCode = key === 'email' ? 'EXTERNAL_ID_IN_USE' : 'EMAIL_IN_USE';
  const otherChecks = other
    ? `
      WHEN c.other_first < c.line THEN jsonb_build_array(${literal(otherCode)}, ${literal(other.column)},
        format('Line %s: the ${otherName} "%s" is already on line %s of this file. Each person needs their own ${otherName}; correct one of the lines.', c.line, c.other_value, c.other_first))
      WHEN c.other_owner IS NOT NULL THEN jsonb_build_array(${literal(otherCode)}, ${literal(other.column)},
        format('Line %s: the ${otherName} "%s" belongs to another person in the directory (${key === 'email' ? 'email' : 'externalId'} "%s"). Correct the line, or change that person first.', c.line, c.other_value, c.other_owner))`
    : '';
  return `
    WITH candidates AS (
      SELECT s.line, s.key, s.start_byte, s.end_byte, u.id AS user_id,
             min(s.line) OVER (PARTITION BY s.key) AS key_first,
             ${other ? `CASE WHEN ${otherExpr} IS NOT NULL THEN min(s.line) OVER (PARTITION BY ${otherExpr}) END` : 'NULL::int'} AS other_first,
             ${other ? (key === 'email' ? 's.external_id' : 's.email') : 'NULL::text'} AS other_value,
             ${other ? `(SELECT ${key === 'email' ? 'o.email' : 'o.external_id'} FROM users o WHERE o.workspace_id = $1 AND ${otherOwner} LIMIT 1)` : 'NULL::text'} AS other_owner,
             CASE WHEN u.id IS NOT NULL THEN (
               SELECT jsonb_object_agg(f.name, jsonb_build_object('from', f.old, 'to', f.new))
                 FROM (VALUES ${diff}) AS f (name, old, new)
                WHERE f.old IS DISTINCT FROM f.new) END AS changes
        FROM staged_rows s
        LEFT JOIN users u ON u.workspace_id = $1 AND ${keyJoin(key)}
       WHERE s.workspace_id = $1 AND s.import_id = $2
    ), judged AS (
      SELECT c.*, CASE
        WHEN c.key_first < c.line THEN jsonb_build_array('DUPLICATE_KEY', ${keyColumn},
          format('Line %s repeats the ${key} "%s" of line %s: each person may appear once. Remove or merge one of the lines.', c.line, c.key, c.key_first))
        ${otherChecks}
      END AS problem
      FROM candidates c
    )
    SELECT line, start_byte, end_byte,
           CASE WHEN problem IS NOT NULL THEN 'error' WHEN user_id IS NULL THEN 'create'
                WHEN changes IS NULL THEN 'unchanged' ELSE 'update' END AS op,
           user_id,
           CASE WHEN problem IS NULL THEN changes END AS changes,
           problem->>0 AS error_code, problem->>1 AS error_column, problem->>2 AS error_message
      FROM judged`;
}
