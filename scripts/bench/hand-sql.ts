import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import { BENCH_COLUMNS } from './employee-file.js';

const COLUMNS = BENCH_COLUMNS.map((c) => (c === 'group' ? 'grp' : c));
const NON_KEY = COLUMNS.filter((c) => c !== 'employee_id');

export interface HandTimings {
  copy: number;
  analyze: number;
  diff: number;
  merge: number;
  total: number;
  changed: number;
}

/**
 * The directory table the hand-written pipeline writes:
 * - `plain`: the file's columns as text, the employee id as primary key — the least a DBA would write;
 * - `users`: a copy of rostersync's own `users` table with its indexes (id, external id, lower-case
 *   email, manager), the file mapped onto it as the benchmark maps it (store → location, mobile →
 *   phone, four custom fields in `custom`): the rows and index entries rostersync writes.
 */
export type HandDirectory = 'plain' | 'users';

/** The workspace of the `users`-shaped directory: every index starts with it, as in rostersync's. */
const WORKSPACE = '5b0c7f56-0e4a-4c43-9d0f-3b5d1f6a2c11';

/** The `users` columns the benchmark's file fills, and the staged expression for each. */
const USERS_COLUMNS: [string, string][] = [
  ['external_id', 's.employee_id'], ['email', 's.email'], ['first_name', 's.first_name'], ['last_name', 's.last_name'],
  ['display_name', 's.display_name'], ['title', 's.title'], ['department', 's.department'], ['location', 's.store'],
  ['phone', 's.mobile'],
  ['custom', `jsonb_strip_nulls(jsonb_build_object('region', s.region, 'countryCode', s.country_code, 'managerId', s.manager_id, 'group', s.grp))`],
];

interface DirectorySql {
  create: string;
  /** Creates hand_changed: the rows to write, in the directory's columns. */
  diff: string;
  merge: string;
}

function directorySql(shape: HandDirectory, directory: string): DirectorySql {
  if (shape === 'plain') {
    return {
      create: `CREATE TABLE IF NOT EXISTS ${directory} (${COLUMNS.map((c) => `${c} text`).join(', ')}, PRIMARY KEY (employee_id))`,
      diff: `
        CREATE TEMP TABLE hand_changed AS
        SELECT s.* FROM hand_stage s LEFT JOIN ${directory} d USING (employee_id)
         WHERE d.employee_id IS NULL
            OR (${NON_KEY.map((c) => `s.${c}`).join(', ')}) IS DISTINCT FROM (${NON_KEY.map((c) => `d.${c}`).join(', ')})`,
      merge: `
        MERGE INTO ${directory} d USING hand_changed c ON d.employee_id = c.employee_id
        WHEN MATCHED THEN UPDATE SET ${NON_KEY.map((c) => `${c} = c.${c}`).join(', ')}
        WHEN NOT MATCHED THEN INSERT (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `c.${c}`).join(', ')})`,
    };
  }
  const names = USERS_COLUMNS.map(([name]) => name);
  const compared = names.filter((name) => name !== 'external_id');
  return {
    create: `CREATE TABLE IF NOT EXISTS ${directory} (LIKE users INCLUDING ALL)`,
    diff: `
      CREATE TEMP TABLE hand_changed AS
      SELECT c.* FROM (SELECT ${USERS_COLUMNS.map(([name, value]) => `${value} AS ${name}`).join(', ')} FROM hand_stage s) c
        LEFT JOIN ${directory} d ON d.workspace_id = '${WORKSPACE}' AND d.external_id = c.external_id
       WHERE d.id IS NULL
          OR (${compared.map((c) => `c.${c}`).join(', ')}) IS DISTINCT FROM (${compared.map((c) => `d.${c}`).join(', ')})`,
    merge: `
      MERGE INTO ${directory} d USING hand_changed c ON d.workspace_id = '${WORKSPACE}' AND d.external_id = c.external_id
      WHEN MATCHED THEN UPDATE SET ${compared.map((c) => `${c} = c.${c}`).join(', ')}, updated_at = now()
      WHEN NOT MATCHED THEN INSERT (workspace_id, ${names.join(', ')}) VALUES ('${WORKSPACE}', ${names.map((c) => `c.${c}`).join(', ')})`,
  };
}

/**
 * The pipeline a DBA would write for the same work: COPY the file into a staging table,
 * ANALYZE it, diff it set-based against the directory, MERGE only the changed rows.
 */
export async function handWrittenSql(url: string, shape: HandDirectory, directory: string, file: string): Promise<HandTimings> {
  const sql = directorySql(shape, directory);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql.create);
    await client.query('DROP TABLE IF EXISTS hand_stage');
    await client.query(`CREATE UNLOGGED TABLE hand_stage (${COLUMNS.map((c) => `${c} text`).join(', ')})`);
    const started = performance.now();
    let mark = started;
    const lap = (): number => {
      const now = performance.now();
      const seconds = (now - mark) / 1000;
      mark = now;
      return seconds;
    };
    const copy = client.query(pgCopyStreams.from(`COPY hand_stage FROM STDIN (FORMAT csv, HEADER true)`));
    await pipeline(createReadStream(file), copy);
    const copySeconds = lap();
    await client.query('ANALYZE hand_stage');
    const analyze = lap();
    const changed = await client.query(sql.diff);
    const diff = lap();
    await client.query(sql.merge);
    const merge = lap();
    await client.query('DROP TABLE hand_changed');
    return { copy: copySeconds, analyze, diff, merge, total: (performance.now() - started) / 1000, changed: changed.rowCount ?? 0 };
  } finally {
    await client.query('DROP TABLE IF EXISTS hand_stage').catch(() => undefined);
    await client.end();
  }
}
