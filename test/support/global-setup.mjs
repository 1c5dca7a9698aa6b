// Plain JS run by Jest before and after all tests; it uses the build npm test makes first.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../dist/src/modules/database/embedded-postgres.js';
import { migrate } from '../../dist/src/modules/database/migrate.js';
import { databaseUrl, TEMPLATE_DATABASE, TEST_ADMIN_URL, TEST_DATA_DIR } from '../../dist/test/support/test-cluster.js';

/**
 * One real PostgreSQL for the whole run (the embedded one, or TEST_DATABASE_URL's server), with a
 * template database migrated the production way; each test file clones it.
 */
/** @returns {Promise<void>} */
export default async function globalSetup() {
  let cluster;
  if (process.env.TEST_DATABASE_URL) {
    process.env[TEST_ADMIN_URL] = process.env.TEST_DATABASE_URL;
  } else {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rostersync-test-'));
    await fs.chmod(dataDir, 0o755);
    cluster = await startEmbeddedPostgres({ dataDir, database: 'postgres', log: () => undefined });
    process.env[TEST_ADMIN_URL] = cluster.adminUrl;
    process.env[TEST_DATA_DIR] = dataDir;
  }
  const admin = new pg.Client({ connectionString: process.env[TEST_ADMIN_URL] });
  await admin.connect();
  const { rows } = await admin.query('SHOW server_version');
  process.stderr.write(`\nthe tests run on PostgreSQL ${rows[0].server_version}\n`);
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  await migrate(databaseUrl(TEMPLATE_DATABASE));
  globalThis.__rostersyncCluster = cluster;
}
