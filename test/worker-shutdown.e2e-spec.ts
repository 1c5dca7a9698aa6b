import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { progressOf, waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const PEOPLE = 30_000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '500' };

describe('a worker stopped with SIGTERM mid-import', () => {
  let app: TestApp;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    app = await startTestApp({ env: { ROLE: 'api' } });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await app.close();
  });

  it('exits at a batch boundary leaving no job active, and the next start resumes', async () => {
    const api = new Api(app.baseUrl, await app.createKey('terminated'));
    const { body } = await api.upload(employeesCsv(PEOPLE));
    worker = await startWorkerProcess(app.db.url, WORKER_ENV);
    await api.request(body.id, 'IMPORT_PENDING');
    await waitForProgress(app.db, body.id, (row) => row.applied_line > 1);

    await worker.kill('SIGTERM');
    expect(worker.child.exitCode).toBe(0);
    expect(worker.output()).toContain('shutting down');
    const jobs = await app.db.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE data->>'importId' = $1`, [body.id]);
    expect(jobs.map((job) => job.state)).not.toContain('active');
    const stopped = await progressOf(app.db, body.id);
    expect(stopped.state).toBe('IMPORTING');
    expect(stopped.applied_line).toBeLessThan(PEOPLE + 1);

    worker = await startWorkerProcess(app.db.url, WORKER_ENV);
    const done = await api.waitForState(body.id, 'COMPLETED', 120_000);
    expect(done.applied).toEqual({ create: PEOPLE, update: 0 });
    const [stats] = await app.db.query<{ people: string; ids: string }>(
      'SELECT count(*) AS people, count(DISTINCT external_id) AS ids FROM users WHERE created_by_import = $1',
      [body.id],
    );
    expect([Number(stats.people), Number(stats.ids)]).toEqual([PEOPLE, PEOPLE]);
  }, 300_000);
});
