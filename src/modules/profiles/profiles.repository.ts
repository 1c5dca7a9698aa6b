import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { pgErrorCode } from '../database/pg-error-code.js';
import { InUseError } from '../http/domain-errors.js';
import { normaliseConfig, type ConfigInput, type ImportConfig } from '../imports/import-config.js';

export interface Profile {
  id: string;
  name: string;
  config: ImportConfig;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id, name, config, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Saved configs, by workspace; names are unique regardless of case. */
@Injectable()
export class ProfilesRepository {
  constructor(private readonly db: Database) {}

  async list(workspaceId: string): Promise<Profile[]> {
    return (await this.db.query<Profile>(`SELECT ${COLUMNS} FROM profiles WHERE workspace_id = $1 ORDER BY lower(name)`, [workspaceId])).map(normalised);
  }

  async find(workspaceId: string, id: string): Promise<Profile | undefined> {
    const [row] = await this.db.query<Profile>(`SELECT ${COLUMNS} FROM profiles WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    return row && normalised(row);
  }

  /** Undefined when another profile has that name. */
  async create(workspaceId: string, name: string, config: ImportConfig): Promise<Profile | undefined> {
    const [row] = await this.db.query<Profile>(
      `INSERT INTO profiles (workspace_id, name, config) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [workspaceId, name, config],
    );
    return row && normalised(row);
  }

  /** 'missing' when there is no such profile, 'taken' when another profile has that name. */
  async replace(workspaceId: string, id: string, name: string, config: ImportConfig): Promise<Profile | 'missing' | 'taken'> {
    const [taken] = await this.db.query(`SELECT 1 FROM profiles WHERE workspace_id = $1 AND lower(name) = lower($2) AND id <> $3`, [workspaceId, name, id]);
    if (taken) return 'taken';
    const [row] = await this.db.query<Profile>(
      `UPDATE profiles SET name = $3, config = $4, updated_at = now() WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [workspaceId, id, name, config],
    );
    return row ? normalised(row) : 'missing';
  }

  /** Refused (InUseError) while a schedule uses the profile. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    try {
      return (await this.db.transaction((tx) => tx.execute('DELETE FROM profiles WHERE workspace_id = $1 AND id = $2', [workspaceId, id]))) > 0;
    } catch (error) {
      if (pgErrorCode(error) === '23503') throw new InUseError('A schedule uses this profile: delete the schedule or give it another profile first.');
      throw error;
    }
  }
}

function normalised(row: Profile): Profile {
  return { ...row, config: normaliseConfig(row.config as ConfigInput) };
}
