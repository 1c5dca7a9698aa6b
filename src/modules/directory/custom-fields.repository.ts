import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { CustomFieldDefinition } from './custom-field-types.js';

const COLUMNS = `key, label, type, enum_values AS "values", created_at AS "createdAt"`;

/** The workspace's custom field definitions. */
@Injectable()
export class CustomFieldsRepository {
  constructor(private readonly db: Database) {}

  async list(workspaceId: string): Promise<(CustomFieldDefinition & { createdAt: string })[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM custom_fields WHERE workspace_id = $1 ORDER BY key`, [workspaceId]);
  }

  /** False when a field with that key exists already. */
  async create(workspaceId: string, field: CustomFieldDefinition): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO custom_fields (workspace_id, key, label, type, enum_values) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING key`,
      [workspaceId, field.key, field.label, field.type, field.values === null ? null : JSON.stringify(field.values)],
    );
    return rows.length > 0;
  }

  /** Removes the definition and every person's value for it; false when there was none. */
  async delete(workspaceId: string, key: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const removed = await tx.execute('DELETE FROM custom_fields WHERE workspace_id = $1 AND key = $2', [workspaceId, key]);
      if (removed) {
        await tx.query('UPDATE users SET custom = custom - $2::text WHERE workspace_id = $1 AND custom ? $2', [workspaceId, key]);
        // The directory changed: a plan made before is stale.
        await tx.query('UPDATE workspaces SET directory_version = directory_version + 1 WHERE id = $1', [workspaceId]);
      }
      return removed > 0;
    });
  }
}
