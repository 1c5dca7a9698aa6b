import { standardField } from '../directory/user-fields.js';
import type { ImportConfig, MappedColumn } from '../imports/import-config.js';
import { literal, userKey } from './mapped-fields.js';

/**
 * The SQL of the plan's line checks. Each statement inserts line errors: blocking ones (the line
 * is not applied) or not (the line applies without the value in question). Parameters: $1
 * workspace, $2 import. Duplicates are found by hash aggregation, never by sorting every line.
 */
export interface CheckInput {
  config: ImportConfig;
  mapping: MappedColumn[];
}

export const STAGED = 's.workspace_id = $1 AND s.import_id = $2';

/**
 * Lines whose value of a field changes something (set by `candidates`): only they can break a
 * uniqueness rule, because the directory already satisfies it. Checks scale with the changes,
 * not with the file.
 */
function changing(flag: 'email_changed' | 'external_id_changed' | 'display_name_changed' | 'manager_changed' | 'created'): string {
  return `JOIN plan_candidates pc ON pc.line = s.line AND pc.${flag}`;
}

/** A line a blocking plan error keeps out of the directory. */
export function notBlocked(alias: string): string {
  return `NOT EXISTS (SELECT 1 FROM import_errors e
    WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.source = 'plan' AND e.blocking AND e.line = ${alias}.line)`;
}

function insertErrors(select: string, blocking = true): string {
  return `INSERT INTO import_errors (workspace_id, import_id, line, column_name, code, message, start_byte, end_byte, key, source, blocking)
          SELECT $1, $2, line, column_name, code, message, start_byte, end_byte, key, 'plan', ${blocking} FROM (${select}) AS found`;
}

/** The CSV column a field came from, as a SQL literal (NULL when unmapped). */
function columnOf(mapping: MappedColumn[], field: string): string {
  const found = mapping.find((m) => m.field === field);
  return found ? literal(found.column) : 'NULL';
}

/** Staged columns that describe the person; a person on several lines must agree on them. */
const PERSON_COLUMNS = ['external_id', 'email', 'user_name', 'first_name', 'last_name', 'display_name', 'title', 'department',
  'location', 'language', 'phone', 'status', 'tracked', 'remove', 'manager_key', 'custom'];

/**
 * Lines of one person after their first: those that agree with the first line only add their
 * group (plan_repeats); those that do not are errors naming the first column that differs.
 */
export function repeatedKeys({ config, mapping }: CheckInput, planAgain: boolean): string[] {
  const differs = PERSON_COLUMNS.map((c) => `s.${c}`).join(', ');
  const first = PERSON_COLUMNS.map((c) => `f.${c}`).join(', ');
  const column = mapping
    .filter((m) => m.field !== 'group' && m.field !== 'phoneCountryCode')
    .map((m) => {
      const staged = m.field.startsWith('custom.') ? `custom->${literal(m.field.slice(7))}` : standardField(m.field)!.staged;
      return `WHEN s.${staged} IS DISTINCT FROM f.${staged} THEN ${literal(m.column)}`;
    });
  const keyColumn = columnOf(mapping, config.key);
  return [
    `CREATE TEMP TABLE plan_dup_keys AS
       SELECT key, min(line) AS first_line FROM staged_rows s WHERE ${STAGED} GROUP BY key HAVING count(*) > 1`,
    `CREATE TEMP TABLE plan_repeats AS
       SELECT s.line, d.first_line, ROW(${differs}) IS DISTINCT FROM ROW(${first}) AS conflicting,
              CASE ${column.join(' ') || 'WHEN false THEN NULL'} ELSE ${keyColumn} END AS column_name
         FROM plan_dup_keys d
         JOIN staged_rows s ON ${STAGED} AND s.key = d.key AND s.line > d.first_line
         JOIN staged_rows f ON f.workspace_id = $1 AND f.import_id = $2 AND f.line = d.first_line`,
    insertErrors(`
      SELECT s.line, r.column_name, 'DUPLICATE_KEY' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s repeats the ${config.key} "%s" of line %s with a different "%s": a person on several lines (one per group) needs the same values on each. Make the lines agree, or remove one.',
                    s.line, s.key, r.first_line, r.column_name) AS message
        FROM plan_repeats r JOIN staged_rows s ON ${STAGED} AND s.line = r.line
       WHERE r.conflicting`),
    `DELETE FROM plan_repeats WHERE conflicting`,
    // A plan made again forgets the last one's repeats (a scan of every line: only then).
    ...(planAgain ? [`UPDATE staged_rows s SET repeat_of = NULL WHERE ${STAGED} AND s.repeat_of IS NOT NULL`] : []),
    `UPDATE staged_rows s SET repeat_of = r.first_line FROM plan_repeats r WHERE ${STAGED} AND s.line = r.line`,
  ];
}

/**
 * A value two people share within the file (on the lines that change it). `report` selects the
 * errors from a FROM clause of the lines after the value's first line that are another person's
 * (`s`), beside the value and its first line (`d`). The shared values go into a table of their own
 * first: there are almost always none, and then the lines are not read again (joined to a
 * subquery instead, PostgreSQL hashed every line before finding it empty: 5–6 s at 1M lines).
 */
function sharedInFile(value: string, flag: 'email_changed' | 'external_id_changed' | 'display_name_changed', report: (from: string) => string): string[] {
  return [
    `CREATE TEMP TABLE plan_shared_values ON COMMIT DROP AS
       SELECT ${value} AS value, min(s.line) AS first_line FROM staged_rows s ${changing(flag)}
        WHERE ${STAGED} AND ${value} IS NOT NULL AND ${notBlocked('s')} GROUP BY 1 HAVING min(s.key) <> max(s.key)`,
    'ANALYZE plan_shared_values',
    report(`plan_shared_values d
        JOIN staged_rows f ON f.workspace_id = $1 AND f.import_id = $2 AND f.line = d.first_line
        JOIN staged_rows s ON ${STAGED} AND ${value} = d.value AND s.key <> f.key
        ${changing(flag)}
       WHERE ${notBlocked('s')}`),
  ];
}

/**
 * The other unique identifier (email when the key is externalId, and the reverse). The lines that
 * change it are read first, with the value as the directory stores it: under row-level security
 * PostgreSQL searches an index only by a condition that leaks nothing, and `lower(s.email)` in the
 * join would read every person of the workspace for one changed line (4–7 s at 1M people, against
 * 5 ms for 200 changed lines by the index).
 */
export function otherIdentifier({ config, mapping }: CheckInput): string[] {
  const key = config.key;
  const name = key === 'email' ? 'externalId' : 'email';
  if (!mapping.some((m) => m.field === name)) return [];
  const column = columnOf(mapping, name);
  const code = literal(key === 'email' ? 'EXTERNAL_ID_IN_USE' : 'EMAIL_IN_USE');
  const value = key === 'email' ? 's.external_id' : 'lower(s.email)';
  const shown = key === 'email' ? 's.external_id' : 's.email';
  const stored = key === 'email' ? 'o.external_id' : 'o.email_lower';
  const flag = key === 'email' ? 'external_id_changed' : 'email_changed';
  return [
    ...sharedInFile(value, flag, (from) => insertErrors(`
      SELECT s.line, ${column} AS column_name, ${code} AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: the ${name} "%s" is already on line %s of this file, for another person. Each person needs their own ${name}; correct one of the lines.', s.line, ${shown}, d.first_line) AS message
        FROM ${from}`)),
    // OFFSET 0 keeps the subquery whole, so the join compares its output, a plain column (a
    // materialised CTE would too, but writes every changed line first: 0.7 s more at 1M).
    insertErrors(`
      SELECT c.line, ${column} AS column_name, ${code} AS code, c.start_byte, c.end_byte, c.key,
             format('Line %s: the ${name} "%s" belongs to another person in the directory (${key} "%s"). Correct the line, or change that person first.', c.line, c.shown, ${userKey(key, 'o')}) AS message
        FROM (SELECT s.line, s.start_byte, s.end_byte, s.key, ${shown} AS shown, ${value} AS value
                FROM staged_rows s ${changing(flag)} WHERE ${STAGED} AND ${notBlocked('s')} OFFSET 0) c
        JOIN users o ON o.workspace_id = $1 AND ${stored} = c.value AND ${userKey(key, 'o')} IS DISTINCT FROM c.key`),
  ];
}

/** createMissing: false — a person the directory does not have is reported, not created. */
export function unknownPeople({ config, mapping }: CheckInput): string[] {
  if (config.createMissing) return [];
  return [
    insertErrors(`
      SELECT s.line, ${columnOf(mapping, config.key)} AS column_name, 'UNKNOWN_PERSON' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: no person with the ${config.key} "%s" is in the directory, and this import does not create people (createMissing: false). Create them first, or allow creating.', s.line, s.key) AS message
        FROM staged_rows s ${changing('created')}
       WHERE ${STAGED} AND s.remove IS NOT TRUE AND ${notBlocked('s')}`),
  ];
}

/**
 * A display name is unique: one already held by another person (in the directory or on an earlier
 * line) is an error on the line, which still applies with the person's current display name.
 */
export function displayNames({ config, mapping }: CheckInput): string[] {
  if (!mapping.some((m) => m.field === 'displayName')) return [];
  const column = columnOf(mapping, 'displayName');
  return [
    ...sharedInFile('lower(s.display_name)', 'display_name_changed', (from) => insertErrors(`
      SELECT s.line, ${column} AS column_name, 'DISPLAY_NAME_IN_USE' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: the display name "%s" is already used on line %s, by another person. Display names are unique: this person keeps their current one. Give one of them another display name.', s.line, s.display_name, d.first_line) AS message
        FROM ${from}`, false)),
    insertErrors(`
      SELECT s.line, ${column} AS column_name, 'DISPLAY_NAME_IN_USE' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: the display name "%s" belongs to another person in the directory (${config.key} "%s"). Display names are unique: this person keeps their current one.', s.line, s.display_name, ${userKey(config.key, 'o')}) AS message
        FROM staged_rows s ${changing('display_name_changed')}
        JOIN users o ON o.workspace_id = $1 AND lower(o.display_name) = lower(s.display_name) AND ${userKey(config.key, 'o')} IS DISTINCT FROM s.key
       WHERE ${STAGED} AND s.display_name IS NOT NULL AND ${notBlocked('s')}
         AND NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.line = s.line AND e.code = 'DISPLAY_NAME_IN_USE')`, false),
  ];
}

/** Deeper than any organisation: a walk this long has entered a cycle that another line reports. */
const MAX_MANAGEMENT_DEPTH = 1000;

/** Lines that set a manager and whose link is made: not blocked, not a repeat, no manager error. */
const LINKED_LINE = `${notBlocked('s')} AND s.repeat_of IS NULL
  AND NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.line = s.line AND e.code LIKE 'MANAGER%')`;

/**
 * Managers are linked after every person is written, so one may come later in the file. A manager
 * who is nobody, the person themselves, or a link that closes a cycle is an error on the line;
 * the person is still written, keeping their current manager.
 */
export function managers({ mapping }: CheckInput): string[] {
  if (!mapping.some((m) => m.field === 'managerExternalId')) return [];
  const column = columnOf(mapping, 'managerExternalId');
  return [
    insertErrors(`
      SELECT s.line, ${column} AS column_name, 'MANAGER_IS_SELF' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: "%s" is named as their own manager. Leave the manager empty or name someone else.', s.line, s.manager_key) AS message
        FROM staged_rows s ${changing('manager_changed')} WHERE ${STAGED} AND s.manager_key = s.external_id AND ${notBlocked('s')}`, false),
    insertErrors(`
      SELECT s.line, ${column} AS column_name, 'MANAGER_NOT_FOUND' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: the manager "%s" is neither in this file nor in the directory. The person is imported without this manager; add the manager or correct the externalId.', s.line, s.manager_key) AS message
        FROM staged_rows s ${changing('manager_changed')}
       WHERE ${STAGED} AND s.manager_key IS NOT NULL AND s.manager_key IS DISTINCT FROM s.external_id AND ${notBlocked('s')}
         AND NOT EXISTS (SELECT 1 FROM staged_rows m WHERE m.workspace_id = $1 AND m.import_id = $2 AND m.external_id = s.manager_key
                                                      AND m.remove IS NOT TRUE AND ${notBlocked('m')})
         AND NOT EXISTS (SELECT 1 FROM users m WHERE m.workspace_id = $1 AND m.external_id = s.manager_key)`, false),
    // The management graph once the import is applied: the file's links, and the directory's for
    // everyone else. The directory has no cycle, so every cycle holds a link this file changes.
    `CREATE TEMP TABLE plan_edges AS
       SELECT s.external_id AS person, s.manager_key AS manager, s.line, s.manager_key IS DISTINCT FROM m.external_id AS changed
         FROM staged_rows s
         LEFT JOIN users u ON u.workspace_id = $1 AND u.external_id = s.external_id
         LEFT JOIN users m ON m.workspace_id = $1 AND m.id = u.manager_id
        WHERE ${STAGED} AND s.external_id IS NOT NULL AND s.manager_key IS NOT NULL AND ${LINKED_LINE}
       UNION ALL
       SELECT u.external_id, m.external_id, NULL, false
         FROM users u JOIN users m ON m.workspace_id = $1 AND m.id = u.manager_id
        WHERE u.workspace_id = $1 AND u.external_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM staged_rows s WHERE ${STAGED} AND s.external_id = u.external_id AND ${LINKED_LINE})`,
    `CREATE INDEX ON plan_edges (person)`,
    'ANALYZE plan_edges',
    insertErrors(`
      WITH RECURSIVE walk (start, line, node, depth) AS (
        SELECT e.person, e.line, e.manager, 1 FROM plan_edges e WHERE e.changed
        UNION ALL
        SELECT w.start, w.line, e.manager, w.depth + 1 FROM walk w JOIN plan_edges e ON e.person = w.node
         WHERE w.node <> w.start AND w.depth < ${MAX_MANAGEMENT_DEPTH}
      )
      SELECT s.line, ${column} AS column_name, 'MANAGER_CYCLE' AS code, s.start_byte, s.end_byte, s.key,
             format('Line %s: "%s" as the manager of "%s" closes a management cycle (%s). The person is imported without this manager; break the cycle by correcting one of the lines.',
                    s.line, s.manager_key, s.external_id,
                    CASE WHEN next.line IS NULL THEN format('"%s" is managed by "%s" in the directory', s.manager_key, next.manager)
                         ELSE format('line %s makes "%s" report to "%s"', next.line, s.manager_key, next.manager) END) AS message
        FROM (SELECT DISTINCT line FROM walk WHERE node = start) c
        JOIN staged_rows s ON ${STAGED} AND s.line = c.line
        LEFT JOIN plan_edges next ON next.person = s.manager_key`, false),
  ];
}
