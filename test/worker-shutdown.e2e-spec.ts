import { describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { progressOf, waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { useApiWithWorkerProcesses } from './support/worker-rig.js';

const PEOPLE = 30_000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '500' };

describe('a worker stopped with SIGTERM mid-import', () => {
  const rig = useApiWithWorkerProcesses(WORKER_ENV);

  it('exits at a batch boundary leaving no job active, and the next start resumes', async () => {
    const api = new Api(rig.app.baseUrl, await rig.app.createKey('terminated'));
    const { body } = await api.upload(employeesCsv(PEOPLE));
    await rig.startWorker();
    await api.request(body.id, 'IMPORT_PENDING');
    await waitForProgress(rig.app.db, body.id, (row) => row.applied_line > 1);

    await rig.worker.kill('SIGTERM');
    expect(rig.worker.child.exitCode).toBe(0);
    expect(rig.worker.output()).toContain('shutting down');
    const jobs = await rig.app.db.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE data->>'importId' = $1`, [body.id]);
    expect(jobs.map((job) => job.state)).not.toContain('active');
    const stopped = await progressOf(rig.app.db, body.id);
    expect(stopped.state).toBe('IMPORTING');
    expect(stopped.applied_line).toBeLessThan(PEOPLE + 1);

    await rig.startWorker();
    const done = await api.waitForState(body.id, 'COMPLETED', 120_000);
    expect(done.applied).toEqual({ create: PEOPLE, update: 0, deactivate: 0, delete: 0 });
    const [stats] = await rig.app.db.query<{ people: string; ids: string }>(
      'SELECT count(*) AS people, count(DISTINCT external_id) AS ids FROM users WHERE created_by_import = $1',
      [body.id],
    );
    expect([Number(stats.people), Number(stats.ids)]).toEqual([PEOPLE, PEOPLE]);
  }, 300_000);
});
