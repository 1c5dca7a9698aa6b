import { describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { progressOf, waitForProgress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { useApiWithWorkerProcesses } from './support/worker-rig.js';

const PEOPLE = 50_000;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '1000' };

describe('a worker process killed with SIGKILL', () => {
  const rig = useApiWithWorkerProcesses(WORKER_ENV);

  it('loses nothing: the next worker resumes from the checkpoint, no person is written twice', async () => {
    const api = new Api(rig.app.baseUrl, await rig.app.createKey('crash'));
    const seed = employeesCsv(5_000, 'old');
    const csv = employeesCsv(PEOPLE, 'new');

    // Half the people already exist, so the import both updates and creates.
    await rig.startWorker();
    const first = await api.upload(seed);
    await api.request(first.body.id, 'IMPORT_PENDING');
    await api.waitForState(first.body.id, 'COMPLETED');

    const { body } = await api.upload(csv);
    await api.request(body.id, 'IMPORT_PENDING');

    // Killed once while reading the file, once while writing the directory.
    await waitForProgress(rig.app.db, body.id, (row) => row.staged_lines > 1 && row.staged_at === null);
    await rig.worker.kill('SIGKILL');
    const stagedAtKill = (await progressOf(rig.app.db, body.id)).staged_lines;
    await rig.startWorker();
    await waitForProgress(rig.app.db, body.id, (row) => row.applied_line > 1);
    const appliedBeforeKill = (await progressOf(rig.app.db, body.id)).applied_line;
    await rig.worker.kill('SIGKILL');
    const appliedAtKill = (await progressOf(rig.app.db, body.id)).applied_line;
    expect(appliedAtKill).toBeGreaterThanOrEqual(appliedBeforeKill);
    expect(appliedAtKill).toBeLessThan(PEOPLE + 1);
    await rig.startWorker();

    const done = await api.waitForState(body.id, 'COMPLETED', 120_000);
    expect(stagedAtKill).toBeLessThan(PEOPLE + 1);
    expect(done.counts).toMatchObject({ create: PEOPLE - 5_000, update: 5_000, error: 0 });
    expect(done.applied).toEqual({ create: PEOPLE - 5_000, update: 5_000, deactivate: 0, delete: 0 });

    const [stats] = await rig.app.db.query<{ people: string; ids: string; emails: string; titled: string }>(
      `SELECT count(*) AS people, count(DISTINCT external_id) AS ids, count(DISTINCT lower(email)) AS emails,
              count(*) FILTER (WHERE title = 'Title new') AS titled
         FROM users u JOIN workspaces w ON w.id = u.workspace_id WHERE w.name = 'crash'`,
    );
    expect(Number(stats.people)).toBe(PEOPLE);
    expect(Number(stats.ids)).toBe(PEOPLE);
    expect(Number(stats.emails)).toBe(PEOPLE);
    expect(Number(stats.titled)).toBe(PEOPLE);
    const [staged] = await rig.app.db.query<{ n: string; lines: string }>(
      'SELECT count(*) AS n, count(DISTINCT line) AS lines FROM staged_rows WHERE import_id = $1',
      [body.id],
    );
    expect(Number(staged.n)).toBe(PEOPLE);
    expect(Number(staged.lines)).toBe(PEOPLE);
    expect((await api.get('/v1/users/E49999')).body).toMatchObject({ lastName: 'Last, 49999', email: 'person49999@example.com' });
  }, 300_000);
});
