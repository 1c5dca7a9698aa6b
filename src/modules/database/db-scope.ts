import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whose data the code running now may touch, carried with the async call chain: a request's
 * workspace (and its API key, the actor of the audit log), a job's workspace, or system work
 * (authentication, schedules at boot) that spans workspaces. Every transaction sets it for
 * PostgreSQL, whose row-level security admits only that workspace's rows: a query that forgets its
 * workspace filter finds nothing of another workspace.
 */
export interface DbScope {
  /** null only in system work. */
  workspaceId: string | null;
  /** Every workspace: set only by asSystem. */
  system: boolean;
  /** Who acts: an API key's name, or null for rostersync itself. */
  actor: string | null;
  actorKeyId: string | null;
}

const storage = new AsyncLocalStorage<DbScope>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function currentScope(): DbScope | undefined {
  return storage.getStore();
}

/** Runs `work` with one workspace's data. */
export function inWorkspace<T>(workspaceId: string, work: () => T, actor: { name: string; keyId: string } | null = null): T {
  // A missing id must not widen the scope (it would be every workspace or none, silently).
  if (!UUID.test(workspaceId ?? '')) throw new Error(`inWorkspace needs a workspace id, got ${JSON.stringify(workspaceId)}`);
  return storage.run({ workspaceId, system: false, actor: actor?.name ?? null, actorKeyId: actor?.keyId ?? null }, work);
}

/** Runs `work` across workspaces: only for what has no workspace yet (a key looked up, a boot-time scan). */
export function asSystem<T>(work: () => T): T {
  return storage.run({ workspaceId: null, system: true, actor: null, actorKeyId: null }, work);
}

/** Raised when the database is used with no scope: a missing inWorkspace/asSystem is a bug, not an empty answer. */
export class NoDbScopeError extends Error {
  constructor() {
    super('database access outside a workspace or system scope (wrap the caller in inWorkspace or asSystem)');
  }
}
