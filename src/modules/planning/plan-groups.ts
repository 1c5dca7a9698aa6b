import type { KeyField } from '../imports/import-config.js';
import { notBlocked, STAGED } from './plan-checks.js';
import { keyJoin } from './mapped-fields.js';

/**
 * The SQL of the plan's group changes. Groups are full snapshots of the file: each group's
 * members are exactly the people on its lines (a person on several lines is in each of their
 * groups); a group with no valid member in the file is removed. Every membership removed is
 * listed (also those of removed groups), so each person's history tells it. Order of apply:
 * create groups, remove memberships, add memberships, remove groups.
 */
export function groupChanges(key: KeyField): string[] {
  return [
    // Who the file puts in which group: people on lines that apply (their first line, for repeats),
    // by their id in the directory or the id the plan gave them.
    `CREATE TEMP TABLE plan_members AS
       SELECT s.group_name AS name, coalesce(u.id, c.user_id) AS user_id, min(s.key) AS key, min(s.line) AS line
         FROM staged_rows s
         LEFT JOIN users u ON u.workspace_id = $1 AND ${keyJoin(key)}
         LEFT JOIN import_changes c ON c.workspace_id = $1 AND c.import_id = $2 AND c.key = s.key AND c.op = 'create'
        WHERE ${STAGED} AND s.group_name IS NOT NULL AND s.remove IS NOT TRUE AND ${notBlocked('s')}
          AND (s.repeat_of IS NULL OR NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2
                                                     AND e.source = 'plan' AND e.blocking AND e.line = s.repeat_of))
          AND coalesce(u.id, c.user_id) IS NOT NULL
        GROUP BY 1, 2`,
    'ANALYZE plan_members',
    `INSERT INTO import_group_changes (workspace_id, import_id, seq, op, group_name, user_id, key, line)
     SELECT $1, $2, row_number() OVER (ORDER BY step, group_name, user_id), op, group_name, user_id, key, line FROM (
       SELECT 1 AS step, 'group_create' AS op, n.name AS group_name, NULL::bigint AS user_id, NULL AS key, NULL::int AS line
         FROM (SELECT DISTINCT name FROM plan_members) n
        WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.workspace_id = $1 AND g.name = n.name)
       UNION ALL
       SELECT 2, 'member_remove', g.name, m.user_id, NULL, NULL
         FROM group_members m JOIN groups g ON g.workspace_id = $1 AND g.id = m.group_id
        WHERE m.workspace_id = $1
          AND NOT EXISTS (SELECT 1 FROM plan_members p WHERE p.name = g.name AND p.user_id = m.user_id)
       UNION ALL
       SELECT 3, 'member_add', p.name, p.user_id, p.key, p.line
         FROM plan_members p
        WHERE NOT EXISTS (SELECT 1 FROM group_members m JOIN groups g ON g.workspace_id = $1 AND g.id = m.group_id
                           WHERE m.workspace_id = $1 AND g.name = p.name AND m.user_id = p.user_id)
       UNION ALL
       SELECT 4, 'group_remove', g.name, NULL, NULL, NULL
         FROM groups g WHERE g.workspace_id = $1 AND NOT EXISTS (SELECT 1 FROM plan_members p WHERE p.name = g.name)
     ) AS changes`,
  ];
}
