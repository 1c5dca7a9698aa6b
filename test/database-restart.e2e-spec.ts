import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { URL } from 'node:url';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../src/modules/database/embedded-postgres.js';
import { migrate } from '../src/modules/database/migrate.js';
import { Api } from './support/api-client.js';
import { waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { testPostgresInstallation } from './support/test-cluster.js';
import type { TestDatabase } from './support/test-database.js';
import pg from 'pg';

const PEOPLE = 30_000;

describe('PostgreSQL restarted in the middle of an import', () => {
  let dataDir: string;
  let cluster: EmbeddedCluster;
  let app: TestApp;
  let db: TestDatabase;
  const installation = testPostgresInstallation();

  beforeAll(async () => {
    // A cluster of its own (on the version under test): restarting the shared one would disturb the other test files.
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rostersync-restart-'));
    await fs.chmod(dataDir, 0o755);
    cluster = await startEmbeddedPostgres({ dataDir, installation, log: () => undefined });
    await migrate(cluster.url);
    const pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    pool.on('error', () => undefined); // idle connections die with the restart; the pool opens new ones
    db = {
      name: 'rostersync',
      url: cluster.url,
      query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
      drop: async () => {
        await pool.end();
      },
    };
    app = await startTestApp({ db, env: { ROSTERSYNC_BATCH_SIZE: '500' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    await cluster.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('resumes and completes correctly once the database is back', async () => {
    const api = new Api(app.baseUrl, await app.createKey('restart'));
    const { body } = await api.upload(employeesCsv(PEOPLE));
    await api.request(body.id, 'IMPORT_PENDING');
    await waitForProgress(db, body.id, (row) => row.applied_line > 1);

    const port = Number(new URL(cluster.url).port);
    await cluster.stop();
    cluster = await startEmbeddedPostgres({ dataDir, port, installation, log: () => undefined });

    const done = await api.waitForState(body.id, 'COMPLETED', 180_000);
    expect(done.applied).toEqual({ create: PEOPLE, update: 0, deactivate: 0, delete: 0 });
    const [stats] = await db.query<{ people: string; ids: string }>('SELECT count(*) AS people, count(DISTINCT external_id) AS ids FROM users');
    expect([Number(stats.people), Number(stats.ids)]).toEqual([PEOPLE, PEOPLE]);
  }, 300_000);
});
