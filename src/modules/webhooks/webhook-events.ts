import { awaitsApproval } from '../approval/approval-gates.js';
import type { ImportRecord } from '../imports/import-record.js';

/** What a webhook can subscribe to; `*` is all of them. */
export const WEBHOOK_EVENTS = ['import.state_changed', 'import.completed', 'import.failed', 'import.waiting_for_approval'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The events one state change raises: always state_changed, and the one its new state means. */
export function eventsFor(after: Pick<ImportRecord, 'state' | 'approval' | 'plannedAt' | 'decision'>): WebhookEvent[] {
  const events: WebhookEvent[] = ['import.state_changed'];
  if (after.state === 'COMPLETED') events.push('import.completed');
  if (after.state === 'FAILED') events.push('import.failed');
  if (awaitsApproval(after)) events.push('import.waiting_for_approval');
  return events;
}
