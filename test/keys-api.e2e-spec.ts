import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface KeyBody {
  id: string;
  name: string;
  role: string;
  key?: string;
  prefix?: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

/** API keys through the API: admins create (the secret once), list and revoke them. */
describe('keys API', () => {
  let app: TestApp;
  let admin: Api;

  beforeAll(async () => {
    app = await startTestApp();
    admin = new Api(app.baseUrl, await app.createKey('keys-api', 'root'));
  });
  afterAll(() => app.close());

  it('creates a key whose secret is shown once, lists keys without secrets, and revokes one', async () => {
    const created = await admin.post<KeyBody>('/v1/keys', { name: 'dashboard', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'dashboard', role: 'viewer' });
    const secret = created.body.key!;
    const viewer = new Api(app.baseUrl, secret);
    expect((await viewer.get('/v1/imports')).status).toBe(200);
    expect((await viewer.get('/v1/keys')).status).toBe(403);
    expect((await viewer.post('/v1/keys', { name: 'sneaky', role: 'admin' })).status).toBe(403);

    const listed = await admin.get<{ items: KeyBody[] }>('/v1/keys');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const entry = listed.body.items.find((k) => k.id === created.body.id)!;
    expect(entry).toMatchObject({ name: 'dashboard', role: 'viewer', revokedAt: null });
    expect(secret.startsWith(entry.prefix!)).toBe(true);
    expect(entry.lastUsedAt).not.toBeNull();

    expect((await admin.delete(`/v1/keys/${created.body.id}`)).status).toBe(204);
    const revoked = await viewer.get('/v1/imports');
    const unknown = await new Api(app.baseUrl, 'rsk_this-key-does-not-exist-at-all').get('/v1/imports');
    const malformed = await new Api(app.baseUrl, 'x').get('/v1/imports');
    expect([revoked.status, unknown.status, malformed.status]).toEqual([401, 401, 401]);
    expect(revoked.body).toEqual(unknown.body);
    expect(malformed.body).toEqual(unknown.body);
    expect((await admin.delete(`/v1/keys/${created.body.id}`)).status).toBe(404);
  });

  it("never touches another workspace's keys, and checks its input", async () => {
    const other = new Api(app.baseUrl, await app.createKey('keys-api-other', 'theirs'));
    const theirs = await other.post<KeyBody>('/v1/keys', { name: 'their key', role: 'admin' });
    expect((await admin.delete(`/v1/keys/${theirs.body.id}`)).status).toBe(404);
    expect((await admin.get<{ items: KeyBody[] }>('/v1/keys')).body.items.map((k) => k.name)).not.toContain('their key');
    expect((await new Api(app.baseUrl, theirs.body.key!).get('/v1/imports')).status).toBe(200);
    expect((await admin.post('/v1/keys', { name: 'x', role: 'owner' })).status).toBe(400);
    expect((await admin.delete('/v1/keys/not-a-uuid')).status).toBe(404);
  });
});
