import { describe, expect, it } from '@jest/globals';
import { inWorkspace } from '../src/modules/database/db-scope.js';
import { Database } from '../src/modules/database/database.js';
import { ImportsRepository } from '../src/modules/imports/imports.repository.js';
import { ImportInterrupted } from '../src/modules/staging/pipeline-errors.js';
import { Api } from './support/api-client.js';
import { waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { useApiWithWorkerProcesses } from './support/worker-rig.js';

const PEOPLE = 30_000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '500' };

describe('a paused worker whose job another worker took over', () => {
  const rig = useApiWithWorkerProcesses(WORKER_ENV);

  it('writes nothing once it resumes (SIGCONT): every batch is fenced on the attempt that owns the import', async () => {
    const api = new Api(rig.app.baseUrl, await rig.app.createKey('paused'));
    const { body } = await api.upload(employeesCsv(PEOPLE));
    const paused = await rig.startWorker();
    await api.request(body.id, 'IMPORT_PENDING');
    await waitForProgress(rig.app.db, body.id, (row) => row.applied_line > 1);
    paused.child.kill('SIGSTOP');
    const [{ attempt: pausedAttempt }] = await rig.app.db.query<{ attempt: string }>('SELECT attempt FROM imports WHERE id = $1', [body.id]);

    // Its heartbeats stop, pg-boss hands the job to the other worker, which takes the import over.
    await rig.startWorker();
    await waitForProgress(rig.app.db, body.id, (row) => row.attempt !== pausedAttempt && row.applied_line > 1, 120_000);
    paused.child.kill('SIGCONT');

    const done = await api.waitForState(body.id, 'COMPLETED', 120_000);
    expect(done.applied).toEqual({ create: PEOPLE, update: 0, deactivate: 0, delete: 0 });
    const [stats] = await rig.app.db.query<{ people: string; ids: string }>(
      `SELECT count(*) AS people, count(DISTINCT external_id) AS ids FROM users WHERE created_by_import = $1`,
      [body.id],
    );
    expect(Number(stats.people)).toBe(PEOPLE);
    expect(Number(stats.ids)).toBe(PEOPLE);
    const [owner] = await rig.app.db.query<{ attempt: string }>('SELECT attempt FROM imports WHERE id = $1', [body.id]);
    expect(owner.attempt).not.toBe(pausedAttempt);
  }, 300_000);

  it('refuses every batch of an attempt once a newer one took the import over, checkpoint or not', async () => {
    const api = new Api(rig.app.baseUrl, await rig.app.createKey('fenced'));
    const { body } = await api.upload(employeesCsv(10));
    const [{ id: workspaceId }] = await rig.app.db.query<{ id: string }>("SELECT id FROM workspaces WHERE name = 'fenced'");
    const ref = { workspaceId, importId: body.id };
    const imports = rig.app.app.get(ImportsRepository);
    const db = rig.app.app.get(Database);
    // As a job does: in the import's workspace.
    const claim = (attempt: string) => inWorkspace(workspaceId, () => db.transaction((tx) => imports.claim(tx, ref, ['DRAFT'], attempt)));
    const takeOver = (attempt: string) => inWorkspace(workspaceId, () => imports.takeOver(ref, attempt));

    await takeOver('job-1/0');
    await expect(claim('job-1/0')).resolves.toMatchObject({ state: 'DRAFT', stagedBytes: 0 });
    await takeOver('job-1/1');
    // Same state, same checkpoint: only the owner tells the frozen attempt from the live one.
    await expect(claim('job-1/0')).rejects.toBeInstanceOf(ImportInterrupted);
    await expect(takeOver('job-1/0')).rejects.toBeInstanceOf(ImportInterrupted);
    await expect(claim('job-1/1')).resolves.toMatchObject({ state: 'DRAFT' });
  });
});
