import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FIRST = [
  'Employee ID,First Name,Last Name,E-mail,Department',
  '1001,Ada,Lovelace,ada@example.com,Engineering',
  '1002,Alan,Turing,alan@example.com,"Research, Development"',
  '1003,Grace,Hopper,grace@example.com,Navy',
].join('\n');

const SECOND = [
  'employee_id,first_name,last_name,email_address,department',
  '1001,Ada,Lovelace,ada@example.com,Engineering',
  '1002,Alan,Turing,alan.turing@example.com,Research',
  '1004,Edsger,Dijkstra,edsger@example.com,Algorithms',
].join('\r\n');

describe('an import through the HTTP API', () => {
  let app: TestApp;
  let api: Api;

  beforeAll(async () => {
    app = await startTestApp();
    api = new Api(app.baseUrl, await app.createKey('acme'));
  });
  afterAll(() => app.close());

  it('goes from upload to preview to COMPLETED, and the directory holds the people', async () => {
    const created = await api.upload(FIRST, { name: 'hr-export.csv' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/imports/${created.body.id}`);
    expect(created.body.state).toBe('DRAFT');
    expect(created.body.file).toEqual({ name: 'hr-export.csv', size: Buffer.byteLength(FIRST), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(created.body.requestedBy).toBe('test-admin');

    expect((await api.request(created.body.id, 'PREVIEW_PENDING')).body.state).toBe('PREVIEW_PENDING');
    const previewed = await api.waitForState(created.body.id, 'PREVIEW_READY');
    expect(previewed.counts).toMatchObject({ create: 3, update: 0, unchanged: 0, error: 0 });
    expect((await api.get('/v1/users')).body.total).toBe(0);

    await api.request(created.body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(created.body.id, 'COMPLETED');
    expect(done.applied).toEqual({ create: 3, update: 0, deactivate: 0, delete: 0 });
    expect(done.progress).toMatchObject({ phase: 'done', percent: 100, bytesProcessed: Buffer.byteLength(FIRST) });
    expect(Object.keys(done.stateTimes as object).sort()).toEqual(
      ['COMPLETED', 'CREATING_PREVIEW', 'DRAFT', 'IMPORTING', 'IMPORT_PENDING', 'PREVIEW_PENDING', 'PREVIEW_READY'],
    );

    const alan = await api.get('/v1/users/1002');
    expect(alan.body).toMatchObject({ externalId: '1002', firstName: 'Alan', department: 'Research, Development', status: 'active' });
    const search = await api.get<{ items: { externalId: string }[] }>('/v1/users?q=hopper');
    expect(search.body.items.map((u) => u.externalId)).toEqual(['1003']);
  });

  it('previews creates, updates with each changed field, and unchanged people', async () => {
    const { body } = await api.upload(SECOND);
    await api.request(body.id, 'PREVIEW_PENDING');
    const ready = await api.waitForState(body.id, 'PREVIEW_READY');
    expect(ready.counts).toMatchObject({ create: 1, update: 1, unchanged: 1, error: 0 });

    const updates = await api.get<{ items: unknown[] }>(`/v1/imports/${body.id}/preview?op=update`);
    expect(updates.body.items).toEqual([
      {
        line: 3,
        key: '1002',
        op: 'update',
        changes: {
          email: { from: 'alan@example.com', to: 'alan.turing@example.com' },
          department: { from: 'Research, Development', to: 'Research' },
        },
      },
    ]);
    const creates = await api.get<{ items: unknown[] }>(`/v1/imports/${body.id}/preview?op=create`);
    expect(creates.body.items).toEqual([
      { line: 4, key: '1004', op: 'create', fields: { externalId: '1004', firstName: 'Edsger', lastName: 'Dijkstra', email: 'edsger@example.com', department: 'Algorithms', status: 'active' } },
    ]);
    const unchanged = await api.get<{ items: unknown[]; total: number }>(`/v1/imports/${body.id}/preview?op=unchanged`);
    expect(unchanged.body).toMatchObject({ total: 1, items: [{ line: 2, key: '1001', op: 'unchanged' }] });

    await api.request(body.id, 'IMPORT_PENDING');
    await api.waitForState(body.id, 'COMPLETED');
    expect((await api.get('/v1/users/1002')).body).toMatchObject({ email: 'alan.turing@example.com', department: 'Research' });
    expect((await api.get('/v1/users')).body.total).toBe(4);
  });

  it('imports without a preview when the client skips it, planning first', async () => {
    const { body } = await api.upload('externalId,title\n1001,Countess\n');
    await api.request(body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(body.id, 'COMPLETED');
    expect(done.counts).toMatchObject({ update: 1 });
    expect((await api.get('/v1/users/1001')).body).toMatchObject({ title: 'Countess', firstName: 'Ada' });
  });

  it('refuses an illegal request with 409, the current state and what is allowed', async () => {
    const { body } = await api.upload(FIRST);
    const illegal = await api.request(body.id, 'IMPORT_PENDING').then(() => api.request(body.id, 'PREVIEW_PENDING'));
    expect(illegal.status).toBe(409);
    expect(illegal.body).toMatchObject({ code: 'illegal_state', state: expect.stringMatching(/IMPORT_PENDING|IMPORTING|COMPLETED/) });
    await api.waitForState(body.id, 'COMPLETED');
    const finished = await api.request(body.id, 'CANCELLED');
    expect(finished.status).toBe(409);
    expect(finished.body).toMatchObject({ state: 'COMPLETED', allowed: [] });
  });

  it('returns the same import for the same Idempotency-Key', async () => {
    const first = await api.upload(FIRST, { idempotencyKey: 'nightly-2026-11-22' });
    const again = await api.upload(FIRST, { idempotencyKey: 'nightly-2026-11-22' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const rows = await app.db.query('SELECT id FROM imports WHERE idempotency_key = $1', ['nightly-2026-11-22']);
    expect(rows).toHaveLength(1);
  });

  it('puts an import back to DRAFT when its config changes, and previews with the new mapping', async () => {
    const { body } = await api.upload('Staff No,Mail,Team\n1001,ada@example.com,Analytical Engines\n', {
      config: { mapping: { 'Staff No': 'externalId', Mail: 'email' } },
    });
    await api.request(body.id, 'PREVIEW_PENDING');
    const first = await api.waitForState(body.id, 'PREVIEW_READY');
    expect(first.counts).toMatchObject({ unchanged: 1 });

    const changed = await api.putConfig(body.id, { mapping: { 'Staff No': 'externalId', Team: 'department' } });
    expect(changed.status).toBe(200);
    expect(changed.body.state).toBe('DRAFT');
    await api.request(body.id, 'PREVIEW_PENDING');
    await api.waitForState(body.id, 'PREVIEW_READY');
    const updates = await api.get<{ items: unknown[] }>(`/v1/imports/${body.id}/preview?op=update`);
    expect(updates.body.items).toEqual([
      { line: 2, key: '1001', op: 'update', changes: { department: { from: 'Engineering', to: 'Analytical Engines' } } },
    ]);
  });

  it('rejects a config that cannot work before anything is stored', async () => {
    const bad = await api.upload(FIRST, { config: { mapping: { 'Employee ID': 'employeeNumber' }, mode: 'sometimes' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed' });
    expect((bad.body as unknown as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual(['mode']);
    const badMapping = await api.upload(FIRST, { config: { mapping: { 'Employee ID': 'employeeNumber' } } });
    expect(badMapping.status).toBe(400);
    expect((badMapping.body as unknown as { message: string }).message).toContain('"employeeNumber" is not a field');
  });

  it('fails an import whose file has no key column, and says which columns it has', async () => {
    const { body } = await api.upload('Name,Phone\nAda,123\n');
    await api.request(body.id, 'PREVIEW_PENDING');
    const failed = await api.waitFor(body.id, (b) => b.state === 'FAILED');
    expect(failed.failureReason).toContain('No column maps to the key field "externalId"');
    expect(failed.failureReason).toContain('"Name", "Phone"');
    // A retry is allowed from FAILED; this file fails again for the same reason.
    expect((await api.request(body.id, 'IMPORT_PENDING')).status).toBe(200);
    const again = await api.waitFor(body.id, (b) => b.state === 'FAILED' && 'IMPORT_PENDING' in (b.stateTimes as object));
    expect(again.failureReason).toContain('No column maps to the key field');
  });

  it('needs a key, and an admin key to change anything', async () => {
    expect((await new Api(app.baseUrl, 'rsk_wrong').get('/v1/imports')).status).toBe(401);
    const health = await fetch(`${app.baseUrl}/health`);
    expect(health.status).toBe(200);
    const viewer = new Api(app.baseUrl, await app.createKey('acme', 'auditor', 'viewer'));
    expect((await viewer.get('/v1/imports')).status).toBe(200);
    const listed = await viewer.get<{ items: unknown[] }>('/v1/imports?state=COMPLETED&page=1&pageSize=2');
    expect(listed.body.items).toHaveLength(2);
    expect((await viewer.upload(FIRST)).status).toBe(403);
    const bearer = await fetch(`${app.baseUrl}/v1/imports`, { headers: { authorization: `Bearer ${api.key}` } });
    expect(bearer.status).toBe(200);
  });
});
