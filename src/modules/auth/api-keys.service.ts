import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '../database/database.js';
import { generateKey, hashKey, keyPrefix, type KeyRole } from './api-key.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { WorkspacesRepository } from './workspaces.repository.js';

export interface CreatedKey {
  workspace: string;
  workspaceId: string;
  workspaceCreated: boolean;
  id: string;
  name: string;
  role: KeyRole;
  /** The secret: shown once, never stored. */
  key: string;
}

/** Any constant: concurrent first starts bootstrap the default workspace once. */
const BOOTSTRAP_LOCK = 7_134_201_912;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: Database,
    private readonly keys: ApiKeysRepository,
    private readonly workspaces: WorkspacesRepository,
  ) {}

  /** Creates a key, and its workspace when no workspace has that name yet (system work: the keys CLI, tests). */
  async create(workspace: string, name: string, role: KeyRole, secret = generateKey()): Promise<CreatedKey> {
    return this.db.transaction((tx) => this.createIn(tx, workspace, name, role, secret));
  }

  /** A key of an existing workspace (an admin's request, in that workspace's scope). */
  async add(workspaceId: string, name: string, role: KeyRole, secret = generateKey()): Promise<Pick<CreatedKey, 'id' | 'name' | 'role' | 'key'>> {
    const id = await this.db.transaction((tx) => this.keys.insert(tx, workspaceId, name, role, hashKey(secret), keyPrefix(secret)));
    return { id, name, role, key: secret };
  }

  /**
   * On a deployment with no workspace: workspace `default` with an admin key, the given one or a
   * generated one. Returns the key when one was created, so it can be shown once.
   */
  async bootstrap(secret: string | undefined): Promise<CreatedKey | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if ((await this.workspaces.count(tx)) > 0) return undefined;
      return this.createIn(tx, 'default', 'bootstrap', 'admin', secret ?? generateKey());
    });
  }

  private async createIn(tx: Tx, workspace: string, name: string, role: KeyRole, secret: string): Promise<CreatedKey> {
    const ws = await this.workspaces.findOrCreate(tx, workspace);
    const id = await this.keys.insert(tx, ws.id, name, role, hashKey(secret), keyPrefix(secret));
    return { workspace: ws.name, workspaceId: ws.id, workspaceCreated: ws.created, id, name, role, key: secret };
  }
}
