import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface ProfileBody {
  id: string;
  name: string;
  config: Record<string, unknown>;
}

/** Saved configs that imports reuse by id. */
describe('profiles', () => {
  let app: TestApp;
  let api: Api;

  beforeAll(async () => {
    app = await startTestApp();
    api = new Api(app.baseUrl, await app.createKey('profiles'));
  });
  afterAll(() => app.close());

  const NIGHTLY = { mode: 'full', missing: 'deactivate', mapping: { 'Staff No': 'externalId', Mail: 'email' } };

  it('are created, listed, read, replaced and deleted, with the config normalised and checked', async () => {
    const created = await api.post<ProfileBody>('/v1/profiles', { name: 'Nightly HR', config: NIGHTLY });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Nightly HR', config: { ...NIGHTLY, key: 'externalId', scope: 'all', createMissing: true } });
    expect((await api.post('/v1/profiles', { name: 'nightly hr', config: NIGHTLY })).status).toBe(409);
    const invalid = await api.post('/v1/profiles', { name: 'Broken', config: { mapping: { a: 'nonsense' } } });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('nonsense');
    expect((await api.post('/v1/profiles', { name: 'Custom', config: { mapping: { id: 'externalId', x: 'custom.undefinedField' } } })).status).toBe(400);

    const id = created.body.id;
    expect((await api.get<{ items: ProfileBody[] }>('/v1/profiles')).body.items.map((p) => p.name)).toEqual(['Nightly HR']);
    expect((await api.get<ProfileBody>(`/v1/profiles/${id}`)).body.name).toBe('Nightly HR');
    const replaced = await api.put<ProfileBody>(`/v1/profiles/${id}`, { name: 'Nightly', config: { ...NIGHTLY, missing: 'ignore' } });
    expect(replaced.body).toMatchObject({ name: 'Nightly', config: { missing: 'ignore' } });
    expect((await api.delete(`/v1/profiles/${id}`)).status).toBe(204);
    expect((await api.get(`/v1/profiles/${id}`)).status).toBe(404);
    expect((await api.delete(`/v1/profiles/${id}`)).status).toBe(404);
    expect((await api.get('/v1/profiles/not-a-uuid')).status).toBe(404);
  });

  it('give an import its config by profileId: copied, so editing the profile later changes no import', async () => {
    const { body: profile } = await api.post<ProfileBody>('/v1/profiles', { name: 'Staff file', config: { mapping: { 'Staff No': 'externalId', Mail: 'email' } } });
    const upload = await api.upload('Staff No,Mail\nS1,s1@example.com\n', { profileId: profile.id });
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ profileId: profile.id, config: { mapping: { 'Staff No': 'externalId', Mail: 'email' } } });
    await api.put(`/v1/profiles/${profile.id}`, { name: 'Staff file', config: { key: 'email', mapping: { Mail: 'email' } } });
    await api.request(upload.body.id, 'IMPORT_PENDING');
    await api.waitForState(upload.body.id, 'COMPLETED');
    expect((await api.get('/v1/users/S1')).body).toMatchObject({ externalId: 'S1', email: 's1@example.com' });

    expect((await api.upload('a\n1\n', { profileId: '00000000-0000-0000-0000-000000000000' })).status).toBe(400);
    expect((await api.upload('a\n1\n', { profileId: 'nope' })).status).toBe(400);
    expect((await api.upload('a\n1\n', { profileId: profile.id, config: { key: 'email' } })).status).toBe(400);
  });

  it('belong to their workspace, and viewers can only read them', async () => {
    const { body: profile } = await api.post<ProfileBody>('/v1/profiles', { name: 'Private', config: {} });
    const other = new Api(app.baseUrl, await app.createKey('profiles-other'));
    expect((await other.get(`/v1/profiles/${profile.id}`)).status).toBe(404);
    expect((await other.put(`/v1/profiles/${profile.id}`, { name: 'Taken over', config: {} })).status).toBe(404);
    expect((await other.delete(`/v1/profiles/${profile.id}`)).status).toBe(404);
    expect((await other.upload('externalId\n1\n', { profileId: profile.id })).status).toBe(400);
    expect((await other.get<{ items: unknown[] }>('/v1/profiles')).body.items).toEqual([]);

    const viewer = new Api(app.baseUrl, await app.createKey('profiles', 'viewer', 'viewer'));
    expect((await viewer.get(`/v1/profiles/${profile.id}`)).status).toBe(200);
    expect((await viewer.post('/v1/profiles', { name: 'Viewer made', config: {} })).status).toBe(403);
    expect((await viewer.delete(`/v1/profiles/${profile.id}`)).status).toBe(403);
  });
});
