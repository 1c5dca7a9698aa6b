import { describe, expect, it } from '@jest/globals';
import { appliedImports, orderProblems } from '../scripts/bench/apply-order.js';
import { importsAppliedInLog } from '../scripts/bench/worker-log.js';
import { Api } from './support/api-client.js';
import { employeesCsv } from './support/employee-csv.js';
import { useApiWithWorkerProcesses } from './support/worker-rig.js';

const PEOPLE = 2_000;
const WORKSPACES = ['north', 'south', 'east', 'west'];
const VARIANTS = ['first', 'second', 'third'];
// One job at a time per process, and batches of 500, so each import spans several transactions
// and a workspace's next import could only overlap it by going to the other process.
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: '500', ROSTERSYNC_APPLY_CONCURRENCY: '1', ROSTERSYNC_PREVIEW_CONCURRENCY: '1' };

describe('two worker processes on one database', () => {
  const rig = useApiWithWorkerProcesses(WORKER_ENV);

  it("share four workspaces' imports, and each workspace's imports still apply one at a time in request order", async () => {
    const workers = [await rig.startWorker(), await rig.startWorker()];
    const apis = [];
    for (const workspace of WORKSPACES) apis.push(new Api(rig.app.baseUrl, await rig.app.createKey(workspace)));
    const ids: string[][] = [];
    for (const api of apis) {
      const uploaded = [];
      for (const variant of VARIANTS) uploaded.push((await api.upload(employeesCsv(PEOPLE, variant))).body.id);
      ids.push(uploaded);
    }

    // Workspace by workspace: a workspace's three imports are queued back to back, while the
    // other process is free to take the next one.
    for (const [w, api] of apis.entries()) {
      for (const id of ids[w]) expect((await api.request(id, 'IMPORT_PENDING')).status).toBe(200);
    }
    await Promise.all(apis.flatMap((api, w) => ids[w].map((id) => api.waitForState(id, 'COMPLETED', 120_000))));

    const byWorkspace = await appliedImports(rig.app.db.query);
    expect([...byWorkspace.keys()].sort()).toEqual([...WORKSPACES].sort());
    for (const [w, workspace] of WORKSPACES.entries()) {
      const imports = byWorkspace.get(workspace)!;
      expect(imports.map((i) => i.importId)).toEqual(ids[w]);
      // Each started only after the one requested before it had completed: in order, never overlapping.
      expect(orderProblems(workspace, imports)).toEqual([]);
      expect(imports.map((i) => i.counts)).toEqual([
        expect.objectContaining({ create: PEOPLE, update: 0, error: 0 }),
        expect.objectContaining({ create: 0, update: PEOPLE, error: 0 }),
        expect.objectContaining({ create: 0, update: PEOPLE, error: 0 }),
      ]);
    }

    // Last requested, last applied: every directory holds the third file.
    const directories = await rig.app.db.query<{ workspace: string; people: number; third: number }>(
      `SELECT w.name AS workspace, count(*)::int AS people, count(*) FILTER (WHERE u.title = 'Title third')::int AS third
         FROM users u JOIN workspaces w ON w.id = u.workspace_id GROUP BY w.name ORDER BY w.name`,
    );
    expect(directories).toEqual([...WORKSPACES].sort().map((workspace) => ({ workspace, people: PEOPLE, third: PEOPLE })));

    // Both processes applied imports, and each import was applied by one of them only.
    const applied = workers.map((worker) => importsAppliedInLog(worker.output()));
    expect(applied[0].length).toBeGreaterThan(0);
    expect(applied[1].length).toBeGreaterThan(0);
    expect([...applied[0], ...applied[1]].sort()).toEqual(ids.flat().sort());
  }, 180_000);
});
