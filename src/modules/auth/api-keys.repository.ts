import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '../database/database.js';
import type { KeyRole } from './api-key.js';
import type { Principal } from './principal.js';

interface PrincipalRow {
  workspace_id: string;
  workspace_name: string;
  key_id: string;
  key_name: string;
  role: KeyRole;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async findPrincipal(hash: Buffer): Promise<Principal | undefined> {
    const [row] = await this.db.query<PrincipalRow>(
      `SELECT k.workspace_id, w.name AS workspace_name, k.id AS key_id, k.name AS key_name, k.role
         FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hash],
    );
    if (!row) return undefined;
    return {
      workspaceId: row.workspace_id,
      workspaceName: row.workspace_name,
      keyId: row.key_id,
      keyName: row.key_name,
      role: row.role,
    };
  }

  /** Records use at most once a minute per key, so reads stay reads. */
  async touch(principal: Principal): Promise<void> {
    await this.db.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE workspace_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [principal.workspaceId, principal.keyId],
    );
  }

  async insert(tx: Tx, workspaceId: string, name: string, role: KeyRole, hash: Buffer, prefix: string): Promise<string> {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO api_keys (workspace_id, name, role, key_hash, key_prefix) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [workspaceId, name, role, hash, prefix],
    );
    return row.id;
  }

  list(workspaceId: string): Promise<KeyView[]> {
    return this.db.query<KeyView>(
      `SELECT id, name, role, key_prefix AS prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
         FROM api_keys WHERE workspace_id = $1 ORDER BY created_at`,
      [workspaceId],
    );
  }

  /** False when there is no such key, or it was revoked already. */
  async revoke(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.db.query(`UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING 1`, [workspaceId, id]);
    return rows.length > 0;
  }
}

/** A key as an admin sees it: never its secret, only the prefix that helps recognise it. */
export interface KeyView {
  id: string;
  name: string;
  role: KeyRole;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
