import { awaitsApproval } from '../approval/approval-gates.js';
import type { ImportRecord } from './import-record.js';

/**
 * An import's status as a person reads it: File Processing, Waiting for Approval, Approved by X,
 * Rejected by X, Auto-Approved, Completed, Cancelled, Error while processing (with the reason).
 */
export function statusLabel(record: Pick<ImportRecord, 'state' | 'approval' | 'decision' | 'failureReason' | 'plannedAt'>): string {
  const { decision } = record;
  switch (record.state) {
    case 'DRAFT':
      return 'Draft';
    case 'PREVIEW_PENDING':
    case 'CREATING_PREVIEW':
      return 'File Processing';
    case 'PREVIEW_READY':
      return awaitsApproval(record) ? 'Waiting for Approval' : 'Preview Ready';
    case 'IMPORT_PENDING':
    case 'IMPORTING':
      if (decision?.kind === 'approved') return `Approved by ${decision.by}`;
      if (decision?.kind === 'auto-approved') return 'Auto-Approved';
      return 'File Processing';
    case 'COMPLETED':
      return 'Completed';
    case 'CANCELLED':
      return decision?.kind === 'rejected' ? `Rejected by ${decision.by}` : 'Cancelled';
    case 'FAILED':
      return `Error while processing: ${record.failureReason ?? 'unknown reason'}`;
  }
}
