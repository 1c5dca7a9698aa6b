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
 * The pipeline a DBA would write for the same work: COPY the file into a staging table,
 * ANALYZE it, diff it set-based against the directory, MERGE only the changed rows.
 */
export async function handWrittenSql(url: string, directory: string, file: string): Promise<HandTimings> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${directory} (${COLUMNS.map((c) => `${c} text`).join(', ')}, PRIMARY KEY (employee_id))`);
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
    const changed = await client.query(`
      CREATE TEMP TABLE hand_changed AS
      SELECT s.* FROM hand_stage s LEFT JOIN ${directory} d USING (employee_id)
       WHERE d.employee_id IS NULL
          OR (${NON_KEY.map((c) => `s.${c}`).join(', ')}) IS DISTINCT FROM (${NON_KEY.map((c) => `d.${c}`).join(', ')})`);
    const diff = lap();
    await client.query(`
      MERGE INTO ${directory} d USING hand_changed c ON d.employee_id = c.employee_id
      WHEN MATCHED THEN UPDATE SET ${NON_KEY.map((c) => `${c} = c.${c}`).join(', ')}
      WHEN NOT MATCHED THEN INSERT (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `c.${c}`).join(', ')})`);
    const merge = lap();
    await client.query('DROP TABLE hand_changed');
    return { copy: copySeconds, analyze, diff, merge, total: (performance.now() - started) / 1000, changed: changed.rowCount ?? 0 };
  } finally {
    await client.query('DROP TABLE IF EXISTS hand_stage').catch(() => undefined);
    await client.end();
  }
}
