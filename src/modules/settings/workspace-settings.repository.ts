import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { TooSoonError } from '../http/domain-errors.js';

export interface WorkspaceSettings {
  /** After a successful import, a new one is refused for this many minutes; null: no limit. */
  minIntervalMinutes: number | null;
}

/** A workspace's settings, and the pacing of its imports they ask for. */
@Injectable()
export class WorkspaceSettingsRepository {
  constructor(private readonly db: Database) {}

  async get(workspaceId: string): Promise<WorkspaceSettings> {
    const [row] = await this.db.query<WorkspaceSettings>(`SELECT min_interval_minutes AS "minIntervalMinutes" FROM workspaces WHERE id = $1`, [workspaceId]);
    return row;
  }

  async put(workspaceId: string, settings: WorkspaceSettings): Promise<WorkspaceSettings> {
    const [row] = await this.db.query<WorkspaceSettings>(
      `UPDATE workspaces SET min_interval_minutes = $2 WHERE id = $1 RETURNING min_interval_minutes AS "minIntervalMinutes"`,
      [workspaceId, settings.minIntervalMinutes],
    );
    return row;
  }

  /**
   * Throws TooSoonError (429, with the time of the next allowed import) when the last successful
   * import completed less than `minIntervalMinutes` ago. Failed and cancelled imports do not count.
   */
  async assertImportAllowed(workspaceId: string): Promise<void> {
    const [row] = await this.db.query<{ next: Date | null; minutes: number | null }>(
      `SELECT w.min_interval_minutes AS minutes, last.at + make_interval(mins => w.min_interval_minutes) AS next
         FROM workspaces w
         LEFT JOIN LATERAL (SELECT max((i.state_times->>'COMPLETED')::timestamptz) AS at
                              FROM imports i WHERE i.workspace_id = w.id AND i.state = 'COMPLETED') last ON true
        WHERE w.id = $1 AND last.at + make_interval(mins => w.min_interval_minutes) > now()`,
      [workspaceId],
    );
    if (row?.next) {
      throw new TooSoonError(
        `The last import completed less than ${row.minutes} minutes ago (the workspace's minIntervalMinutes): the next one is allowed at ${row.next.toISOString()}.`,
        row.next,
      );
    }
  }
}
