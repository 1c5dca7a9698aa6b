import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const PEOPLE = 30_000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '500' };

describe('a paused worker whose job another worker took over', () => {
  let app: TestApp;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { ROLE: 'api' } });
  });
  afterAll(async () => {
    for (const worker of workers) {
      worker.child.kill('SIGCONT');
      await worker.kill('SIGKILL');
    }
    await app.close();
  });

  it('writes nothing once it resumes (SIGCONT): every batch is fenced on the attempt that owns the import', async () => {
    const api = new Api(app.baseUrl, await app.createKey('paused'));
    const { body } = await api.upload(employeesCsv(PEOPLE));
    const paused = await startWorkerProcess(app.db.url, WORKER_ENV);
    workers.push(paused);
    await api.request(body.id, 'IMPORT_PENDING');
    await waitForProgress(app.db, body.id, (row) => row.applied_line > 1);
    paused.child.kill('SIGSTOP');
    const [{ attempt: pausedAttempt }] = await app.db.query<{ attempt: string }>('SELECT attempt FROM imports WHERE id = $1', [body.id]);

    // Its heartbeats stop, pg-boss hands the job to the other worker, which takes the import over.
    workers.push(await startWorkerProcess(app.db.url, WORKER_ENV));
    await waitForProgress(app.db, body.id, (row) => row.attempt !== pausedAttempt && row.applied_line > 1, 120_000);
    paused.child.kill('SIGCONT');

    const done = await api.waitForState(body.id, 'COMPLETED', 120_000);
    expect(done.applied).toEqual({ create: PEOPLE, update: 0 });
    const [stats] = await app.db.query<{ people: string; ids: string }>(
      `SELECT count(*) AS people, count(DISTINCT external_id) AS ids FROM users WHERE created_by_import = $1`,
      [body.id],
    );
    expect(Number(stats.people)).toBe(PEOPLE);
    expect(Number(stats.ids)).toBe(PEOPLE);
    const [owner] = await app.db.query<{ attempt: string }>('SELECT attempt FROM imports WHERE id = $1', [body.id]);
    expect(owner.attempt).not.toBe(pausedAttempt);
  }, 300_000);
});
