import { describe, expect, it } from '@jest/globals';
import { IMPORT_STATES, type ImportEvent, type ImportState } from './import.machine.js';
import { initialImport, restore, step, stateOf, type PersistedImport } from './import-snapshot.js';

const EVENTS: ImportEvent[] = [
  { type: 'REQUEST_PREVIEW' },
  { type: 'REQUEST_IMPORT' },
  { type: 'CANCEL' },
  { type: 'CHANGE_CONFIG' },
  { type: 'PREVIEW_STARTED' },
  { type: 'PREVIEW_FINISHED' },
  { type: 'IMPORT_STARTED' },
  { type: 'HOLD_FOR_APPROVAL' },
  { type: 'IMPORT_FINISHED' },
  { type: 'FAIL', reason: 'the file is unreadable' },
];

/** Every legal move: state → event → [next state, effects]. Anything not listed is illegal. */
const LEGAL: Record<ImportState, Partial<Record<ImportEvent['type'], [ImportState, string[]]>>> = {
  DRAFT: {
    REQUEST_PREVIEW: ['PREVIEW_PENDING', ['enqueuePreview']],
    REQUEST_IMPORT: ['IMPORT_PENDING', ['enqueueApply']],
    CHANGE_CONFIG: ['DRAFT', []],
    CANCEL: ['CANCELLED', []],
  },
  PREVIEW_PENDING: { PREVIEW_STARTED: ['CREATING_PREVIEW', []], FAIL: ['FAILED', []], CANCEL: ['CANCELLED', []] },
  CREATING_PREVIEW: {
    PREVIEW_FINISHED: ['PREVIEW_READY', []],
    FAIL: ['FAILED', []],
    CANCEL: ['CANCELLED', []],
  },
  PREVIEW_READY: {
    REQUEST_IMPORT: ['IMPORT_PENDING', ['enqueueApply']],
    CHANGE_CONFIG: ['DRAFT', []],
    CANCEL: ['CANCELLED', []],
  },
  IMPORT_PENDING: { IMPORT_STARTED: ['IMPORTING', []], FAIL: ['FAILED', []], CANCEL: ['CANCELLED', []] },
  IMPORTING: { IMPORT_FINISHED: ['COMPLETED', []], HOLD_FOR_APPROVAL: ['PREVIEW_READY', []], FAIL: ['FAILED', []], CANCEL: ['CANCELLED', []] },
  FAILED: { REQUEST_IMPORT: ['IMPORT_PENDING', ['enqueueApply']], CANCEL: ['CANCELLED', []] },
  COMPLETED: {},
  CANCELLED: {},
};

/** The shortest path of events from DRAFT to each state. */
const PATHS: Record<ImportState, ImportEvent['type'][]> = {
  DRAFT: [],
  PREVIEW_PENDING: ['REQUEST_PREVIEW'],
  CREATING_PREVIEW: ['REQUEST_PREVIEW', 'PREVIEW_STARTED'],
  PREVIEW_READY: ['REQUEST_PREVIEW', 'PREVIEW_STARTED', 'PREVIEW_FINISHED'],
  IMPORT_PENDING: ['REQUEST_IMPORT'],
  IMPORTING: ['REQUEST_IMPORT', 'IMPORT_STARTED'],
  COMPLETED: ['REQUEST_IMPORT', 'IMPORT_STARTED', 'IMPORT_FINISHED'],
  CANCELLED: ['CANCEL'],
  FAILED: ['REQUEST_IMPORT', 'IMPORT_STARTED', 'FAIL'],
};

function reach(state: ImportState): PersistedImport {
  let persisted = initialImport().persisted;
  for (const type of PATHS[state]) {
    const event = EVENTS.find((candidate) => candidate.type === type)!;
    const result = step(persisted, event);
    expect(result.accepted).toBe(true);
    persisted = result.persisted;
  }
  expect(stateOf(restore(persisted))).toBe(state);
  return persisted;
}

describe('the import machine', () => {
  it('starts in DRAFT with no failure', () => {
    const start = initialImport();
    expect(start.state).toBe('DRAFT');
    expect(start.context.failureReason).toBeNull();
  });

  describe.each(IMPORT_STATES)('in %s', (state) => {
    it('survives a JSON round trip of its persisted snapshot', () => {
      const persisted = reach(state);
      const copy = JSON.parse(JSON.stringify(persisted)) as PersistedImport;
      expect(stateOf(restore(copy))).toBe(state);
      expect(restore(copy).context).toEqual(restore(persisted).context);
    });

    it.each(EVENTS.map((event) => [event.type, event] as const))('%s is legal exactly when the diagram says so', (_, event) => {
      const legal = LEGAL[state][event.type];
      const result = step(reach(state), event);
      if (legal) {
        expect(result.accepted).toBe(true);
        expect(result.state).toBe(legal[0]);
        expect(result.effects).toEqual(legal[1]);
      } else {
        expect(result.accepted).toBe(false);
        expect(result.state).toBe(state);
        expect(result.effects).toEqual([]);
      }
    });
  });

  it('records the reason of a failure and forgets it on retry', () => {
    const failed = step(reach('IMPORTING'), { type: 'FAIL', reason: 'no column maps to externalId' });
    expect(failed.context.failureReason).toBe('no column maps to externalId');
    const retried = step(failed.persisted, { type: 'REQUEST_IMPORT' });
    expect(retried.state).toBe('IMPORT_PENDING');
    expect(retried.context.failureReason).toBeNull();
  });

  it('refuses a snapshot written by another machine version', () => {
    const persisted = { ...reach('DRAFT'), machineVersion: 99 };
    expect(() => restore(persisted)).toThrow(/machine version 99/);
  });
});
