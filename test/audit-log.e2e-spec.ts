import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEntry } from '../src/modules/audit/audit-log.repository.js';
import { Database } from '../src/modules/database/database.js';
import { inWorkspace } from '../src/modules/database/db-scope.js';
import { pgErrorCode } from '../src/modules/database/pg-error-code.js';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Entry = AuditEntry;

const PASSWORD = 'correct-horse-battery-staple';
const NEW_PASSWORD = 'another-secret-passphrase';

/** Who changed what: every change an admin makes is in the audit log, in its transaction, and never a secret. */
describe('the audit log', () => {
  let app: TestApp;
  let alice: Api;
  let workspaceId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1' } });
    alice = new Api(app.baseUrl, await app.createKey('audited', 'alice'));
    [{ id: workspaceId }] = await app.db.query<{ id: string }>(`SELECT id FROM workspaces WHERE name = 'audited'`);
  });
  afterAll(() => app.close());

  async function entries(query = ''): Promise<Entry[]> {
    const reply = await alice.get<{ items: Entry[] }>(`/v1/audit${query}`);
    expect(reply.status).toBe(200);
    return reply.body.items;
  }

  it('records keys, profiles, sources, schedules, webhooks, settings, configs, approvals, rejections and cancellations, with their actor', async () => {
    const key = await alice.post<{ id: string; key: string }>('/v1/keys', { name: 'ci', role: 'viewer' });
    expect(key.status).toBe(201);
    expect((await alice.delete(`/v1/keys/${key.body.id}`)).status).toBe(204);

    const profile = await alice.post<{ id: string }>('/v1/profiles', { name: 'HR', config: { key: 'externalId' } });
    expect((await alice.put(`/v1/profiles/${profile.body.id}`, { name: 'HR nightly', config: { key: 'externalId' } })).status).toBe(200);
    const source = await alice.post<{ id: string }>('/v1/sources', {
      name: 'HR export', uri: 'https://127.0.0.1:9/people.csv', credentials: { type: 'basic', username: 'hr', password: PASSWORD },
    });
    expect(source.status).toBe(201);
    expect((await alice.put(`/v1/sources/${source.body.id}`, {
      name: 'HR export', uri: 'https://127.0.0.1:9/people.csv', credentials: { type: 'basic', username: 'hr', password: NEW_PASSWORD },
    })).status).toBe(200);
    expect((await alice.post('/v1/fields', { key: 'costCenter', type: 'string' })).status).toBe(201);
    expect((await alice.delete('/v1/fields/costCenter')).status).toBe(204);
    const schedule = await alice.post<{ id: string }>('/v1/schedules', { name: 'nightly', sourceId: source.body.id, profileId: profile.body.id, cron: '0 2 * * *', timezone: 'Europe/Berlin' });
    expect(schedule.status).toBe(201);
    expect((await alice.delete(`/v1/schedules/${schedule.body.id}`)).status).toBe(204);
    const webhook = await alice.post<{ id: string; secret: string }>('/v1/webhooks', { url: 'https://127.0.0.1:9/hook', events: ['*'] });
    expect(webhook.status).toBe(201);

    // An import whose config changes, then is held for approval and approved; one rejected; one cancelled.
    const gated = { approval: { maxCreates: 0 } };
    const approved = (await alice.upload('externalId,email\n1,a@example.com\n')).body;
    expect((await alice.putConfig(approved.id, gated)).status).toBe(200);
    await alice.request(approved.id, 'PREVIEW_PENDING');
    await alice.waitForState(approved.id, 'PREVIEW_READY');
    expect((await alice.request(approved.id, 'IMPORT_PENDING', 'HR confirmed')).status).toBe(200);
    await alice.waitForState(approved.id, 'COMPLETED');
    const rejected = (await alice.upload('externalId,email\n2,b@example.com\n', { config: gated })).body;
    await alice.request(rejected.id, 'PREVIEW_PENDING');
    await alice.waitForState(rejected.id, 'PREVIEW_READY');
    expect((await alice.request(rejected.id, 'CANCELLED', 'wrong file')).status).toBe(200);
    const cancelled = (await alice.upload('externalId,email\n3,c@example.com\n')).body;
    expect((await alice.request(cancelled.id, 'CANCELLED')).status).toBe(200);
    // Last: a minimum interval would refuse the imports above.
    expect((await alice.put('/v1/settings', { minIntervalMinutes: 5 })).status).toBe(200);

    const log = await entries('?pageSize=100');
    const actions = log.map((e) => `${e.action} ${e.targetId}`).reverse();
    expect(actions).toEqual(expect.arrayContaining([
      `key.created ${key.body.id}`, `key.revoked ${key.body.id}`,
      `profile.created ${profile.body.id}`, `profile.updated ${profile.body.id}`,
      `source.created ${source.body.id}`, `source.updated ${source.body.id}`,
      `schedule.created ${schedule.body.id}`, `schedule.deleted ${schedule.body.id}`,
      `webhook.created ${webhook.body.id}`, `settings.updated ${workspaceId}`,
      'custom_field.created costCenter', 'custom_field.deleted costCenter',
      `import.config-changed ${approved.id}`, `import.approved ${approved.id}`,
      `import.rejected ${rejected.id}`, `import.cancelled ${cancelled.id}`,
    ]));
    // A rejection (which cancels the import) is one entry: the rejection.
    expect(log.filter((e) => e.targetId === rejected.id).map((e) => e.action)).toEqual(['import.rejected']);
    // In the order they happened (newest first in the API).
    expect(actions.indexOf(`key.created ${key.body.id}`)).toBeLessThan(actions.indexOf(`key.revoked ${key.body.id}`));
    const [me] = await app.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE workspace_id = $1 AND name = 'alice'`, [workspaceId]);
    // Everything but alice's own key, which the test set-up made (as rostersync), is hers.
    for (const entry of log.filter((e) => e.targetId !== me.id)) expect({ action: entry.action, actor: entry.actor, key: entry.actorKeyId }).toEqual({ action: entry.action, actor: 'alice', key: me.id });
    const byAction = (action: string): Entry => log.find((e) => e.action === action)!;
    expect(byAction('profile.updated').details).toEqual({ name: { from: 'HR', to: 'HR nightly' } });
    expect(byAction('source.updated').details).toEqual({ secret_changed: true });
    expect(byAction('settings.updated').details).toEqual({ min_interval_minutes: { from: null, to: 5 } });
    expect(byAction('import.rejected').details).toMatchObject({ comment: 'wrong file' });
    expect(byAction('import.approved').details).toMatchObject({ comment: 'HR confirmed' });

    // Never a secret: not the source's passwords, not the key's or the webhook's secret, not even sealed.
    const everything = JSON.stringify(await app.db.query(`SELECT * FROM audit_log WHERE workspace_id = $1`, [workspaceId]));
    for (const secret of [PASSWORD, NEW_PASSWORD, key.body.key, webhook.body.secret]) expect(everything).not.toContain(secret);
    const [sealed] = await app.db.query<{ secret: string }>(`SELECT secret FROM sources WHERE id = $1`, [source.body.id]);
    expect(everything).not.toContain(sealed.secret);

    // Filters and pages.
    expect((await entries(`?targetType=source`)).map((e) => e.action)).toEqual(['source.updated', 'source.created']);
    const first = await alice.get<{ items: Entry[]; next: number }>('/v1/audit?pageSize=2');
    const second = await alice.get<{ items: Entry[] }>(`/v1/audit?pageSize=2&before=${first.body.next}`);
    expect(second.body.items[0].id).toBeLessThan(first.body.items[1].id);
  }, 120_000);

  it('is for admins, and only of their workspace', async () => {
    const viewer = new Api(app.baseUrl, await app.createKey('audited', 'victor', 'viewer'));
    expect((await viewer.get('/v1/audit')).status).toBe(403);
    const other = new Api(app.baseUrl, await app.createKey('someone-else', 'mallory'));
    // Theirs only: the creation of their own key.
    expect((await other.get<{ items: Entry[] }>('/v1/audit')).body.items).toEqual([expect.objectContaining({ action: 'key.created', details: expect.objectContaining({ name: 'mallory' }) })]);
  });

  it("is append-only for the application's database role: an update or a delete is refused", async () => {
    const db = app.app.get(Database);
    const [{ count: before }] = await app.db.query<{ count: string }>('SELECT count(*) FROM audit_log');
    expect(Number(before)).toBeGreaterThan(0);
    for (const sql of [`UPDATE audit_log SET actor = 'nobody'`, 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      const refused = await inWorkspace(workspaceId, () => db.query(sql)).then(() => null, (error: unknown) => error);
      expect(pgErrorCode(refused)).toBe('42501');
    }
    const [{ count: after }] = await app.db.query<{ count: string }>('SELECT count(*) FROM audit_log');
    expect(after).toBe(before);
  });
});
