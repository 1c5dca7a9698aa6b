import { describe, expect, it } from '@jest/globals';
import { inWorkspace } from '../src/modules/database/db-scope.js';
import { ImportDriver } from '../src/modules/imports/import-driver.js';
import { Api } from './support/api-client.js';
import { waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { useApiWithWorkerProcesses } from './support/worker-rig.js';

const PEOPLE = 3000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '100' };

describe('a FAILED import retried after another import changed the directory', () => {
  const rig = useApiWithWorkerProcesses(WORKER_ENV);

  it('plans what is left again and completes, with no duplicate and the later file winning', async () => {
    const api = new Api(rig.app.baseUrl, await rig.app.createKey('replan'));
    const first = (await api.upload(employeesCsv(PEOPLE, 'first'))).body;
    await api.request(first.id, 'IMPORT_PENDING');
    await rig.startWorker();
    await waitForProgress(rig.app.db, first.id, (row) => row.applied_line > 1);
    await rig.worker.kill('SIGKILL');
    // As if its retries had run out: the import fails part-way through applying.
    const ref = { workspaceId: (await rig.app.db.query<{ id: string }>("SELECT id FROM workspaces WHERE name = 'replan'"))[0].id, importId: first.id };
    expect((await inWorkspace(ref.workspaceId, () => rig.app.app.get(ImportDriver).send(ref, { type: 'FAIL', reason: 'gave up (test)' }))).result.state).toBe('FAILED');
    const [{ applied_line: appliedAtFailure }] = await rig.app.db.query<{ applied_line: number }>('SELECT applied_line FROM imports WHERE id = $1', [first.id]);
    expect(appliedAtFailure).toBeLessThan(PEOPLE);

    // Meanwhile another import creates the last person, whom the failed one had not reached yet.
    const other = (await api.upload(`employee_id,email,title\nE${PEOPLE},person${PEOPLE}@example.com,Title other\n`)).body;
    await api.request(other.id, 'IMPORT_PENDING');
    await rig.startWorker();
    await api.waitForState(other.id, 'COMPLETED', 120_000);

    await api.request(first.id, 'IMPORT_PENDING');
    const done = await api.waitForState(first.id, 'COMPLETED', 120_000);
    expect(done.counts).toMatchObject({ update: 1 });
    const [stats] = await rig.app.db.query<{ people: string; ids: string; firsts: string }>(
      `SELECT count(*) AS people, count(DISTINCT external_id) AS ids, count(*) FILTER (WHERE title = 'Title first') AS firsts
         FROM users WHERE workspace_id = $1`,
      [ref.workspaceId],
    );
    expect([Number(stats.people), Number(stats.ids), Number(stats.firsts)]).toEqual([PEOPLE, PEOPLE, PEOPLE]);
  }, 300_000);
});
