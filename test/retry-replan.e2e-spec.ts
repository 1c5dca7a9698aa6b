import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImportDriver } from '../src/modules/imports/import-driver.js';
import { Api } from './support/api-client.js';
import { waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const PEOPLE = 3000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '100' };

describe('a FAILED import retried after another import changed the directory', () => {
  let app: TestApp;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    app = await startTestApp({ env: { ROLE: 'api' } });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await app.close();
  });

  it('plans what is left again and completes, with no duplicate and the later file winning', async () => {
    const api = new Api(app.baseUrl, await app.createKey('replan'));
    const first = (await api.upload(employeesCsv(PEOPLE, 'first'))).body;
    await api.request(first.id, 'IMPORT_PENDING');
    worker = await startWorkerProcess(app.db.url, WORKER_ENV);
    await waitForProgress(app.db, first.id, (row) => row.applied_line > 1);
    await worker.kill('SIGKILL');
    // As if its retries had run out: the import fails part-way through applying.
    const ref = { workspaceId: (await app.db.query<{ id: string }>("SELECT id FROM workspaces WHERE name = 'replan'"))[0].id, importId: first.id };
    expect((await app.app.get(ImportDriver).send(ref, { type: 'FAIL', reason: 'gave up (test)' })).result.state).toBe('FAILED');
    const [{ applied_line: appliedAtFailure }] = await app.db.query<{ applied_line: number }>('SELECT applied_line FROM imports WHERE id = $1', [first.id]);
    expect(appliedAtFailure).toBeLessThan(PEOPLE);

    // Meanwhile another import creates the last person, whom the failed one had not reached yet.
    const other = (await api.upload(`employee_id,email,title\nE${PEOPLE},person${PEOPLE}@example.com,Title other\n`)).body;
    await api.request(other.id, 'IMPORT_PENDING');
    worker = await startWorkerProcess(app.db.url, WORKER_ENV);
    await api.waitForState(other.id, 'COMPLETED', 120_000);

    await api.request(first.id, 'IMPORT_PENDING');
    const done = await api.waitForState(first.id, 'COMPLETED', 120_000);
    expect(done.counts).toMatchObject({ update: 1 });
    const [stats] = await app.db.query<{ people: string; ids: string; firsts: string }>(
      `SELECT count(*) AS people, count(DISTINCT external_id) AS ids, count(*) FILTER (WHERE title = 'Title first') AS firsts
         FROM users WHERE workspace_id = $1`,
      [ref.workspaceId],
    );
    expect([Number(stats.people), Number(stats.ids), Number(stats.firsts)]).toEqual([PEOPLE, PEOPLE, PEOPLE]);
  }, 300_000);
});
