import { Injectable } from '@nestjs/common';
import type { ImportState } from '../../state/import.machine.js';
import type { TransitionResult } from '../../state/import-snapshot.js';
import { Database, type Tx } from '../database/database.js';
import { ImportInterrupted } from '../staging/pipeline-errors.js';
import { normaliseConfig, type ConfigInput, type ImportConfig } from './import-config.js';
import { ImportEventsRepository } from './import-events.repository.js';
import { ZERO_COUNTS, type ImportRecord, type ImportRef } from './import-record.js';

const SELECT_IMPORT = `
  SELECT i.*, f.name AS file_name, f.size AS file_size, f.sha256 AS file_sha256
    FROM imports i JOIN files f ON f.workspace_id = i.workspace_id AND f.id = i.file_id`;

export interface NewImport {
  workspaceId: string;
  fileId: string;
  config: ImportConfig;
  profileId: string | null;
  requestedBy: string;
  requestedByKey: string | null;
  idempotencyKey: string | null;
  initial: TransitionResult;
  /** A file pulled from a source: the source, the schedule that ran it, the pulled bytes' sha256. */
  pulled?: { sourceId: string; scheduleId: string | null; sha256: string };
}

export interface ClaimedImport {
  state: ImportState;
  stagedBytes: number;
  /** The apply passes' checkpoints: people, manager links, groups. */
  appliedLine: number;
  linkedSeq: number;
  groupedSeq: number;
}

export interface ImportPage {
  items: ImportRecord[];
  total: number;
}

@Injectable()
export class ImportsRepository {
  constructor(
    private readonly db: Database,
    private readonly events: ImportEventsRepository,
  ) {}

  async insert(tx: Tx, input: NewImport): Promise<string> {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO imports (workspace_id, state, snapshot, machine_version, file_id, config, requested_by, requested_by_key,
                            idempotency_key, profile_id, source_id, schedule_id, fetched_sha256, state_times)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, jsonb_build_object($2::text, now()))
       RETURNING id`,
      [
        input.workspaceId, input.initial.state, input.initial.persisted.snapshot, input.initial.persisted.machineVersion,
        input.fileId, input.config, input.requestedBy, input.requestedByKey, input.idempotencyKey, input.profileId,
        input.pulled?.sourceId ?? null, input.pulled?.scheduleId ?? null, input.pulled?.sha256 ?? null,
      ],
    );
    await this.events.append(tx, { workspaceId: input.workspaceId, importId: row.id }, {
      type: 'created',
      toState: input.initial.state,
      actor: input.requestedBy,
      details: { profileId: input.profileId, sourceId: input.pulled?.sourceId ?? null, scheduleId: input.pulled?.scheduleId ?? null },
    });
    return row.id;
  }

  async findIdByIdempotencyKey(workspaceId: string, key: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ id: string }>(
      'SELECT id FROM imports WHERE workspace_id = $1 AND idempotency_key = $2',
      [workspaceId, key],
    );
    return row?.id;
  }

  async find(ref: ImportRef, tx?: Tx): Promise<ImportRecord | undefined> {
    const sql = `${SELECT_IMPORT} WHERE i.workspace_id = $1 AND i.id = $2`;
    const params = [ref.workspaceId, ref.importId];
    const [row] = tx ? await tx.query(sql, params) : await this.db.query(sql, params);
    return row ? toRecord(row) : undefined;
  }

  /** Locks the import row for the rest of the transaction; undefined when it does not exist. */
  async lock(tx: Tx, ref: ImportRef): Promise<ImportRecord | undefined> {
    const [row] = await tx.query(`${SELECT_IMPORT} WHERE i.workspace_id = $1 AND i.id = $2 FOR UPDATE OF i`, [
      ref.workspaceId, ref.importId,
    ]);
    return row ? toRecord(row) : undefined;
  }

  /**
   * Locks the import for a batch of `attempt` and checks the batch may go on: the import is in one
   * of `states` and no later attempt (a worker that took over a job thought dead) owns it.
   */
  async claim(tx: Tx, ref: ImportRef, states: ImportState[], attempt: string): Promise<ClaimedImport> {
    const [row] = await tx.query<{ state: ImportState; attempt: string | null; staged_bytes: string; applied_line: number; linked_seq: number; grouped_seq: number }>(
      'SELECT state, attempt, staged_bytes, applied_line, linked_seq, grouped_seq FROM imports WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
      [ref.workspaceId, ref.importId],
    );
    if (!row || !states.includes(row.state)) throw new ImportInterrupted(`import is ${row?.state ?? 'gone'}`);
    if (row.attempt !== attempt) throw new ImportInterrupted(`attempt ${row.attempt} took the import over from ${attempt}`);
    return { state: row.state, stagedBytes: Number(row.staged_bytes), appliedLine: row.applied_line, linkedSeq: row.linked_seq, groupedSeq: row.grouped_seq };
  }

  /**
   * Makes `attempt` ("<job id>/<retry count>") the owner of the import; batches of earlier attempts
   * are refused from now on. An attempt of the same job older than the owner (a worker that froze
   * before taking over) is refused instead.
   */
  async takeOver(ref: ImportRef, attempt: string): Promise<void> {
    const [jobId, retry] = attempt.split('/');
    const rows = await this.db.query<{ id: string }>(
      `UPDATE imports SET attempt = $3
        WHERE workspace_id = $1 AND id = $2
          AND (attempt IS NULL OR split_part(attempt, '/', 1) <> $4 OR split_part(attempt, '/', 2)::int <= $5)
        RETURNING id`,
      [ref.workspaceId, ref.importId, attempt, jobId, Number(retry)],
    );
    if (!rows.length) throw new ImportInterrupted(`a newer attempt than ${attempt} owns the import`);
  }

  async list(workspaceId: string, state: ImportState | undefined, page: number, pageSize: number): Promise<ImportPage> {
    const filter = state ? 'AND i.state = $2' : 'AND $2::text IS NULL';
    const rows = await this.db.query(
      `${SELECT_IMPORT} WHERE i.workspace_id = $1 ${filter} ORDER BY i.seq DESC LIMIT $3 OFFSET $4`,
      [workspaceId, state ?? null, pageSize, (page - 1) * pageSize],
    );
    const [{ total }] = await this.db.query<{ total: string }>(
      `SELECT count(*) AS total FROM imports i WHERE i.workspace_id = $1 ${filter}`,
      [workspaceId, state ?? null],
    );
    return { items: rows.map(toRecord), total: Number(total) };
  }

  async saveTransition(tx: Tx, ref: ImportRef, result: TransitionResult): Promise<void> {
    await tx.query(
      `UPDATE imports
          SET state = $3, snapshot = $4, machine_version = $5, failure_reason = $6,
              state_times = state_times || jsonb_build_object($3::text, now()), updated_at = now()
        WHERE workspace_id = $1 AND id = $2`,
      [
        ref.workspaceId, ref.importId, result.state, result.persisted.snapshot, result.persisted.machineVersion,
        result.context.failureReason,
      ],
    );
  }

  /** A new config makes everything read and planned so far stale. */
  /** A new config: staging and plan are dropped, the decision too; `editorKey` is remembered (four eyes). */
  async replaceConfig(tx: Tx, ref: ImportRef, config: ImportConfig, editorKey: string): Promise<void> {
    await tx.query('DELETE FROM staged_rows WHERE workspace_id = $1 AND import_id = $2', [ref.workspaceId, ref.importId]);
    await tx.query('DELETE FROM import_errors WHERE workspace_id = $1 AND import_id = $2', [ref.workspaceId, ref.importId]);
    await tx.query('DELETE FROM import_changes WHERE workspace_id = $1 AND import_id = $2', [ref.workspaceId, ref.importId]);
    await tx.query('DELETE FROM import_group_changes WHERE workspace_id = $1 AND import_id = $2', [ref.workspaceId, ref.importId]);
    await tx.query(
      `UPDATE imports
          SET config = $3, phase = 'waiting', headers = NULL, delimiter = NULL, resolved_mapping = NULL,
              staged_bytes = 0, staged_lines = 0, staged_count = 0, staged_at = NULL, planned_at = NULL, planned_version = NULL,
              counts = $4, approval = NULL, decision = NULL, updated_at = now(),
              config_editors = CASE WHEN $5::uuid = ANY (config_editors) THEN config_editors ELSE config_editors || $5::uuid END
        WHERE workspace_id = $1 AND id = $2`,
      [ref.workspaceId, ref.importId, config, ZERO_COUNTS, editorKey],
    );
  }
}

function toRecord(row: Record<string, unknown>): ImportRecord {
  const iso = (value: unknown): string | null => (value ? new Date(value as string).toISOString() : null);
  return {
    workspaceId: row.workspace_id as string,
    importId: row.id as string,
    seq: Number(row.seq),
    state: row.state as ImportState,
    persisted: { machineVersion: row.machine_version as number, snapshot: row.snapshot },
    file: { id: row.file_id as string, name: row.file_name as string, size: Number(row.file_size), sha256: row.file_sha256 as string },
    purgedAt: iso(row.purged_at),
    // Imports stored before an option existed get its default.
    config: normaliseConfig(row.config as ConfigInput),
    profileId: (row.profile_id as string) ?? null,
    sourceId: (row.source_id as string) ?? null,
    scheduleId: (row.schedule_id as string) ?? null,
    requestedBy: row.requested_by as string,
    requestedByKey: (row.requested_by_key as string) ?? null,
    idempotencyKey: (row.idempotency_key as string) ?? null,
    stateTimes: row.state_times as ImportRecord['stateTimes'],
    failureReason: (row.failure_reason as string) ?? null,
    phase: row.phase as ImportRecord['phase'],
    headers: (row.headers as string[]) ?? null,
    delimiter: (row.delimiter as string) ?? null,
    resolvedMapping: (row.resolved_mapping as ImportRecord['resolvedMapping']) ?? null,
    stagedBytes: Number(row.staged_bytes),
    stagedLines: Number(row.staged_lines),
    stagedAt: iso(row.staged_at),
    plannedAt: iso(row.planned_at),
    plannedVersion: row.planned_version === null ? null : Number(row.planned_version),
    applyStartedAt: iso(row.apply_started_at),
    appliedLine: Number(row.applied_line),
    linkedSeq: Number(row.linked_seq),
    groupedSeq: Number(row.grouped_seq),
    appliedBytes: Number(row.applied_bytes),
    counts: { ...ZERO_COUNTS, ...(row.counts as object) },
    applied: { ...ZERO_COUNTS, ...(row.applied as object) },
    configEditors: (row.config_editors as string[]) ?? [],
    approval: (row.approval as ImportRecord['approval']) ?? null,
    decision: (row.decision as ImportRecord['decision']) ?? null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
