import type { ImportRecord, OpCounts } from '../imports/import-record.js';
import type { ApprovalConfig, CountGate, GateLimit } from '../imports/import-config.js';

/** One reason an import waits for a person: which gate, and what it saw. */
export interface ApprovalReason {
  gate: CountGate | 'emptyColumns' | 'schemaDrift';
  message: string;
}

/** Whether the current plan needs a person's approval, and why. */
export interface Approval {
  required: boolean;
  reasons: ApprovalReason[];
  /** The plan these were judged on: an approval holds for this plan only. */
  plannedAt: string;
}

/** What the gates look at, gathered when the plan is made. */
export interface GateSignals {
  counts: OpCounts;
  /** Active people in the workspace before the import: what a percentage is of. */
  activePeople: number;
  /** Mapped columns with no value on any line (only when the file has lines). */
  emptyColumns: string[];
  /** The headers of the last successful import of the same profile, if any. */
  previousHeaders: string[] | null;
  headers: string[];
}

const COUNTED: { gate: CountGate; op: keyof OpCounts; noun: [string, string] }[] = [
  { gate: 'maxCreates', op: 'create', noun: ['person would be created', 'people would be created'] },
  { gate: 'maxUpdates', op: 'update', noun: ['person would be updated', 'people would be updated'] },
  { gate: 'maxDeactivations', op: 'deactivate', noun: ['person would be deactivated', 'people would be deactivated'] },
  { gate: 'maxDeletions', op: 'delete', noun: ['person would be deleted', 'people would be deleted'] },
];

/** The gates a plan trips, in a fixed order; none means it may apply without a person. */
export function trippedGates(config: ApprovalConfig, signals: GateSignals): ApprovalReason[] {
  const reasons: ApprovalReason[] = [];
  for (const { gate, op, noun } of COUNTED) {
    const limit = config[gate];
    if (limit === null) continue;
    const allowed = allowance(limit, signals.activePeople);
    const actual = signals.counts[op];
    if (actual > allowed) {
      const of = typeof limit === 'string' ? ` (${limit} of ${signals.activePeople} active people)` : '';
      reasons.push({ gate, message: `${actual} ${noun[actual === 1 ? 0 : 1]}: more than the ${gate} limit of ${allowed}${of}.` });
    }
  }
  if (config.emptyColumns && signals.emptyColumns.length) {
    const columns = signals.emptyColumns.map((column) => `"${column}"`).join(', ');
    reasons.push({ gate: 'emptyColumns', message: `The mapped column${signals.emptyColumns.length > 1 ? 's' : ''} ${columns} ${signals.emptyColumns.length > 1 ? 'are' : 'is'} empty on every line: is the export broken?` });
  }
  if (config.schemaDrift && signals.previousHeaders) {
    const drift = describeDrift(signals.previousHeaders, signals.headers);
    if (drift) reasons.push({ gate: 'schemaDrift', message: `The columns differ from the last successful import of this profile: ${drift}.` });
  }
  return reasons;
}

/** How many people a limit allows: a count as it is; a percentage of the active people, rounded down. */
export function allowance(limit: GateLimit, activePeople: number): number {
  return typeof limit === 'number' ? limit : Math.floor((parseFloat(limit) / 100) * activePeople);
}

function describeDrift(before: string[], now: string[]): string | null {
  const added = now.filter((column) => !before.includes(column));
  const removed = before.filter((column) => !now.includes(column));
  const parts: string[] = [];
  if (added.length) parts.push(`added ${added.map((c) => `"${c}"`).join(', ')}`);
  if (removed.length) parts.push(`removed ${removed.map((c) => `"${c}"`).join(', ')}`);
  if (!parts.length && before.join('\u0000') !== now.join('\u0000')) parts.push('the same columns in another order');
  return parts.length ? parts.join('; ') : null;
}

type ApprovalFacts = Pick<ImportRecord, 'state' | 'approval' | 'decision' | 'plannedAt'>;

/** The gates tripped on the current plan (a verdict on an earlier plan does not count). */
export function gatesTripped(record: ApprovalFacts): boolean {
  return !!record.approval?.required && record.approval.plannedAt === record.plannedAt;
}

/** A person approved the current plan. */
export function approvedCurrentPlan(record: ApprovalFacts): boolean {
  return record.decision?.kind === 'approved' && record.decision.plannedAt === record.plannedAt;
}

/** Held in PREVIEW_READY until a person approves or rejects it. */
export function awaitsApproval(record: ApprovalFacts): boolean {
  return record.state === 'PREVIEW_READY' && gatesTripped(record) && !approvedCurrentPlan(record);
}
