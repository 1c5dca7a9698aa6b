import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { standardField } from '../directory/user-fields.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import type { ImportRecord, ImportRef } from './import-record.js';
import type { PreviewOp } from './dto/import-requests.dto.js';

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

  async people(record: ImportRecord, op: PreviewOp | undefined, page: number, pageSize: number): Promise<Record<string, unknown>[]> {
    const fields = (record.resolvedMapping ?? []).filter((m) => standardField(m.field));
    const values = fields.map((m) => `'${m.field}', s.${standardField(m.field)!.column}`).join(', ');
    // A staged line with no planned change and no plan error is unchanged.
    const opExpr = `coalesce(c.op, CASE WHEN e.line IS NULL THEN 'unchanged' ELSE 'error' END)`;
    const rows = await this.db.query<{ line: number; key: string; op: string; changes: unknown; fields: Record<string, unknown> | null; custom: unknown }>(
      `SELECT * FROM (
         SELECT s.line, s.key, ${opExpr} AS op, c.changes, s.custom,
                CASE WHEN c.op = 'create' THEN jsonb_strip_nulls(jsonb_build_object(${values || "'_', NULL"})) END AS fields
           FROM staged_rows s
           LEFT JOIN import_changes c ON c.workspace_id = s.workspace_id AND c.import_id = s.import_id AND c.line = s.line
           LEFT JOIN LATERAL (SELECT e.line FROM import_errors e
                               WHERE e.workspace_id = s.workspace_id AND e.import_id = s.import_id AND e.line = s.line AND e.source = 'plan'
                               LIMIT 1) e ON true
          WHERE s.workspace_id = $1 AND s.import_id = $2
            AND ($3::text IS NULL OR ($3 IN ('create', 'update') AND c.op = $3) OR ($3 = 'unchanged' AND c.op IS NULL))
       ) AS listed
       WHERE op <> 'error' AND ($3::text IS NULL OR op = $3)
       ORDER BY line LIMIT $4 OFFSET $5`,
      [record.workspaceId, record.importId, op ?? null, pageSize, (page - 1) * pageSize],
    );
    return rows.map((row) => {
      const item: Record<string, unknown> = { line: row.line, key: row.key, op: row.op };
      if (row.op === 'update') item.changes = row.changes;
      if (row.op === 'create') item.fields = { ...row.fields, ...customFields(row.custom) };
      return item;
    });
  }

  async errors(record: ImportRecord, page: number, pageSize: number): Promise<ErrorRow[]> {
    const rows = await this.db.query<{ line: number; column_name: string | null; code: string; message: string; raw: string | null; start_byte: string | null; end_byte: string | null }>(
      `SELECT line, column_name, code, message, raw, start_byte, end_byte FROM import_errors
        WHERE workspace_id = $1 AND import_id = $2 ORDER BY line, id LIMIT $3 OFFSET $4`,
      [record.workspaceId, record.importId, pageSize, (page - 1) * pageSize],
    );
    return Promise.all(
      rows.map(async (row) => ({
        line: row.line,
        column: row.column_name,
        code: row.code,
        message: row.message,
        raw: row.raw ?? (await this.rawLine(record, row.start_byte, row.end_byte)),
      })),
    );
  }

  async errorCount(ref: ImportRef): Promise<number> {
    const [row] = await this.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM import_errors WHERE workspace_id = $1 AND import_id = $2',
      [ref.workspaceId, ref.importId],
    );
    return Number(row.n);
  }

  private async rawLine(record: ImportRecord, start: string | null, end: string | null): Promise<string> {
    if (start === null || end === null) return '';
    const bytes = await this.files.readRange(record.workspaceId, record.file.id, Number(start), Math.min(Number(end), Number(start) + 4096));
    return bytes.toString('utf8').replace(/(\r\n|\r|\n)$/, '');
  }
}

function customFields(custom: unknown): Record<string, unknown> {
  if (!custom || typeof custom !== 'object') return {};
  return Object.fromEntries(Object.entries(custom).filter(([, v]) => v !== null).map(([k, v]) => [`custom.${k}`, v]));
}

