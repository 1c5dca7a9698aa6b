import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Database } from '../database/database.js';
import { pgErrorCode } from '../database/pg-error-code.js';
import { InUseError } from '../http/domain-errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { SECRET_BOX } from '../secrets/secrets.tokens.js';
import type { Source, SourceInput, SourceSecrets } from './source-spec.js';

const COLUMNS = `id, name, uri, pattern, auth, username, host_key_fingerprint AS "hostKeyFingerprint",
  ca_certificate AS "caCertificate", after_import AS "afterImport", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A source with its secrets opened: only for the code that connects. */
export interface SourceWithSecrets extends Source {
  secrets: SourceSecrets;
}

/** Sources by workspace; their secrets are sealed on the way in and never leave but to connect. */
@Injectable()
export class SourcesRepository {
  constructor(
    private readonly db: Database,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  list(workspaceId: string): Promise<Source[]> {
    return this.db.query<Source>(`SELECT ${COLUMNS} FROM sources WHERE workspace_id = $1 ORDER BY lower(name)`, [workspaceId]);
  }

  async find(workspaceId: string, id: string): Promise<Source | undefined> {
    const [row] = await this.db.query<Source>(`SELECT ${COLUMNS} FROM sources WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    return row;
  }

  async findWithSecrets(workspaceId: string, id: string): Promise<SourceWithSecrets | undefined> {
    const [row] = await this.db.query<Source & { secret: string | null }>(`SELECT ${COLUMNS}, secret FROM sources WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    if (!row) return undefined;
    const { secret, ...source } = row;
    return { ...source, secrets: secret ? this.box.open<SourceSecrets>(secret, context(workspaceId, id)) : {} };
  }

  /** Undefined when another source has that name. */
  async create(workspaceId: string, input: SourceInput): Promise<Source | undefined> {
    const id = randomUUID();
    const [row] = await this.db.query<Source>(
      `INSERT INTO sources (workspace_id, id, name, uri, pattern, auth, username, secret, host_key_fingerprint, ca_certificate, after_import)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [workspaceId, id, ...this.values(workspaceId, id, input)],
    );
    return row;
  }

  /** Without `input.secrets` the stored ones stay. 'missing' / 'taken' (the name) when it cannot. */
  async replace(workspaceId: string, id: string, input: SourceInput): Promise<Source | 'missing' | 'taken'> {
    const [taken] = await this.db.query(`SELECT 1 FROM sources WHERE workspace_id = $1 AND lower(name) = lower($2) AND id <> $3`, [workspaceId, input.name, id]);
    if (taken) return 'taken';
    const [row] = await this.db.query<Source>(
      `UPDATE sources SET name = $3, uri = $4, pattern = $5, auth = $6, username = $7, secret = coalesce($8, secret),
              host_key_fingerprint = $9, ca_certificate = $10, after_import = $11, updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [workspaceId, id, ...this.values(workspaceId, id, input)],
    );
    return row ?? 'missing';
  }

  /** Refused (InUseError) while a schedule uses the source. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    try {
      return (await this.db.transaction((tx) => tx.execute('DELETE FROM sources WHERE workspace_id = $1 AND id = $2', [workspaceId, id]))) > 0;
    } catch (error) {
      if (pgErrorCode(error) === '23503') throw new InUseError('A schedule uses this source: delete the schedule first.');
      throw error;
    }
  }

  private values(workspaceId: string, id: string, input: SourceInput): unknown[] {
    const secret = input.secrets && Object.keys(input.secrets).length ? this.box.seal(input.secrets, context(workspaceId, id)) : input.secrets ? '' : null;
    return [input.name, input.uri, input.pattern, input.auth, input.username, secret, input.hostKeyFingerprint, input.caCertificate, input.afterImport];
  }
}

/** What a sealed secret is bound to: copied to another row or workspace, it does not open. */
function context(workspaceId: string, id: string): string {
  return `source:${workspaceId}:${id}`;
}
