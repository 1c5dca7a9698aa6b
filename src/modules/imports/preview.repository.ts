import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { CUSTOM_PREFIX, standardField } from '../directory/user-fields.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import type { ImportRecord, ImportRef } from './import-record.js';
import { originalLines } from './original-line.js';
import type { PERSON_OPS } from './dto/import-requests.dto.js';

export type PersonOp = (typeof PERSON_OPS)[number];

export interface GroupCounts {
  groupsCreated: number;
  groupsRemoved: number;
  membershipsAdded: number;
  membershipsRemoved: number;
}

export interface ErrorRow {
  line: number;
  column: string | null;
  code: string;
  message: string;
  raw: string;
}

/** Reads what staging and planning produced: people per op, and line errors with their text. */
@Injectable()
export class PreviewRepository {
  constructor(
    private readonly db: Database,
    @Inject(FILE_STORE) private readonly files: FileStore,
  ) {}

  /**
   * The people an import changes (in apply order: the file's lines, then people absent from a full
   * snapshot), or leaves unchanged, page by page. Lines that only add a group to a person of an
   * earlier line are not listed again.
   */
  async people(record: ImportRecord, op: PersonOp | undefined, page: number, pageSize: number): Promise<Record<string, unknown>[]> {
    const rows = await this.db.query<{ line: number | null; key: string; op: string; changes: Record<string, { from: unknown; to: unknown }> | null }>(
      `SELECT line, key, op, changes FROM (
         SELECT c.seq AS position, c.line, c.key, c.op, c.changes FROM import_changes c
          WHERE c.workspace_id = $1 AND c.import_id = $2 AND ($3::text IS NULL OR c.op = $3)
         UNION ALL
         SELECT s.line, s.line, s.key, 'unchanged', NULL FROM staged_rows s
          WHERE s.workspace_id = $1 AND s.import_id = $2 AND ($3::text IS NULL OR $3 = 'unchanged') AND s.repeat_of IS NULL
            AND NOT EXISTS (SELECT 1 FROM import_changes c WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.seq = s.line)
            AND NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.line = s.line
                                                          AND e.source = 'plan' AND e.blocking)
       ) AS listed
       ORDER BY position LIMIT $4 OFFSET $5`,
      [record.workspaceId, record.importId, op ?? null, pageSize, (page - 1) * pageSize],
    );
    const created = await this.createdFields(record, rows.filter((row) => row.op === 'create').map((row) => row.line!));
    return rows.map((row) => {
      const item: Record<string, unknown> = { line: row.line, key: row.key, op: row.op };
      if (row.op === 'create') item.fields = created.get(row.line!);
      else if (row.changes) item.changes = row.changes;
      return item;
    });
  }

  /** What the people an import creates get: their lines' mapped values (a display name in use left out). */
  private async createdFields(record: ImportRecord, lines: number[]): Promise<Map<number, Record<string, unknown>>> {
    if (!lines.length) return new Map();
    const withheld = (codes: string): string =>
      `EXISTS (SELECT 1 FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.line = s.line AND e.code ${codes})`;
    const rows = await this.db.query<Record<string, unknown> & { line: number; no_display_name: boolean; no_manager: boolean }>(
      `SELECT s.*, ${withheld("= 'DISPLAY_NAME_IN_USE'")} AS no_display_name, ${withheld("LIKE 'MANAGER%'")} AS no_manager
         FROM staged_rows s WHERE s.workspace_id = $1 AND s.import_id = $2 AND s.line = ANY($3::int[])`,
      [record.workspaceId, record.importId, lines],
    );
    const mapping = record.resolvedMapping ?? [];
    return new Map(rows.map((row) => {
      const fields: Record<string, unknown> = {};
      for (const { field } of mapping) {
        const staged = field.startsWith(CUSTOM_PREFIX) ? null : standardField(field)?.staged;
        const value = staged === null ? (row.custom as Record<string, unknown> | null)?.[field.slice(CUSTOM_PREFIX.length)] : staged ? row[staged] : undefined;
        const left = (field === 'displayName' && row.no_display_name) || (field === 'managerExternalId' && row.no_manager) || field === 'delete';
        if (value !== null && value !== undefined && !left) fields[field] = value;
      }
      fields.status ??= 'active';
      return [row.line, fields];
    }));
  }

  /** Groups created and removed, and memberships added and removed, page by page. */
  async groups(ref: ImportRef, page: number, pageSize: number): Promise<Record<string, unknown>[]> {
    return this.db.query(
      `SELECT b.op, b.group_name AS "group", coalesce(b.key, u.external_id, lower(u.email)) AS key, b.line
         FROM import_group_changes b LEFT JOIN users u ON u.workspace_id = b.workspace_id AND u.id = b.user_id
        WHERE b.workspace_id = $1 AND b.import_id = $2 ORDER BY b.seq LIMIT $3 OFFSET $4`,
      [ref.workspaceId, ref.importId, pageSize, (page - 1) * pageSize],
    );
  }

  /** How many groups and memberships the import adds and removes. */
  async groupCounts(ref: ImportRef): Promise<GroupCounts> {
    const [row] = await this.db.query<Record<string, string>>(
      `SELECT count(*) FILTER (WHERE op = 'group_create') AS created, count(*) FILTER (WHERE op = 'group_remove') AS removed,
              count(*) FILTER (WHERE op = 'member_add') AS added, count(*) FILTER (WHERE op = 'member_remove') AS dropped
         FROM import_group_changes WHERE workspace_id = $1 AND import_id = $2`,
      [ref.workspaceId, ref.importId],
    );
    return { groupsCreated: Number(row.created), groupsRemoved: Number(row.removed), membershipsAdded: Number(row.added), membershipsRemoved: Number(row.dropped) };
  }

  async errors(record: ImportRecord, page: number, pageSize: number): Promise<ErrorRow[]> {
    const rows = await this.db.query<{ line: number; column_name: string | null; code: string; message: string; raw: string | null; start_byte: string | null; end_byte: string | null }>(
      `SELECT line, column_name, code, message, raw, start_byte, end_byte FROM import_errors
        WHERE workspace_id = $1 AND import_id = $2 ORDER BY line, id LIMIT $3 OFFSET $4`,
      [record.workspaceId, record.importId, pageSize, (page - 1) * pageSize],
    );
    // The lines not stored with their error are read from the file, the page's in one query.
    const missing = rows.filter((row) => row.raw === null);
    const read = await originalLines(this.files, record.workspaceId, record.file.id, missing.map((row) => ({ start: row.start_byte, end: row.end_byte })));
    const lines = new Map(missing.map((row, i) => [row, read[i]]));
    return rows.map((row) => ({ line: row.line, column: row.column_name, code: row.code, message: row.message, raw: row.raw ?? lines.get(row)! }));
  }

  async errorCount(ref: ImportRef): Promise<number> {
    const [row] = await this.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM import_errors WHERE workspace_id = $1 AND import_id = $2',
      [ref.workspaceId, ref.importId],
    );
    return Number(row.n);
  }
}
