import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { asSystem, inWorkspace } from '../database/db-scope.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import { originalLines } from '../imports/original-line.js';

/** Imports purged per run; the next run (an hour later) takes the rest. */
const IMPORTS_PER_RUN = 100;
/** Line errors given their original line per transaction. */
const ERRORS_PER_STEP = 500;

interface Due {
  workspaceId: string;
  importId: string;
  fileId: string;
}

/**
 * Removes what a finished import no longer needs once ROSTERSYNC_RETENTION_DAYS have passed since
 * it finished (COMPLETED or CANCELLED; a FAILED import can still be resumed, so it keeps all):
 * the stored file's bytes and the staged lines, about 580 MB for a million-line file. What the
 * import did stays: counts, events, planned changes (people's history), group changes, the file's
 * name, size and sha256, and the line errors, whose original lines are copied from the file first.
 */
@Injectable()
export class ImportRetention {
  private readonly logger = new Logger('retention');

  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly db: Database,
    @Inject(FILE_STORE) private readonly files: FileStore,
  ) {}

  /** Purges the imports due; returns how many. */
  async purgeDue(): Promise<number> {
    if (this.env.retentionDays === 0) return 0;
    const due = await asSystem(() =>
      this.db.query<Due>(
        `SELECT workspace_id AS "workspaceId", id AS "importId", file_id AS "fileId" FROM imports
          WHERE state IN ('COMPLETED', 'CANCELLED') AND purged_at IS NULL
            AND coalesce((state_times->>state)::timestamptz, updated_at) < now() - make_interval(days => $1)
          ORDER BY updated_at LIMIT $2`,
        [this.env.retentionDays, IMPORTS_PER_RUN],
      ),
    );
    let purged = 0;
    for (const one of due) {
      // One import that cannot be purged (logged) does not hold up the others.
      try {
        if (await inWorkspace(one.workspaceId, () => this.purge(one))) purged++;
      } catch (error) {
        this.logger.error({ workspaceId: one.workspaceId, importId: one.importId, err: error }, 'could not purge a finished import');
      }
    }
    if (purged) this.logger.log({ imports: purged, days: this.env.retentionDays }, 'purged finished imports');
    return purged;
  }

  /** Whether it purged the import (false: another run did, or it is not due any more). */
  private async purge({ workspaceId, importId, fileId }: Due): Promise<boolean> {
    // Each step is its own short transaction and can be repeated: a purge cut short is taken up again.
    for (;;) {
      const errors = await this.db.query<{ id: string; start: string; end: string }>(
        `SELECT id, start_byte AS start, end_byte AS "end" FROM import_errors
          WHERE workspace_id = $1 AND import_id = $2 AND raw IS NULL AND start_byte IS NOT NULL ORDER BY id LIMIT $3`,
        [workspaceId, importId, ERRORS_PER_STEP],
      );
      if (!errors.length) break;
      const lines = await originalLines(this.files, workspaceId, fileId, errors);
      await this.db.query(
        `UPDATE import_errors e SET raw = v.raw FROM unnest($3::bigint[], $4::text[]) AS v(id, raw)
          WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.id = v.id AND e.raw IS NULL`,
        [workspaceId, importId, errors.map((e) => e.id), lines],
      );
    }
    return this.db.transaction(async (tx) => {
      const [still] = await tx.query<{ due: boolean }>(
        `SELECT state IN ('COMPLETED', 'CANCELLED') AND purged_at IS NULL AS due FROM imports WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
        [workspaceId, importId],
      );
      if (!still?.due) return false;
      // Every line error has its original line: the file can go.
      const [{ waiting }] = await tx.query<{ waiting: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM import_errors WHERE workspace_id = $1 AND import_id = $2 AND raw IS NULL AND start_byte IS NOT NULL) AS waiting',
        [workspaceId, importId],
      );
      if (waiting) throw new Error('line errors without their original line are left; the next run copies them');
      await tx.query('DELETE FROM staged_rows WHERE workspace_id = $1 AND import_id = $2', [workspaceId, importId]);
      await tx.query(
        `DELETE FROM file_chunks c WHERE c.workspace_id = $1 AND c.file_id = $3
            AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.workspace_id = $1 AND i.file_id = $3 AND i.id <> $2 AND i.purged_at IS NULL)`,
        [workspaceId, importId, fileId],
      );
      await tx.query('UPDATE imports SET purged_at = now() WHERE workspace_id = $1 AND id = $2', [workspaceId, importId]);
      return true;
    });
  }
}
