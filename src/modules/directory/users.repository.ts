import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

export interface UserView {
  id: string;
  externalId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  phone: string | null;
  status: 'active' | 'deactivated';
  custom: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id, external_id AS "externalId", email, first_name AS "firstName", last_name AS "lastName",
  display_name AS "displayName", title, department, location, phone, status, custom,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface UserFilter {
  status?: 'active' | 'deactivated';
  q?: string;
}

/** The directory as the read API sees it. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  async list(workspaceId: string, filter: UserFilter, page: number, pageSize: number): Promise<{ items: UserView[]; total: number }> {
    const where = `workspace_id = $1 AND ($2::text IS NULL OR status = $2)
      AND ($3::text IS NULL OR external_id ILIKE $3 OR email ILIKE $3 OR first_name ILIKE $3 OR last_name ILIKE $3
           OR display_name ILIKE $3 OR (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) ILIKE $3)`;
    const q = filter.q ? `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const params = [workspaceId, filter.status ?? null, q];
    const items = await this.db.query<UserView>(
      `SELECT ${COLUMNS} FROM users WHERE ${where} ORDER BY last_name NULLS LAST, first_name NULLS LAST, id LIMIT $4 OFFSET $5`,
      [...params, pageSize, (page - 1) * pageSize],
    );
    const [{ total }] = await this.db.query<{ total: string }>(`SELECT count(*) AS total FROM users WHERE ${where}`, params);
    return { items, total: Number(total) };
  }

  async findByExternalId(workspaceId: string, externalId: string): Promise<UserView | undefined> {
    const [row] = await this.db.query<UserView>(`SELECT ${COLUMNS} FROM users WHERE workspace_id = $1 AND external_id = $2`, [workspaceId, externalId]);
    return row;
  }
}
