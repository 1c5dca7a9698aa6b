import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ApiKeysRepository } from '../../src/modules/auth/api-keys.repository.js';
import { ApiKeysService } from '../../src/modules/auth/api-keys.service.js';
import { WorkspacesRepository } from '../../src/modules/auth/workspaces.repository.js';
import { loadEnv } from '../../src/modules/config/env.js';
import { dataSourceOptions } from '../../src/modules/database/data-source-options.js';
import { Database } from '../../src/modules/database/database.js';
import { asSystem } from '../../src/modules/database/db-scope.js';
import { openDatabase } from '../../src/modules/database/database-url.js';
import { migrate } from '../../src/modules/database/migrate.js';
import { GENERATOR_VERSION, writeEmployeeFile } from './employee-file.js';
import { handWrittenSql } from './hand-sql.js';
import { defineBenchFields, importThroughApi, peakRssMb, startRostersync } from './rostersync-run.js';

/**
 * npm run bench: rostersync end to end (upload → preview → import, API and worker as separate
 * processes) against the hand-written SQL pipeline, on the same database, for a first load and
 * a 10%-changed delta. BENCH_SIZES=100000,1000000 by default.
 */
const OUT = path.resolve('bench', 'out');
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: process.env.ROSTERSYNC_BATCH_SIZE ?? '10000' };

interface Row {
  case: string;
  rows: number;
  rostersyncSeconds: number;
  sqlSeconds: number;
  ratio: number;
  rowsPerSecond: number;
  workerPeakRssMb: number;
  longestTransactionSeconds: number;
  detail: Record<string, unknown>;
}

async function main(): Promise<void> {
  await fs.mkdir(path.join(OUT, 'data'), { recursive: true });
  await fs.rm(path.join(OUT, 'logs'), { recursive: true, force: true });
  await fs.mkdir(path.join(OUT, 'logs'));
  const env = loadEnv({ ...process.env, ROSTERSYNC_DATA_DIR: process.env.ROSTERSYNC_DATA_DIR ?? '.data/bench' });
  const database = await openDatabase(env, (m) => console.error(`[db] ${m}`));
  const url = await freshDatabase(database.url, 'rostersync_bench');
  await migrate(url);
  const results: Row[] = [];
  try {
    const largest = Math.max(...SIZES);
    for (const size of SIZES) {
      const file = await dataFile(`first-${size}-v${GENERATOR_VERSION}.csv`, { count: size });
      const key = await createKey(url, `bench-${size}`);
      results.push(await measure(url, key, file, `first load`, size, `hand_dir_${size}`));
      if (size === largest) {
        const delta = await dataFile(`delta-${size}-v${GENERATOR_VERSION}.csv`, { count: size, changed: true, absent: true, added: size / 100 });
        results.push(await measure(url, key, delta, 'delta 10% changed, 1% new, 1% absent', size, `hand_dir_${size}`));
      }
    }
  } finally {
    await database.stop();
  }
  print(results);
  const json = path.join(OUT, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await fs.writeFile(json, JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  console.log(`\nwritten to ${json}`);
}

async function measure(url: string, key: string, file: string, label: string, size: number, table: string): Promise<Row> {
  console.error(`[bench] ${label}, ${size} rows: rostersync`);
  const processes = await startRostersync(url, PORT, WORKER_ENV);
  const sampler = longestTransaction(url);
  let run;
  let rss;
  try {
    await defineBenchFields(processes.baseUrl, key);
    run = await importThroughApi(processes.baseUrl, key, file);
    rss = await peakRssMb(processes.worker.pid!);
  } finally {
    await processes.stop();
  }
  const longest = await sampler.stop();
  console.error(`[bench] ${label}, ${size} rows: hand-written SQL`);
  const sql = await handWrittenSql(url, table, file);
  return {
    case: label,
    rows: size,
    rostersyncSeconds: round(run.total),
    sqlSeconds: round(sql.total),
    ratio: round(run.total / sql.total),
    rowsPerSecond: Math.round(size / run.total),
    workerPeakRssMb: Math.round(rss),
    longestTransactionSeconds: round(longest),
    detail: { rostersync: run, sql },
  };
}

/** Samples pg_stat_activity for the oldest open transaction while an import runs. */
function longestTransaction(url: string): { stop(): Promise<number> } {
  const client = new pg.Client({ connectionString: url });
  let longest = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ age: number | null }>(
        `SELECT extract(epoch FROM max(now() - xact_start))::float AS age FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
      );
      longest = Math.max(longest, rows[0].age ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await client.end();
  })();
  return {
    async stop(): Promise<number> {
      running = false;
      await loop;
      return longest;
    },
  };
}

async function dataFile(name: string, spec: Parameters<typeof writeEmployeeFile>[1]): Promise<string> {
  const file = path.join(OUT, 'data', name);
  if (!(await fs.stat(file).catch(() => null))) {
    console.error(`[bench] generating ${name}`);
    await writeEmployeeFile(file, spec);
  }
  return file;
}

async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  // Slow statements (over a second, or BENCH_LOG_STATEMENTS_MS) go to the server's log, to see
  // where an import spends its time.
  await client.query(`ALTER DATABASE ${name} SET log_min_duration_statement = ${Number(process.env.BENCH_LOG_STATEMENTS_MS ?? 1000)}`);
  await client.end();
  admin.pathname = `/${name}`;
  return admin.toString();
}

async function createKey(url: string, workspace: string): Promise<string> {
  const dataSource = await new DataSource(dataSourceOptions(url, 1)).initialize();
  try {
    const db = new Database(dataSource);
    const service = new ApiKeysService(db, new ApiKeysRepository(db), new WorkspacesRepository());
    return (await asSystem(() => service.create(workspace, 'bench', 'admin'))).key;
  } finally {
    await dataSource.destroy();
  }
}

function print(results: Row[]): void {
  console.log('\n| case | rows | rostersync s | hand-written SQL s | ratio | rows/s | worker peak RSS MB | longest transaction s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.case} | ${r.rows.toLocaleString('en')} | ${r.rostersyncSeconds} | ${r.sqlSeconds} | ${r.ratio}× | ${r.rowsPerSecond.toLocaleString('en')} | ${r.workerPeakRssMb} | ${r.longestTransactionSeconds} |`);
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
