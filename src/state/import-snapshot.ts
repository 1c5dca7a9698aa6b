import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import {
  importMachine,
  IMPORT_STATES,
  type ImportContext,
  type ImportEffect,
  type ImportEvent,
  type ImportState,
} from './import.machine.js';

/** Bumped whenever a change to the machine would misread snapshots persisted before it. */
export const MACHINE_VERSION = 1;

export type ImportSnapshot = SnapshotFrom<typeof importMachine>;

/** What is stored in the imports table's `snapshot` column. */
export interface PersistedImport {
  machineVersion: number;
  snapshot: unknown;
}

export interface TransitionResult {
  /** False when the event does nothing in the current state: a request to refuse, or a late duplicate. */
  accepted: boolean;
  state: ImportState;
  context: ImportContext;
  persisted: PersistedImport;
  effects: ImportEffect[];
}

const EFFECTS: ReadonlySet<string> = new Set<ImportEffect>(['enqueuePreview', 'enqueueApply']);

export function initialImport(): TransitionResult {
  const [snapshot] = initialTransition(importMachine);
  return describe(snapshot, true, []);
}

export function restore(persisted: PersistedImport): ImportSnapshot {
  if (persisted.machineVersion !== MACHINE_VERSION) {
    throw new Error(`import snapshot has machine version ${persisted.machineVersion}, expected ${MACHINE_VERSION}`);
  }
  return importMachine.resolveState(persisted.snapshot as Parameters<typeof importMachine.resolveState>[0]);
}

/** The pure step: where `event` takes the import, and the effects it asks for. Runs nothing. */
export function step(persisted: PersistedImport, event: ImportEvent): TransitionResult {
  const current = restore(persisted);
  if (!current.can(event)) return describe(current, false, []);
  const [next, actions] = transition(importMachine, current, event);
  const effects = actions.map((action) => action.type).filter((type): type is ImportEffect => EFFECTS.has(type));
  return describe(next, true, effects);
}

/** The events the current state accepts, of those a client may send. */
export function allowedEvents(persisted: PersistedImport, candidates: ImportEvent[]): ImportEvent[] {
  const current = restore(persisted);
  return candidates.filter((event) => current.can(event));
}

export function stateOf(snapshot: ImportSnapshot): ImportState {
  const value = snapshot.value as string;
  if (!(IMPORT_STATES as readonly string[]).includes(value)) throw new Error(`unknown import state ${value}`);
  return value as ImportState;
}

function describe(snapshot: ImportSnapshot, accepted: boolean, effects: ImportEffect[]): TransitionResult {
  return {
    accepted,
    state: stateOf(snapshot),
    context: snapshot.context,
    persisted: {
      machineVersion: MACHINE_VERSION,
      snapshot: JSON.parse(JSON.stringify(importMachine.getPersistedSnapshot(snapshot))),
    },
    effects,
  };
}
