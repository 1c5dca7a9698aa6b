import type { ImportState } from '../../state/import.machine.js';
import { gatesTripped, type ApprovalReason } from '../approval/approval-gates.js';
import type { Decision } from '../approval/approval.repository.js';
import type { ImportConfig } from './import-config.js';
import { statusLabel } from './import-status.js';
import type { ImportRecord, OpCounts, Phase } from './import-record.js';

export interface ImportProgress {
  phase: Phase;
  linesProcessed: number;
  bytesProcessed: number;
  totalBytes: number;
  percent: number;
}

/** An import as the API (and a webhook) shows it. */
export interface ImportView {
  id: string;
  state: ImportState;
  status: string;
  file: { name: string; size: number; sha256: string };
  config: ImportConfig;
  profileId: string | null;
  sourceId: string | null;
  scheduleId: string | null;
  columns: string[] | null;
  mapping: { column: string; field: string }[] | null;
  progress: ImportProgress;
  counts: OpCounts;
  applied: Pick<OpCounts, 'create' | 'update' | 'deactivate' | 'delete'>;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  stateTimes: Partial<Record<ImportState, string>>;
  failureReason: string | null;
  purgedAt: string | null;
  approval: { required: boolean; reasons: ApprovalReason[] } | null;
  decision: Pick<Decision, 'kind' | 'by' | 'at' | 'comment'> | null;
}

/** An import as the API shows it. */
export function importView(record: ImportRecord): ImportView {
  return {
    id: record.importId,
    state: record.state,
    status: statusLabel(record),
    file: { name: record.file.name, size: record.file.size, sha256: record.file.sha256 },
    config: record.config,
    profileId: record.profileId,
    sourceId: record.sourceId,
    scheduleId: record.scheduleId,
    columns: record.headers,
    mapping: record.resolvedMapping?.map(({ column, field }) => ({ column, field })) ?? null,
    progress: progress(record),
    counts: record.counts,
    applied: { create: record.applied.create, update: record.applied.update, deactivate: record.applied.deactivate, delete: record.applied.delete },
    requestedBy: record.requestedBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stateTimes: record.stateTimes,
    failureReason: record.state === 'FAILED' ? record.failureReason : null,
    purgedAt: record.purgedAt,
    approval: record.approval && {
      // The gates' verdict on the current plan; the status says whether it still waits.
      required: gatesTripped(record),
      reasons: record.approval.reasons,
    },
    decision: record.decision && { kind: record.decision.kind, by: record.decision.by, at: record.decision.at, comment: record.decision.comment },
  };
}

function progress(record: ImportRecord): ImportProgress {
  const totalBytes = record.file.size;
  const applying = record.applyStartedAt !== null;
  const bytesProcessed = record.state === 'COMPLETED' ? totalBytes : applying ? record.appliedBytes : record.stagedBytes;
  const linesProcessed = applying ? Math.max(record.appliedLine, record.phase === 'done' ? record.stagedLines : 0) : record.stagedLines;
  const percent = totalBytes ? Math.min(100, Math.round((bytesProcessed / totalBytes) * 1000) / 10) : 100;
  return { phase: record.phase, linesProcessed, bytesProcessed, totalBytes, percent };
}
