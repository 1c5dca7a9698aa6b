import type { Approval } from '../approval/approval-gates.js';
import type { Decision } from '../approval/approval.repository.js';
import type { ImportState } from '../../state/import.machine.js';
import type { PersistedImport } from '../../state/import-snapshot.js';
import type { ImportConfig, MappedColumn } from './import-config.js';

/** Which import: every query carries the workspace. */
export interface ImportRef {
  workspaceId: string;
  importId: string;
}

export const PHASES = ['waiting', 'staging', 'planning', 'applying', 'linking', 'grouping', 'done'] as const;
export type Phase = (typeof PHASES)[number];

export interface OpCounts {
  create: number;
  update: number;
  unchanged: number;
  deactivate: number;
  delete: number;
  error: number;
}

export const ZERO_COUNTS: OpCounts = { create: 0, update: 0, unchanged: 0, deactivate: 0, delete: 0, error: 0 };

/** An import as stored. */
export interface ImportRecord extends ImportRef {
  seq: number;
  state: ImportState;
  persisted: PersistedImport;
  file: { id: string; name: string; size: number; sha256: string };
  /** When retention removed the file's bytes and the staged lines (null: they are there). */
  purgedAt: string | null;
  config: ImportConfig;
  /** The saved profile the config was copied from, if any. */
  profileId: string | null;
  /** The source the file was pulled from, and the schedule whose run pulled it. */
  sourceId: string | null;
  scheduleId: string | null;
  requestedBy: string;
  requestedByKey: string | null;
  idempotencyKey: string | null;
  stateTimes: Partial<Record<ImportState, string>>;
  failureReason: string | null;
  phase: Phase;
  headers: string[] | null;
  delimiter: string | null;
  resolvedMapping: MappedColumn[] | null;
  stagedBytes: number;
  stagedLines: number;
  stagedAt: string | null;
  plannedAt: string | null;
  plannedVersion: number | null;
  applyStartedAt: string | null;
  /** The apply passes' checkpoints: people (the plan's seq), manager links, groups. */
  appliedLine: number;
  linkedSeq: number;
  groupedSeq: number;
  appliedBytes: number;
  counts: OpCounts;
  applied: OpCounts;
  /** API keys that changed the config after the import was created (four eyes refuses them too). */
  configEditors: string[];
  /** The gates' verdict on the current plan, once planned. */
  approval: Approval | null;
  /** Who approved or rejected it, or that no one had to (auto-approved). */
  decision: Decision | null;
  createdAt: string;
  updatedAt: string;
}
