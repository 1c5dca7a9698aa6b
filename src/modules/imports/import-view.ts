import { gatesTripped } from '../approval/approval-gates.js';
import { statusLabel } from './import-status.js';
import type { ImportRecord } from './import-record.js';

/** An import as the API shows it. */
export function importView(record: ImportRecord): Record<string, unknown> {
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
    approval: record.approval && {
      // The gates' verdict on the current plan; the status says whether it still waits.
      required: gatesTripped(record),
      reasons: record.approval.reasons,
    },
    decision: record.decision && { kind: record.decision.kind, by: record.decision.by, at: record.decision.at, comment: record.decision.comment },
  };
}

function progress(record: ImportRecord): Record<string, unknown> {
  const totalBytes = record.file.size;
  const applying = record.applyStartedAt !== null;
  const bytesProcessed = record.state === 'COMPLETED' ? totalBytes : applying ? record.appliedBytes : record.stagedBytes;
  const linesProcessed = applying ? Math.max(record.appliedLine, record.phase === 'done' ? record.stagedLines : 0) : record.stagedLines;
  const percent = totalBytes ? Math.min(100, Math.round((bytesProcessed / totalBytes) * 1000) / 10) : 100;
  return { phase: record.phase, linesProcessed, bytesProcessed, totalBytes, percent };
}
