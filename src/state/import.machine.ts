import { assign, setup } from 'xstate';

/** The public states of an import, as PRODUCT.md draws them. */
export const IMPORT_STATES = [
  'DRAFT',
  'PREVIEW_PENDING',
  'CREATING_PREVIEW',
  'PREVIEW_READY',
  'IMPORT_PENDING',
  'IMPORTING',
  'COMPLETED',
  'CANCELLED',
  'FAILED',
] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

export type ImportEvent =
  /** API: PATCH state=PREVIEW_PENDING */
  | { type: 'REQUEST_PREVIEW' }
  /** API: PATCH state=IMPORT_PENDING (import, approve a held import, skip the preview, or retry after a failure) */
  | { type: 'REQUEST_IMPORT' }
  /** API: PATCH state=CANCELLED */
  | { type: 'CANCEL' }
  /** API: PUT config; the preview, if any, is stale */
  | { type: 'CHANGE_CONFIG' }
  /** Worker: a preview job started */
  | { type: 'PREVIEW_STARTED' }
  /** Worker: the plan is ready to be looked at */
  | { type: 'PREVIEW_FINISHED' }
  /** Worker: an apply job started */
  | { type: 'IMPORT_STARTED' }
  /** Worker: the plan trips an approval gate and has no approval: it waits for a person */
  | { type: 'HOLD_FOR_APPROVAL' }
  /** Worker: every planned change is written */
  | { type: 'IMPORT_FINISHED' }
  /** Worker: a problem no retry can fix */
  | { type: 'FAIL'; reason: string };

export interface ImportContext {
  failureReason: string | null;
}

/** Effects the machine asks for; the driver performs them in the same transaction. */
export type ImportEffect = 'enqueuePreview' | 'enqueueApply';

export const importMachine = setup({
  types: {
    context: {} as ImportContext,
    events: {} as ImportEvent,
  },
  actions: {
    enqueuePreview: () => undefined,
    enqueueApply: () => undefined,
    recordFailure: assign({
      failureReason: ({ event }) => (event.type === 'FAIL' ? event.reason : null),
    }),
    clearFailure: assign({ failureReason: null }),
  },
}).createMachine({
  id: 'import',
  initial: 'DRAFT',
  context: { failureReason: null },
  states: {
    DRAFT: {
      on: {
        REQUEST_PREVIEW: { target: 'PREVIEW_PENDING', actions: 'enqueuePreview' },
        REQUEST_IMPORT: { target: 'IMPORT_PENDING', actions: 'enqueueApply' },
        CHANGE_CONFIG: { target: 'DRAFT' },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    PREVIEW_PENDING: {
      on: {
        PREVIEW_STARTED: { target: 'CREATING_PREVIEW' },
        // A job that could not even start (the database gone for its every attempt) fails the import.
        FAIL: { target: 'FAILED', actions: 'recordFailure' },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    CREATING_PREVIEW: {
      on: {
        PREVIEW_FINISHED: { target: 'PREVIEW_READY' },
        FAIL: { target: 'FAILED', actions: 'recordFailure' },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    PREVIEW_READY: {
      on: {
        REQUEST_IMPORT: { target: 'IMPORT_PENDING', actions: 'enqueueApply' },
        CHANGE_CONFIG: { target: 'DRAFT' },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    IMPORT_PENDING: {
      on: {
        IMPORT_STARTED: { target: 'IMPORTING' },
        FAIL: { target: 'FAILED', actions: 'recordFailure' },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    IMPORTING: {
      on: {
        IMPORT_FINISHED: { target: 'COMPLETED' },
        // Planned in the apply (the preview was skipped, or the directory changed since): over a gate.
        HOLD_FOR_APPROVAL: { target: 'PREVIEW_READY' },
        FAIL: { target: 'FAILED', actions: 'recordFailure' },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    FAILED: {
      on: {
        // Retrying resumes from the last checkpoint.
        REQUEST_IMPORT: { target: 'IMPORT_PENDING', actions: ['clearFailure', 'enqueueApply'] },
        CANCEL: { target: 'CANCELLED' },
      },
    },
    COMPLETED: { type: 'final' },
    CANCELLED: { type: 'final' },
  },
});

export type ImportMachine = typeof importMachine;
