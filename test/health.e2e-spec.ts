import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { BossService } from '../src/jobs/boss.service.js';
import { NOTIFY_QUEUE } from '../src/jobs/queues.js';
import { adminUrl } from './support/test-cluster.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until } from './support/until.js';

interface Probe {
  status: number;
  body: { status: string; info?: Record<string, Record<string, unknown>>; error?: Record<string, Record<string, unknown>> };
}

async function probe(app: TestApp, path: string): Promise<Probe> {
  const response = await fetch(app.baseUrl + path);
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

async function asAdmin<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Cuts a database off: no new sessions, the open ones ended (and gone before this returns). */
async function refuseConnections(name: string): Promise<void> {
  await asAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await asAdmin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await until(() => asAdmin<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]), ([row]) => row.n === '0');
}

describe('health probes', () => {
  describe('a process that serves the API and works jobs (ROLE=all)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('is live, and ready when the database answers and a worker takes jobs from every queue', async () => {
      expect(await probe(app, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
      const ready = await probe(app, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, jobs: { status: 'up', worker: true } }, error: {} });
      expect(await probe(app, '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('is not ready while the database refuses connections, stays live, and is ready again once it takes them', async () => {
      await refuseConnections(app.db.name);
      try {
        const down = await probe(app, '/health/ready');
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({ status: 'error', error: { database: { status: 'down', message: 'the database does not answer' } }, info: { jobs: { status: 'up' } } });
        expect(JSON.stringify(down.body)).not.toContain(app.db.name);
        expect((await probe(app, '/health')).status).toBe(503);
        expect(await probe(app, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
      } finally {
        await asAdmin(`ALTER DATABASE ${app.db.name} ALLOW_CONNECTIONS true`);
      }
      await until(() => probe(app, '/health/ready'), (ready) => ready.status === 200);
    });

    it('is not ready when it stops taking jobs from a queue, nor once pg-boss has stopped', async () => {
      const boss = app.app.get(BossService);
      await boss.boss.offWork(NOTIFY_QUEUE);
      const idle = await probe(app, '/health/ready');
      expect(idle.status).toBe(503);
      expect(idle.body.error).toEqual({ jobs: { status: 'down', message: 'this worker does not take jobs from every queue', idle: [NOTIFY_QUEUE] } });

      await boss.boss.stop({ graceful: false });
      const stopped = await probe(app, '/health/ready');
      expect(stopped.status).toBe(503);
      expect(stopped.body).toMatchObject({ error: { jobs: { status: 'down', message: 'pg-boss is not running' } }, info: { database: { status: 'up' } } });
      expect((await probe(app, '/health/live')).status).toBe(200);
    });
  });

  describe('a process that only serves the API (ROLE=api)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ env: { ROLE: 'api' } });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('is ready without workers, since it only sends jobs, and not ready once pg-boss has stopped', async () => {
      const ready = await probe(app, '/health/ready');
      expect(ready).toMatchObject({ status: 200, body: { info: { database: { status: 'up' }, jobs: { status: 'up', worker: false } } } });

      await app.app.get(BossService).boss.stop({ graceful: false });
      const stopped = await probe(app, '/health/ready');
      expect(stopped).toMatchObject({ status: 503, body: { error: { jobs: { status: 'down', message: 'pg-boss is not running' } } } });
    });
  });
});
