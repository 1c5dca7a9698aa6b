import { Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pgCopyStreams from 'pg-copy-streams';
import type { Tx } from '../database/database.js';
import type { MappedColumn } from '../imports/import-config.js';
import type { ImportRef } from '../imports/import-record.js';
import type { LineError } from './line-error.js';
import { STAGED_COLUMNS } from './row-mapper.js';

export interface StagingStart {
  headers: string[];
  delimiter: string;
  mapping: MappedColumn[];
  /** Where the data lines start. */
  bytes: number;
  lines: number;
}

export interface Checkpoint {
  bytes: number;
  lines: number;
}

/** Writes what staging reads: rows by COPY, errors by one array statement, the checkpoint with them. */
@Injectable()
export class StagingRepository {
  async start(tx: Tx, ref: ImportRef, start: StagingStart): Promise<void> {
    await tx.query(
      `UPDATE imports SET headers = $3, delimiter = $4, resolved_mapping = $5, staged_bytes = $6, staged_lines = $7,
              phase = 'staging', updated_at = now()
        WHERE workspace_id = $1 AND id = $2`,
      [ref.workspaceId, ref.importId, JSON.stringify(start.headers), start.delimiter, JSON.stringify(start.mapping), start.bytes, start.lines],
    );
  }

  /** Staged rows already encoded for COPY (by the parse thread). */
  async writeCopyText(tx: Tx, copyText: Uint8Array): Promise<void> {
    if (!copyText.byteLength) return;
    const client = await tx.client();
    // PostgreSQL refuses COPY FROM under row-level security: it runs as the owner, and every row
    // carries the import's workspace, written by the parse thread from the import it stages.
    await tx.asOwner(async () => {
      const copy = client.query(
        pgCopyStreams.from(`COPY staged_rows (workspace_id, import_id, ${STAGED_COLUMNS.join(', ')}) FROM STDIN`),
      );
      await pipeline(Readable.from([Buffer.from(copyText.buffer, copyText.byteOffset, copyText.byteLength)]), copy);
    });
  }

  async writeErrors(tx: Tx, ref: ImportRef, errors: LineError[], source: 'stage' | 'plan'): Promise<void> {
    if (!errors.length) return;
    await tx.query(
      `INSERT INTO import_errors (workspace_id, import_id, line, column_name, code, message, raw, start_byte, end_byte, key, source)
       SELECT $1, $2, e.line, e.column_name, e.code, e.message, e.raw, e.start_byte, e.end_byte, e.key, $11
         FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[])
              AS e (line, column_name, code, message, raw, start_byte, end_byte, key)`,
      [
        ref.workspaceId, ref.importId,
        errors.map((e) => e.line), errors.map((e) => e.column), errors.map((e) => e.code), errors.map((e) => e.message),
        errors.map((e) => e.raw), errors.map((e) => e.startByte), errors.map((e) => e.endByte), errors.map((e) => e.key ?? null), source,
      ],
    );
  }

  async saveCheckpoint(tx: Tx, ref: ImportRef, checkpoint: Checkpoint, rows: number, finished: boolean): Promise<void> {
    await tx.query(
      `UPDATE imports SET staged_bytes = $3, staged_lines = $4, staged_count = staged_count + $5,
              staged_at = CASE WHEN $6 THEN now() END, updated_at = now()
        WHERE workspace_id = $1 AND id = $2`,
      [ref.workspaceId, ref.importId, checkpoint.bytes, checkpoint.lines, rows, finished],
    );
  }
}
