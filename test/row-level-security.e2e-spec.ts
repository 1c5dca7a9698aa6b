import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ApplierRepository } from '../src/modules/applying/applier.repository.js';
import { Database, type Tx } from '../src/modules/database/database.js';
import { inWorkspace, NoDbScopeError } from '../src/modules/database/db-scope.js';
import { pgErrorCode } from '../src/modules/database/pg-error-code.js';
import { UsersRepository } from '../src/modules/directory/users.repository.js';
import { normaliseConfig, type MappedColumn } from '../src/modules/imports/import-config.js';
import { otherIdentifier } from '../src/modules/planning/plan-checks.js';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every workspace table of the schema (and the workspaces themselves). */
async function workspaceTables(app: TestApp): Promise<string[]> {
  const rows = await app.db.query<{ name: string }>(
    `SELECT c.table_name AS name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND c.column_name = 'workspace_id' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/**
 * The isolation backstop: PostgreSQL's row-level security admits only the rows of the workspace
 * each transaction is set to, so a query that forgets its workspace filter finds nothing of
 * another workspace; and every endpoint, given another workspace's ids, answers 404 and changes
 * nothing.
 */
describe('workspace isolation in the database', () => {
  let app: TestApp;
  let owner: Api;
  let stranger: Api;
  let ownerId: string;
  let strangerId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp({ env: { ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1' } });
    owner = new Api(app.baseUrl, await app.createKey('owner'));
    stranger = new Api(app.baseUrl, await app.createKey('stranger'));
    [{ id: ownerId }] = await app.db.query<{ id: string }>(`SELECT id FROM workspaces WHERE name = 'owner'`);
    [{ id: strangerId }] = await app.db.query<{ id: string }>(`SELECT id FROM workspaces WHERE name = 'stranger'`);

    // The owner has one of everything; the stranger has people of their own.
    expect((await owner.post('/v1/fields', { key: 'costCenter', type: 'string' })).status).toBe(201);
    const done = (await owner.upload('externalId,email,group,costCenter\n77,seven@example.com,Shop,C1\n78,eight@example.com,Shop,C2\n')).body;
    await owner.request(done.id, 'IMPORT_PENDING');
    await owner.waitForState(done.id, 'COMPLETED');
    ids.import = done.id;
    const held = (await owner.upload('externalId,email\n79,nine@example.com\n')).body;
    await owner.request(held.id, 'PREVIEW_PENDING');
    await owner.waitForState(held.id, 'PREVIEW_READY');
    ids.held = held.id;
    ids.profile = (await owner.post<{ id: string }>('/v1/profiles', { name: 'HR', config: { key: 'externalId' } })).body.id;
    ids.source = (await owner.post<{ id: string }>('/v1/sources', { name: 'HR', uri: 'https://127.0.0.1:9/people.csv' })).body.id;
    ids.schedule = (await owner.post<{ id: string }>('/v1/schedules', { name: 'nightly', sourceId: ids.source, profileId: ids.profile, cron: '0 2 * * *' })).body.id;
    ids.webhook = (await owner.post<{ id: string }>('/v1/webhooks', { url: 'https://127.0.0.1:9/hook', events: ['*'] })).body.id;
    ids.key = (await owner.post<{ id: string }>('/v1/keys', { name: 'ci', role: 'viewer' })).body.id;
    const theirs = (await stranger.upload('externalId,email\n1,one@example.com\n')).body;
    await stranger.request(theirs.id, 'IMPORT_PENDING');
    await stranger.waitForState(theirs.id, 'COMPLETED');
  }, 120_000);
  afterAll(() => app.close());

  it('is on for every table with a workspace_id, and for workspaces', async () => {
    const tables = [...(await workspaceTables(app)), 'workspaces'];
    expect(tables.length).toBeGreaterThan(20);
    const secured = await app.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname AND p.schemaname = 'public'
        WHERE c.relrowsecurity AND c.relnamespace = 'public'::regnamespace`,
    );
    expect(tables.filter((table) => !secured.some((row) => row.name === table))).toEqual([]);
  });

  it('a query that forgets its workspace filter sees only the workspace of its transaction', async () => {
    const db = app.app.get(Database);
    const peopleOf = (workspaceId: string) => inWorkspace(workspaceId, () => db.query<{ workspace_id: string; n: string }>('SELECT workspace_id, count(*) AS n FROM users GROUP BY 1'));
    expect(await peopleOf(ownerId)).toEqual([{ workspace_id: ownerId, n: '2' }]);
    expect(await peopleOf(strangerId)).toEqual([{ workspace_id: strangerId, n: '1' }]);
    for (const table of await workspaceTables(app)) {
      const seen = await inWorkspace(strangerId, () => db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE workspace_id <> $1`, [strangerId]));
      expect({ table, n: seen[0].n }).toEqual({ table, n: '0' });
    }
    // Writing into another workspace is refused too.
    const write = await inWorkspace(strangerId, () => db.query(`INSERT INTO groups (workspace_id, name) VALUES ($1, 'planted')`, [ownerId])).then(() => null, (error: unknown) => error);
    expect(pgErrorCode(write)).toBe('42501');
    // And no scope at all is a bug, not an empty answer; a missing workspace id does not widen the scope.
    await expect(db.query('SELECT count(*) FROM users')).rejects.toThrow(NoDbScopeError);
    expect(() => inWorkspace('', () => db.query('SELECT count(*) FROM users'))).toThrow(/needs a workspace id/);
    // Updates and deletes through the policy touch nothing of another workspace.
    const changed = await inWorkspace(strangerId, () => db.query<{ n: string }>(`WITH gone AS (DELETE FROM groups WHERE workspace_id = $1 RETURNING 1) SELECT count(*) AS n FROM gone`, [ownerId]));
    expect(changed[0].n).toBe('0');
    expect((await app.db.query<{ n: string }>('SELECT count(*) AS n FROM groups WHERE workspace_id = $1', [ownerId]))[0].n).toBe('1');
  });

  it("the transaction's scope reaches the database as written, quotes and backslashes included", async () => {
    const db = app.app.get(Database);
    const actor = { name: "O'Brien \\ 'x'; SET ROLE NONE; --", keyId: '00000000-0000-4000-8000-000000000001' };
    const [row] = await inWorkspace(ownerId, () =>
      db.query<Record<string, string>>(
        `SELECT current_user AS role, current_setting('rostersync.workspace') AS workspace, current_setting('rostersync.system') AS system,
                current_setting('rostersync.actor') AS actor, current_setting('rostersync.actor_key') AS "actorKey"`,
      ), actor);
    expect(row).toEqual({ role: 'rostersync_app', workspace: ownerId, system: 'off', actor: actor.name, actorKey: actor.keyId });
    // Work done as the owner that fails, caught by its caller: the transaction goes on as the application.
    const after = await inWorkspace(ownerId, () =>
      db.transaction(async (tx) => {
        await tx.asOwner(() => Promise.reject(new Error('failed as the owner'))).catch(() => undefined);
        return tx.query<{ role: string }>('SELECT current_user AS role');
      }),
    );
    expect(after).toEqual([{ role: 'rostersync_app' }]);
  });

  /**
   * The plan PostgreSQL makes for a statement as the application, in the owner's workspace. Two
   * people are cheaper to read than to look up: the plan is asked for with 20,000 more, in a
   * transaction that is rolled back. `setup` runs first, as the application, given `params`.
   * `unseen`: the statistics are taken of an empty workspace before the 20,000 are added, as in a
   * first load (the plan analysed the workspace empty, and it fills batch by batch).
   */
  async function planWithManyPeople(sql: string, params: unknown[], setup: string[] = [], unseen = false): Promise<PlanNode[]> {
    const db = app.app.get(Database);
    const plan = await inWorkspace(ownerId, () =>
      db.transaction(async (tx) => {
        await tx.asOwner(async () => {
          if (unseen) {
            await tx.query('DELETE FROM users WHERE workspace_id = $1', [ownerId]);
            await tx.query('ANALYZE users');
          }
          await tx.query(
            `INSERT INTO users (workspace_id, external_id, email, display_name)
             SELECT $1, 'x' || n, 'x' || n || '@example.com', 'X ' || n FROM generate_series(1, 20000) n`,
            [ownerId],
          );
          if (!unseen) await tx.query('ANALYZE users');
        });
        for (const statement of setup) await tx.query(statement, statement.includes('$') ? params : []);
        const explained = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        throw new PlanOnly(JSON.stringify(explained));
      }).catch((error: unknown) => {
        if (error instanceof PlanOnly) return error.message;
        throw error;
      }),
    );
    return planNodes(JSON.parse(plan));
  }

  it('a person is found by email through the email index, not by reading the workspace', async () => {
    // Under row-level security PostgreSQL uses an index only for a condition that leaks nothing:
    // lower(email) = lower($2) would read every person of the workspace (0.3 s at 1M people).
    const db = app.app.get(Database);
    const users = app.app.get(UsersRepository);
    const statements: [string, unknown[]][] = [];
    const spy = jest.spyOn(db, 'query').mockImplementation(async (sql: string, params: unknown[] = []) => {
      statements.push([sql, params]);
      return [];
    });
    try {
      await inWorkspace(ownerId, async () => {
        await users.find(ownerId, 'SEVEN@example.com');
        await users.activate(ownerId, 'SEVEN@example.com');
        await users.history(ownerId, 'SEVEN@example.com', 1, 10);
      });
    } finally {
      spy.mockRestore();
    }
    expect(statements).toHaveLength(3);
    for (const [sql, params] of statements) {
      const byEmail = emailIndexSearches(await planWithManyPeople(sql, params));
      expect({ sql, byEmail }).toEqual({ sql, byEmail: [expect.stringContaining('(email_lower = ')] });
    }
  });

  it("the plan finds an email that is another person's through the email index, not by reading the workspace", async () => {
    // The held import's line, as a line that changes its email: the check the plan runs for it.
    const check = otherIdentifier({ config: normaliseConfig(), mapping: [{ index: 1, column: 'email', field: 'email' }] }).at(-1)!;
    const plan = await planWithManyPeople(check, [ownerId, ids.held], [
      `CREATE TEMP TABLE plan_candidates ON COMMIT DROP AS SELECT line, true AS email_changed FROM staged_rows WHERE workspace_id = $1 AND import_id = $2`,
      'ANALYZE plan_candidates',
    ]);
    expect(emailIndexSearches(plan)).toEqual([expect.stringContaining('(email_lower = ')]);
  });

  it('the apply links a manager through the external id index, while the statistics still see the workspace empty', async () => {
    // The statements of a batch of creates that name managers, and of the managers pass after it.
    const statements: string[] = [];
    const tx = {
      query: async (sql: string) => {
        statements.push(sql);
        return sql.startsWith('SELECT seq, op') ? [{ seq: 1, op: 'create' }] : [];
      },
    } as unknown as Tx;
    const mapping: MappedColumn[] = [{ index: 0, column: 'id', field: 'externalId' }, { index: 1, column: 'manager', field: 'managerExternalId' }];
    const applier = app.app.get(ApplierRepository);
    await applier.applyNext(tx, { workspaceId: ownerId, importId: ids.held }, 'people', mapping, 0, 10);
    await applier.applyNext(tx, { workspaceId: ownerId, importId: ids.held }, 'managers', mapping, 0, 10);
    const linking = statements.filter((sql) => sql.includes('manager_key'));
    expect(linking).toEqual([expect.stringContaining('INSERT INTO users'), expect.stringContaining('UPDATE users u SET manager_id')]);
    // The people pass runs on the statistics the plan took (of an empty workspace, in a first
    // load); the managers pass on fresh ones.
    for (const [sql, unseen] of linking.map((statement, i) => [statement, i === 0] as const)) {
      const plan = await planWithManyPeople(sql, [ownerId, ids.held, 0, 10], [], unseen);
      // Every search for a manager is by their external id, none by the workspace alone.
      const managers = plan.filter((node) => /^m(_\d+)?$/.test(String(node['Alias'])) && node['Relation Name'] === 'users');
      expect(managers.length).toBeGreaterThan(0);
      expect({ sql, searches: managers.map((node) => `${String(node['Index Name'])} ${String(node['Index Cond'] ?? node['Recheck Cond'])}`) })
        .toEqual({ sql, searches: managers.map(() => expect.stringMatching(/^users_by_external_id .*\(external_id = k\.manager_key\)/)) });
    }
  });

  it("every endpoint given another workspace's ids answers 404 and changes nothing", async () => {
    const digest = async (): Promise<Record<string, string>> => {
      const result: Record<string, string> = {};
      for (const table of await workspaceTables(app)) {
        const [row] = await app.db.query<{ d: string }>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM ${table} t WHERE workspace_id = $1`, [ownerId]);
        result[table] = row.d;
      }
      return result;
    };
    const before = await digest();
    const value: Record<string, string> = {
      '/v1/imports/:id': ids.held, '/v1/profiles/:id': ids.profile, '/v1/sources/:id': ids.source, '/v1/schedules/:id': ids.schedule,
      '/v1/webhooks/:id': ids.webhook, '/v1/keys/:id': ids.key, '/v1/users/:key': '77', '/v1/groups/:name': 'Shop', '/v1/fields/:key': 'costCenter',
    };
    const bodies: Record<string, unknown> = {
      'PATCH /v1/imports/:id': { state: 'CANCELLED' },
      'POST /v1/sources/:id/sync': { profileId: ids.profile },
      'PUT /v1/imports/:id/config': { key: 'email' },
      'PUT /v1/profiles/:id': { name: 'taken over', config: { key: 'email' } },
      'PUT /v1/sources/:id': { name: 'taken over', uri: 'https://127.0.0.1:9/other.csv' },
      'PUT /v1/schedules/:id': { name: 'taken over', sourceId: ids.source, profileId: ids.profile, cron: '0 3 * * *' },
      'PUT /v1/fields/:key': { key: 'costCenter', type: 'string', label: 'taken over' },
    };
    const router = (app.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } }).router;
    const routes = router.stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })) : []));
    const withIds = routes.filter((route) => route.path.includes(':'));
    expect(withIds.length).toBeGreaterThan(20);
    const answers: string[] = [];
    for (const { method, path } of withIds) {
      const prefix = Object.keys(value).find((pattern) => path === pattern || path.startsWith(`${pattern}/`));
      if (!prefix) throw new Error(`no id to try for ${method} ${path}: add one to this test`);
      const url = path.replace(/:[a-zA-Z]+/, encodeURIComponent(value[prefix]));
      const body = bodies[`${method} ${path}`] ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
      const response = await fetch(app.baseUrl + url, {
        method,
        headers: { 'x-api-key': stranger.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      answers.push(`${response.status} ${method} ${path}`);
    }
    expect(answers.filter((answer) => !answer.startsWith('404 '))).toEqual([]);
    expect(await digest()).toEqual(before);
    // The owner still sees all of it.
    expect((await owner.getImport(ids.held)).body.state).toBe('PREVIEW_READY');
  }, 120_000);
});

/** Thrown to roll back a transaction that was only there to ask for a plan. */
class PlanOnly extends Error {}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** The email index's searches in a plan: each by the email itself, not only by the workspace (which would read all of it). */
function emailIndexSearches(plan: PlanNode[]): string[] {
  return plan.filter((node) => node['Index Name'] === 'users_by_email').map((node) => String(node['Index Cond']));
}

/** Every node of an EXPLAIN (FORMAT JSON) answer. */
function planNodes(explained: { 'QUERY PLAN': { Plan: PlanNode }[] }[]): PlanNode[] {
  const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];
  return walk(explained[0]['QUERY PLAN'][0].Plan);
}
