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
import { openDatabase, type DatabaseHandle } from '../../src/modules/database/database-url.js';
import { migrate } from '../../src/modules/database/migrate.js';
import { GENERATOR_VERSION, writeEmployeeFile } from './employee-file.js';

/** What the benchmarks share: their output folder, database, keys and cached data files. */
export const OUT = path.resolve('bench', 'out');

/** The worker settings both benchmarks run with (ROSTERSYNC_BATCH_SIZE overrides). */
export const BENCH_WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: process.env.ROSTERSYNC_BATCH_SIZE ?? '10000' };

/** bench/out/data kept (cached files), bench/out/logs emptied. */
export async function prepareOut(): Promise<void> {
  await fs.mkdir(path.join(OUT, 'data'), { recursive: true });
  await fs.rm(path.join(OUT, 'logs'), { recursive: true, force: true });
  await fs.mkdir(path.join(OUT, 'logs'));
}

/** The embedded PostgreSQL in .data/bench (or DATABASE_URL's server). */
export async function openBenchServer(): Promise<DatabaseHandle> {
  const env = loadEnv({ ...process.env, ROSTERSYNC_DATA_DIR: process.env.ROSTERSYNC_DATA_DIR ?? '.data/bench' });
  return openDatabase(env, (m) => console.error(`[db] ${m}`));
}

/** Drops and creates database `name` on the server of `serverUrl`, migrated; returns its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
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
  const url = admin.toString();
  await migrate(url);
  return url;
}

/** An admin key of a new workspace, made through the service as `npm run keys` does. */
export async function createKey(url: string, workspace: string): Promise<string> {
  const dataSource = await new DataSource(dataSourceOptions(url, 1)).initialize();
  try {
    const db = new Database(dataSource);
    const service = new ApiKeysService(db, new ApiKeysRepository(db), new WorkspacesRepository());
    return (await asSystem(() => service.create(workspace, 'bench', 'admin'))).key;
  } finally {
    await dataSource.destroy();
  }
}

/** bench/out/data/<name>, generated once (the generator is deterministic; its version is in the name). */
async function dataFile(name: string, spec: Parameters<typeof writeEmployeeFile>[1]): Promise<string> {
  const file = path.join(OUT, 'data', name);
  if (!(await fs.stat(file).catch(() => null))) {
    console.error(`[bench] generating ${name}`);
    await writeEmployeeFile(file, spec);
  }
  return file;
}

/** A first load of `size` people. */
export function firstLoadFile(size: number): Promise<string> {
  return dataFile(`first-${size}-v${GENERATOR_VERSION}.csv`, { count: size });
}

/** The same people with 10% changed (titles), 1% absent and 1% new. */
export function deltaFile(size: number): Promise<string> {
  return dataFile(`delta-${size}-v${GENERATOR_VERSION}.csv`, { count: size, changed: true, absent: true, added: size / 100 });
}

/** bench/out/<prefix>-<time>.json. */
export async function writeResults(prefix: string, results: unknown): Promise<string> {
  const json = path.join(OUT, `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await fs.writeFile(json, JSON.stringify({ at: new Date().toISOString(), node: process.version, ...(results as object) }, null, 2));
  return json;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
