import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Database } from '../src/modules/database/database.js';
import { inWorkspace } from '../src/modules/database/db-scope.js';
import { ImportsRepository } from '../src/modules/imports/imports.repository.js';
import type { ImportConfig } from '../src/modules/imports/import-config.js';
import { PlannerRepository } from '../src/modules/planning/planner.repository.js';
import { ImportInterrupted } from '../src/modules/staging/pipeline-errors.js';
import { Api, type ImportBody } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The directory before: managers, groups, and people the next file leaves out. */
const BEFORE = `externalId,email,displayName,title,managerExternalId,group
1,a@example.com,Ann,Boss,,Leads
2,b@example.com,Bob,Clerk,1,Shop
3,c@example.com,Cid,Clerk,1,Shop
4,d@example.com,Dee,Clerk,2,Shop
5,e@example.com,Eve,Clerk,2,Office
`;

/**
 * Every kind of plan row and plan error: an update, a create, a repeat adding a group, a repeat that
 * disagrees, an e-mail already used, a display name in use, a manager cycle, a manager no one is,
 * and (a full import) people absent from the file deactivated.
 */
const NEXT = `externalId,email,displayName,title,managerExternalId,group
1,a@example.com,Ann,Boss,2,Leads
2,b@example.com,Bob,Head clerk,1,Shop
2,b@example.com,Bob,Head clerk,1,Office
3,c@example.com,Cid,Clerk,1,Shop
3,c@example.com,Cid,Other title,1,Office
6,a@example.com,Fay,Clerk,1,Shop
7,g@example.com,Ann,Clerk,99,Shop
8,h@example.com,Hal,Clerk,7,Depot
`;

const FULL = { mode: 'full', missing: 'deactivate', scope: 'all' };

/** Cut short: the step's transaction is refused, as it is for a worker that lost the import. */
class CutShort extends Error {}

/**
 * A plan is made in steps, each its own transaction, so none stays open for the whole plan. A plan
 * cut short at any step and made again is the plan made in one go: same changes, same errors, same
 * counts, and nothing of the cut one left over.
 */
describe('a plan made in steps', () => {
  let app: TestApp;
  let api: Api;
  let workspaceId: string;

  beforeAll(async () => {
    app = await startTestApp();
    api = new Api(app.baseUrl, await app.createKey('plan-steps'));
    [{ id: workspaceId }] = await app.db.query<{ id: string }>(`SELECT id FROM workspaces WHERE name = 'plan-steps'`);
    const first = await api.upload(BEFORE, { config: FULL });
    await api.request(first.body.id, 'IMPORT_PENDING');
    await api.waitForState(first.body.id, 'COMPLETED');
  }, 120_000);
  afterAll(() => app.close());

  /** What a plan says, without the ids new people are given (each plan draws new ones). */
  async function planOf(importId: string): Promise<unknown> {
    const params = [workspaceId, importId];
    return {
      changes: await app.db.query(`SELECT seq, line, op, key, changes FROM import_changes WHERE workspace_id = $1 AND import_id = $2 ORDER BY seq`, params),
      groups: await app.db.query(`SELECT seq, op, group_name, key, line FROM import_group_changes WHERE workspace_id = $1 AND import_id = $2 ORDER BY seq`, params),
      errors: await app.db.query(`SELECT line, column_name, code, message, blocking FROM import_errors WHERE workspace_id = $1 AND import_id = $2 ORDER BY line, code`, params),
      repeats: await app.db.query(`SELECT line, repeat_of FROM staged_rows WHERE workspace_id = $1 AND import_id = $2 AND repeat_of IS NOT NULL ORDER BY line`, params),
      imports: await app.db.query(`SELECT counts, phase FROM imports WHERE workspace_id = $1 AND id = $2`, params),
    };
  }

  it('cut short at each step and made again, gives the plan made in one go', async () => {
    const previewed: ImportBody = await (async () => {
      const created = await api.upload(NEXT, { config: FULL });
      await api.request(created.body.id, 'PREVIEW_PENDING');
      return api.waitForState(created.body.id, 'PREVIEW_READY');
    })();
    expect(previewed.counts).toMatchObject({ create: 2, update: 1, deactivate: 2 });
    const expected = await planOf(previewed.id);
    expect(JSON.stringify(expected)).toContain('MANAGER_CYCLE');
    expect(JSON.stringify(expected)).toContain('EMAIL_IN_USE');
    expect(JSON.stringify(expected)).toContain('DUPLICATE_KEY');
    expect(JSON.stringify(expected)).toContain('member_add');

    const planning = app.app.get(PlannerRepository);
    // As the worker plans: in the import's workspace.
    const planner = { plan: (...args: Parameters<PlannerRepository['plan']>) => inWorkspace(workspaceId, () => planning.plan(...args)) };
    const ref = { workspaceId, importId: previewed.id };
    const [row] = await app.db.query<{ config: ImportConfig; resolved_mapping: never }>('SELECT config, resolved_mapping FROM imports WHERE id = $1', [previewed.id]);
    const input = { config: row.config, mapping: row.resolved_mapping };

    let steps = 0;
    await planner.plan(ref, input, { fence: async () => { steps += 1; } });
    expect(steps).toBeGreaterThan(5);
    expect(await planOf(previewed.id)).toEqual(expected);

    for (let cut = 1; cut <= steps; cut++) {
      let step = 0;
      const [{ planned_at: before }] = await app.db.query<{ planned_at: Date }>('SELECT planned_at FROM imports WHERE id = $1', [previewed.id]);
      await expect(planner.plan(ref, input, {
        fence: async () => {
          step += 1;
          if (step === cut) throw new CutShort(`cut at step ${cut}`);
        },
      })).rejects.toThrow(CutShort);
      // A plan cut short is no plan: from its first step the import has none (nothing applies or shows
      // half-made) until a plan is made whole; cut at the first step, nothing changed.
      const [after] = await app.db.query<{ planned_at: Date | null; phase: string }>('SELECT planned_at, phase FROM imports WHERE id = $1', [previewed.id]);
      expect(after).toEqual(cut === 1 ? { planned_at: before, phase: 'waiting' } : { planned_at: null, phase: 'planning' });
      if (cut > 1) expect((await api.get(`/v1/imports/${previewed.id}/preview`)).body).toMatchObject({ ready: false, items: [] });

      await planner.plan(ref, input, { fence: async () => undefined });
      expect(await planOf(previewed.id)).toEqual(expected);
    }
    // The working tables lived in the plan's session only.
    expect(await app.db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'plan\\_%' AND relpersistence = 't'`)).toEqual([]);
  }, 180_000);

  it("a step's fence sees a takeover made after its transaction began: interrupted, not a serialization failure", async () => {
    // A plan step is a REPEATABLE READ transaction fenced on the attempt that owns the import. The
    // transaction's snapshot is taken by the fence itself, so it sees the newest owner.
    const draft = (await api.upload('externalId,email\n1,a@example.com\n')).body;
    const ref = { workspaceId, importId: draft.id };
    await app.db.query(`UPDATE imports SET state = 'CREATING_PREVIEW', attempt = 'job-a/0' WHERE id = $1`, [draft.id]);
    const db = app.app.get(Database);
    const imports = app.app.get(ImportsRepository);
    try {
      const fenced = inWorkspace(workspaceId, () =>
        db.transaction(async (tx) => {
          await app.db.query(`UPDATE imports SET attempt = 'job-b/0' WHERE id = $1`, [draft.id]);
          return imports.claim(tx, ref, ['CREATING_PREVIEW'], 'job-a/0');
        }, 'REPEATABLE READ'),
      );
      await expect(fenced).rejects.toThrow(new ImportInterrupted('attempt job-b/0 took the import over from job-a/0'));
    } finally {
      await app.db.query(`UPDATE imports SET state = 'DRAFT', attempt = NULL WHERE id = $1`, [draft.id]);
    }
  });
});
