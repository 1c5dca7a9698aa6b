import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

export const USER_STATUSES = ['active', 'deactivated'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface UserView {
  id: string;
  externalId: string | null;
  email: string | null;
  userName: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  language: string | null;
  phone: string | null;
  status: UserStatus;
  tracked: boolean;
  managerExternalId: string | null;
  custom: Record<string, unknown>;
  /** Invited (or not yet) and not activated through POST /v1/users/:key/activate. */
  pending: boolean;
  activatedAt: string | null;
  invitedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PersonRef {
  externalId: string | null;
  email: string | null;
  displayName: string | null;
}

export interface UserDetail extends UserView {
  manager: PersonRef | null;
  directReports: PersonRef[];
  groups: string[];
}

const COLUMNS = `u.id, u.external_id AS "externalId", u.email, u.user_name AS "userName", u.first_name AS "firstName",
  u.last_name AS "lastName", u.display_name AS "displayName", u.title, u.department, u.location, u.language, u.phone,
  u.status, u.tracked, (SELECT m.external_id FROM users m WHERE m.workspace_id = u.workspace_id AND m.id = u.manager_id) AS "managerExternalId",
  u.custom, u.activated_at IS NULL AS pending, u.activated_at AS "activatedAt", u.invited_at AS "invitedAt",
  u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

const PERSON_REF = `external_id AS "externalId", email, display_name AS "displayName"`;

export interface UserFilter {
  status?: UserStatus;
  group?: string;
  q?: string;
}

/**
 * A person by key ($2): their externalId, or their email in any case when the key has an @. The
 * stored lower-case email keeps the condition one an index serves under row-level security.
 */
function byKey(prefix: 'u.' | ''): string {
  return `(${prefix}external_id = $2 OR ($2 LIKE '%@%' AND ${prefix}email_lower = lower($2)))`;
}

/** The directory as the read API sees it. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /** People by name, filtered by status, group, and text in their name, email or key. */
  async list(workspaceId: string, filter: UserFilter, page: number, pageSize: number): Promise<{ items: UserView[]; total: number }> {
    const where = `u.workspace_id = $1 AND ($2::text IS NULL OR u.status = $2)
      AND ($3::text IS NULL OR u.external_id ILIKE $3 OR u.email ILIKE $3 OR u.user_name ILIKE $3 OR u.first_name ILIKE $3
           OR u.last_name ILIKE $3 OR u.display_name ILIKE $3 OR (coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) ILIKE $3)
      AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.workspace_id = gm.workspace_id AND g.id = gm.group_id
                                        WHERE gm.workspace_id = $1 AND gm.user_id = u.id AND g.name = $4))`;
    const q = filter.q ? `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const params = [workspaceId, filter.status ?? null, q, filter.group ?? null];
    const items = await this.db.query<UserView>(
      `SELECT ${COLUMNS} FROM users u WHERE ${where} ORDER BY u.last_name NULLS LAST, u.first_name NULLS LAST, u.id LIMIT $5 OFFSET $6`,
      [...params, pageSize, (page - 1) * pageSize],
    );
    const [{ total }] = await this.db.query<{ total: string }>(`SELECT count(*) AS total FROM users u WHERE ${where}`, params);
    return { items, total: Number(total) };
  }

  /** A person by externalId, or by email (any case) when the key has an @ and no externalId matches. */
  async find(workspaceId: string, key: string): Promise<UserDetail | undefined> {
    const [user] = await this.db.query<UserView & { managerId: string | null }>(
      `SELECT ${COLUMNS}, u.manager_id AS "managerId" FROM users u
        WHERE u.workspace_id = $1 AND ${byKey('u.')}
        ORDER BY (u.external_id = $2) DESC NULLS LAST LIMIT 1`,
      [workspaceId, key],
    );
    if (!user) return undefined;
    const { managerId, ...view } = user;
    const [manager] = managerId ? await this.db.query<PersonRef>(`SELECT ${PERSON_REF} FROM users WHERE workspace_id = $1 AND id = $2`, [workspaceId, managerId]) : [];
    const directReports = await this.db.query<PersonRef>(
      `SELECT ${PERSON_REF} FROM users WHERE workspace_id = $1 AND manager_id = $2 ORDER BY last_name NULLS LAST, first_name NULLS LAST, id`,
      [workspaceId, user.id],
    );
    const groups = await this.db.query<{ name: string }>(
      `SELECT g.name FROM group_members gm JOIN groups g ON g.workspace_id = gm.workspace_id AND g.id = gm.group_id
        WHERE gm.workspace_id = $1 AND gm.user_id = $2 ORDER BY g.name`,
      [workspaceId, user.id],
    );
    return { ...view, manager: manager ?? null, directReports, groups: groups.map((g) => g.name) };
  }

  /**
   * What imports did to a person, newest first: each applied change with its import and line, and
   * group memberships added or removed. A deleted person's history is found by their key.
   */
  /** Marks the person activated (no longer pending invitation); false when there is no such person. */
  async activate(workspaceId: string, key: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE users SET activated_at = coalesce(activated_at, now())
        WHERE workspace_id = $1 AND ${byKey('')} RETURNING 1`,
      [workspaceId, key],
    );
    return rows.length > 0;
  }

  async history(workspaceId: string, key: string, page: number, pageSize: number): Promise<Record<string, unknown>[] | undefined> {
    const [person] = await this.db.query<{ id: string }>(
      `SELECT id FROM users WHERE workspace_id = $1 AND ${byKey('')}
       UNION ALL
       (SELECT user_id FROM import_changes WHERE workspace_id = $1 AND key IN ($2, lower($2)) ORDER BY import_id LIMIT 1)
       LIMIT 1`,
      [workspaceId, key],
    );
    if (!person) return undefined;
    return this.db.query(
      `SELECT "importId", line, op, changes, "group", at FROM (
         SELECT i.id AS "importId", c.line, c.op, c.changes, NULL AS "group", i.seq AS import_seq, c.seq,
                coalesce((i.state_times->>'COMPLETED')::timestamptz, i.updated_at) AS at
           FROM import_changes c JOIN imports i ON i.workspace_id = c.workspace_id AND i.id = c.import_id
          WHERE c.workspace_id = $1 AND c.user_id = $2 AND i.apply_started_at IS NOT NULL AND c.seq <= i.applied_line
         UNION ALL
         SELECT i.id, b.line, b.op, NULL, b.group_name, i.seq, 1000000000 + b.seq,
                coalesce((i.state_times->>'COMPLETED')::timestamptz, i.updated_at)
           FROM import_group_changes b JOIN imports i ON i.workspace_id = b.workspace_id AND i.id = b.import_id
          WHERE b.workspace_id = $1 AND b.user_id = $2 AND b.seq <= i.grouped_seq
       ) AS changes
       ORDER BY import_seq DESC, seq DESC LIMIT $3 OFFSET $4`,
      [workspaceId, person.id, pageSize, (page - 1) * pageSize],
    );
  }

  async groups(workspaceId: string, page: number, pageSize: number): Promise<{ items: Record<string, unknown>[]; total: number }> {
    const items = await this.db.query(
      `SELECT g.name, (SELECT count(*)::int FROM group_members gm WHERE gm.workspace_id = g.workspace_id AND gm.group_id = g.id) AS members,
              g.created_at AS "createdAt"
         FROM groups g WHERE g.workspace_id = $1 ORDER BY g.name LIMIT $2 OFFSET $3`,
      [workspaceId, pageSize, (page - 1) * pageSize],
    );
    const [{ total }] = await this.db.query<{ total: string }>('SELECT count(*) AS total FROM groups WHERE workspace_id = $1', [workspaceId]);
    return { items, total: Number(total) };
  }

  /** A group's members; undefined when there is no such group. */
  async members(workspaceId: string, name: string, page: number, pageSize: number): Promise<{ items: UserView[]; total: number } | undefined> {
    const [group] = await this.db.query<{ id: string; members: string }>(
      `SELECT g.id, (SELECT count(*) FROM group_members gm WHERE gm.workspace_id = $1 AND gm.group_id = g.id) AS members
         FROM groups g WHERE g.workspace_id = $1 AND g.name = $2`,
      [workspaceId, name],
    );
    if (!group) return undefined;
    const items = await this.db.query<UserView>(
      `SELECT ${COLUMNS} FROM group_members gm JOIN users u ON u.workspace_id = gm.workspace_id AND u.id = gm.user_id
        WHERE gm.workspace_id = $1 AND gm.group_id = $2 ORDER BY u.last_name NULLS LAST, u.first_name NULLS LAST, u.id LIMIT $3 OFFSET $4`,
      [workspaceId, group.id, pageSize, (page - 1) * pageSize],
    );
    return { items, total: Number(group.members) };
  }
}
