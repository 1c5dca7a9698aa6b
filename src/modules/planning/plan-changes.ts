import type { ImportConfig, MappedColumn } from '../imports/import-config.js';
import { notBlocked, STAGED } from './plan-checks.js';
import { keyJoin, literal, mappedFields, SNAPSHOT_FIELDS, userKey, type FieldSql } from './mapped-fields.js';

/**
 * The SQL of the plan's changes: one row per person the import changes, in apply order, with
 * each changed field as {from, to}. Parameters: $1 workspace, $2 import, $3 the position already
 * applied (a plan made again after part of it was applied keeps that part as it was).
 */
export interface ChangesInput {
  config: ImportConfig;
  mapping: MappedColumn[];
  /** The sequence people created by this import take their ids from, as a SQL literal. */
  idSequence: string;
}

/**
 * The lines that change someone (plan_candidates): one join of the file with the directory. Lines
 * that change nothing cannot break a rule the directory already keeps, so the checks that follow
 * look at these lines only, for the fields they change.
 */
export function candidates({ config, mapping }: ChangesInput): string {
  const fields = mappedFields(mapping);
  const withManager = mapping.some((m) => m.field === 'managerExternalId');
  return `
    CREATE TEMP TABLE plan_candidates AS
    SELECT s.line, s.key, s.remove, u.id AS user_id, u.id IS NULL AS created,
           (u.id IS NULL OR s.email IS DISTINCT FROM u.email) AS email_changed,
           (u.id IS NULL OR s.external_id IS DISTINCT FROM u.external_id) AS external_id_changed,
           (u.id IS NULL OR lower(s.display_name) IS DISTINCT FROM lower(u.display_name)) AS display_name_changed,
           ${withManager ? '(u.id IS NULL OR s.manager_key IS DISTINCT FROM mgr.external_id)' : 'false'} AS manager_changed
      FROM staged_rows s
      LEFT JOIN users u ON u.workspace_id = $1 AND ${keyJoin(config.key)}
      ${withManager ? 'LEFT JOIN users mgr ON mgr.workspace_id = $1 AND mgr.id = u.manager_id' : ''}
      CROSS JOIN (SELECT false AS keep_display_name, false AS keep_manager) k
     WHERE ${STAGED} AND s.line > $3 AND s.repeat_of IS NULL AND ${notBlocked('s')}
       AND (u.id IS NULL OR s.remove OR ROW(${fields.map((f) => f.current).join(', ')}) IS DISTINCT FROM ROW(${fields.map((f) => f.incoming).join(', ')}))`;
}

/** Per line, whether a plan error keeps its display name or manager as they are (the line still applies). */
const KEPT = `LEFT JOIN (SELECT e.line, bool_or(e.code = 'DISPLAY_NAME_IN_USE') AS keep_display_name, bool_or(e.code LIKE 'MANAGER%') AS keep_manager
                       FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.source = 'plan' AND NOT e.blocking
                      GROUP BY e.line) k`;

/**
 * The people the file's lines create (seq = line), each given its id now. A created person's
 * values are their line's (the preview and the apply read them from it), so only the manager link,
 * written in a later pass, is kept in the plan. Apart from that link, nothing but the candidates is
 * read: in a first load, a million lines are created, and joining each to its staged row (every
 * column) took a third of writing the plan.
 */
export function fileCreates({ mapping, idSequence }: ChangesInput): string {
  const withManager = mapping.some((m) => m.field === 'managerExternalId');
  const link = `CASE WHEN s.manager_key IS NOT NULL AND k.keep_manager IS NOT TRUE
    THEN jsonb_build_object('managerExternalId', jsonb_build_object('from', NULL, 'to', s.manager_key)) END`;
  return `
    INSERT INTO import_changes (workspace_id, import_id, seq, line, op, user_id, key, changes)
    SELECT $1, $2, pc.line, pc.line, 'create', nextval(${idSequence}), pc.key, ${withManager ? link : 'NULL::jsonb'}
      FROM plan_candidates pc
      ${withManager ? `JOIN staged_rows s ON ${STAGED} AND s.line = pc.line ${KEPT} ON k.line = pc.line` : ''}
     WHERE pc.created AND pc.remove IS NOT TRUE AND ${notBlocked('pc')}`;
}

/** Updates, deactivations and deletions from the file's lines (seq = line): the people the directory has. */
export function fileChanges({ mapping }: ChangesInput): string {
  const fields = mappedFields(mapping);
  const current = fields.map((f) => f.current).join(', ');
  const incoming = fields.map((f) => f.incoming).join(', ');
  const status = fields.find((f) => f.name === 'status')!.incoming;
  const withManager = mapping.some((m) => m.field === 'managerExternalId');
  return `
    INSERT INTO import_changes (workspace_id, import_id, seq, line, op, user_id, key, changes)
    SELECT $1, $2, line, line, op, user_id, key, CASE op WHEN 'delete' THEN snapshot ELSE changes END
      FROM (
        SELECT s.line, s.key, u.id AS user_id,
               CASE WHEN s.remove THEN 'delete'
                    WHEN ${status} = 'deactivated' AND u.status = 'active' THEN 'deactivate'
                    WHEN ROW(${current}) IS DISTINCT FROM ROW(${incoming}) THEN 'update' END AS op,
               ${changedFields(fields)} AS changes,
               CASE WHEN s.remove THEN ${snapshot('u')} END AS snapshot
          FROM plan_candidates pc
          JOIN staged_rows s ON ${STAGED} AND s.line = pc.line
          JOIN users u ON u.workspace_id = $1 AND u.id = pc.user_id
          ${withManager ? 'LEFT JOIN users mgr ON mgr.workspace_id = $1 AND mgr.id = u.manager_id' : ''}
          ${KEPT} ON k.line = s.line
         WHERE NOT pc.created AND ${notBlocked('s')}
      ) AS planned
     WHERE op IS NOT NULL`;
}

/**
 * A full import: the people absent from the file (and from its unreadable lines), within the
 * scope, are deactivated or deleted. Their seq continues after the file's last line.
 */
export function missingPeople({ config }: ChangesInput): string | null {
  if (config.mode !== 'full' || config.missing === 'ignore') return null;
  const key = userKey(config.key, 'u');
  const op = config.missing === 'delete' ? 'delete' : 'deactivate';
  const changes = op === 'delete' ? snapshot('u') : `'{"status": {"from": "active", "to": "deactivated"}}'::jsonb`;
  return `
    INSERT INTO import_changes (workspace_id, import_id, seq, line, op, user_id, key, changes)
    SELECT $1, $2, greatest($3, (SELECT staged_lines FROM imports WHERE workspace_id = $1 AND id = $2)) + row_number() OVER (ORDER BY u.id),
           NULL, '${op}', u.id, coalesce(${key}, '#' || u.id), ${changes}
      FROM users u
     WHERE u.workspace_id = $1
       ${op === 'deactivate' ? "AND u.status = 'active'" : ''}
       ${config.scope === 'imported' ? 'AND u.created_by_import IS NOT NULL' : ''}
       AND (${key} IS NULL OR (
            NOT EXISTS (SELECT 1 FROM staged_rows s WHERE ${STAGED} AND s.key = ${key})
        AND NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.key = ${key})))`;
}

/**
 * Each changed field as {from, to}: one object of every field, where an unchanged field's value
 * is null (its {from, to} is never built: most updates change one or two fields), less the
 * unchanged ones. At most 50 arguments per call.
 */
function changedFields(fields: FieldSql[]): string {
  const unchanged = (f: FieldSql): string => `${f.current} IS NOT DISTINCT FROM ${f.incoming}`;
  const parts: string[] = [];
  for (let i = 0; i < fields.length; i += 40) {
    const chunk = fields.slice(i, i + 40);
    parts.push(`jsonb_build_object(${chunk.map((f) => `${literal(f.name)}, CASE WHEN NOT (${unchanged(f)}) THEN jsonb_build_object('from', to_jsonb(${f.current}), 'to', to_jsonb(${f.incoming})) END`).join(', ')})`);
  }
  const names = fields.map((f) => `CASE WHEN ${unchanged(f)} THEN ${literal(f.name)} END`).join(', ');
  return `((${parts.join(' || ')}) - array_remove(ARRAY[${names}], NULL))`;
}

/** Every field a person had, as {from: value, to: null}: what a deletion takes away. */
function snapshot(alias: string): string {
  const values = SNAPSHOT_FIELDS.map(([name, column]) => `(${literal(name)}, to_jsonb(${alias}.${column}))`).join(', ');
  return `((SELECT coalesce(jsonb_object_agg(f.name, jsonb_build_object('from', f.value, 'to', NULL)), '{}')
              FROM (VALUES ${values}) AS f (name, value) WHERE f.value IS NOT NULL)
           || (SELECT coalesce(jsonb_object_agg('custom.' || c.key, jsonb_build_object('from', c.value, 'to', NULL)), '{}')
                 FROM jsonb_each(${alias}.custom) AS c))`;
}
