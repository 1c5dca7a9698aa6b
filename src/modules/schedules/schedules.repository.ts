import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '../database/database.js';
import { pgErrorCode } from '../database/pg-error-code.js';
import { ValidationError } from '../http/domain-errors.js';

export interface Schedule {
  id: string;
  name: string;
  sourceId: string;
  profileId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ScheduleInput = Pick<Schedule, 'name' | 'sourceId' | 'profileId' | 'cron' | 'timezone' | 'enabled'>;

export const RUN_OUTCOMES = ['running', 'imported', 'unchanged', 'refused', 'failed', 'skipped'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface RunRef {
  workspaceId: string;
  scheduleId: string;
  jobId: string;
}

export interface ScheduleRun {
  jobId: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: RunOutcome;
  importId: string | null;
  fileName: string | null;
  message: string | null;
}

const COLUMNS = `id, name, source_id AS "sourceId", profile_id AS "profileId", cron, timezone, enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;
const RUN_COLUMNS = `job_id AS "jobId", started_at AS "startedAt", finished_at AS "finishedAt", outcome,
  import_id AS "importId", file_name AS "fileName", message`;

/** Schedules by workspace, and the record of every run. */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly db: Database) {}

  list(workspaceId: string): Promise<Schedule[]> {
    return this.db.query<Schedule>(`SELECT ${COLUMNS} FROM schedules WHERE workspace_id = $1 ORDER BY lower(name)`, [workspaceId]);
  }

  /** Every enabled schedule of every workspace: what the job queue's schedules should be. */
  listEnabled(): Promise<(Schedule & { workspaceId: string })[]> {
    return this.db.query(`SELECT ${COLUMNS}, workspace_id AS "workspaceId" FROM schedules WHERE enabled`);
  }

  async find(workspaceId: string, id: string): Promise<Schedule | undefined> {
    const [row] = await this.db.query<Schedule>(`SELECT ${COLUMNS} FROM schedules WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    return row;
  }

  /** Undefined when another schedule has that name. */
  async create(workspaceId: string, input: ScheduleInput): Promise<Schedule | undefined> {
    return references(async () => {
      const [row] = await this.db.query<Schedule>(
        `INSERT INTO schedules (workspace_id, name, source_id, profile_id, cron, timezone, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [workspaceId, input.name, input.sourceId, input.profileId, input.cron, input.timezone, input.enabled],
      );
      return row;
    });
  }

  async replace(workspaceId: string, id: string, input: ScheduleInput): Promise<Schedule | 'missing' | 'taken'> {
    const [taken] = await this.db.query(`SELECT 1 FROM schedules WHERE workspace_id = $1 AND lower(name) = lower($2) AND id <> $3`, [workspaceId, input.name, id]);
    if (taken) return 'taken';
    return references(async () => {
      const [row] = await this.db.query<Schedule>(
        `UPDATE schedules SET name = $3, source_id = $4, profile_id = $5, cron = $6, timezone = $7, enabled = $8, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [workspaceId, id, input.name, input.sourceId, input.profileId, input.cron, input.timezone, input.enabled],
      );
      return row ?? 'missing';
    });
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    return (await this.db.transaction((tx) => tx.execute('DELETE FROM schedules WHERE workspace_id = $1 AND id = $2', [workspaceId, id]))) > 0;
  }

  async runs(workspaceId: string, scheduleId: string, limit: number): Promise<ScheduleRun[]> {
    return this.db.query<ScheduleRun>(
      `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE workspace_id = $1 AND schedule_id = $2 ORDER BY started_at DESC LIMIT $3`,
      [workspaceId, scheduleId, limit],
    );
  }

  /**
   * Starts the run of a job, or returns the run it already has: a job handed out again (its worker
   * died) finds its run and does not pull twice once it got past 'running'.
   */
  async startRun(workspaceId: string, scheduleId: string, jobId: string): Promise<ScheduleRun | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO schedule_runs (workspace_id, schedule_id, job_id, outcome) VALUES ($1, $2, $3, 'running') ON CONFLICT DO NOTHING`,
        [workspaceId, scheduleId, jobId],
      );
      const [run] = await tx.query<ScheduleRun>(
        `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE workspace_id = $1 AND schedule_id = $2 AND job_id = $3 FOR UPDATE`,
        [workspaceId, scheduleId, jobId],
      );
      return run;
    });
  }

  /** Records how a run ended; with `tx`, in the transaction that created its import. */
  /** False when the run had finished already (another attempt of its job got there first). */
  async finishRun(ref: RunRef, result: { outcome: RunOutcome; importId?: string; fileName?: string; message?: string }, tx?: Tx): Promise<boolean> {
    const rows = await (tx ?? this.db).query(
      `UPDATE schedule_runs SET outcome = $4, import_id = $5, file_name = $6, message = $7, finished_at = now()
        WHERE workspace_id = $1 AND schedule_id = $2 AND job_id = $3 AND outcome = 'running' RETURNING 1`,
      [ref.workspaceId, ref.scheduleId, ref.jobId, result.outcome, result.importId ?? null, result.fileName ?? null, result.message ?? null],
    );
    return rows.length > 0;
  }

  /** Adds a note to a finished run (what the source's afterImport rule did). */
  async noteRun(ref: RunRef, message: string): Promise<void> {
    await this.db.query(`UPDATE schedule_runs SET message = $4 WHERE workspace_id = $1 AND schedule_id = $2 AND job_id = $3`, [
      ref.workspaceId, ref.scheduleId, ref.jobId, message,
    ]);
  }
}

/** A source or profile id that names nothing in the workspace is a 400 naming the field. */
async function references<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (pgErrorCode(error) !== '23503') throw error;
    const field = /profile/.test((error as Error & { constraint?: string }).constraint ?? (error as Error).message) ? 'profileId' : 'sourceId';
    throw new ValidationError(`body is invalid: ${field} names no ${field === 'profileId' ? 'profile' : 'source'} of this workspace`, [{ field, message: 'not found' }]);
  }
}
