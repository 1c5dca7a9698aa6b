import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Api, type ImportBody } from './support/api-client.js';
import { startSftpServer, type SftpServer } from './support/sftp-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAX_BYTES = 100_000;

interface SourceBody {
  id: string;
  [key: string]: unknown;
}

/** SFTP sources against a real OpenSSH sshd on loopback: logins, the newest file, host keys, confinement. */
describe('SFTP sources', () => {
  let sftp: SftpServer;
  let app: TestApp;
  let api: Api;
  let profileId: string;
  let drop: string;

  beforeAll(async () => {
    sftp = await startSftpServer();
    drop = path.join(sftp.root, 'drop');
    app = await startTestApp({ env: { ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1', ROSTERSYNC_MAX_DOWNLOAD_BYTES: String(MAX_BYTES) } });
    api = new Api(app.baseUrl, await app.createKey('sftp'));
    const profile = await api.post<{ id: string }>('/v1/profiles', { name: 'HR', config: { mapping: { 'Employee ID': 'externalId', Email: 'email', Name: 'displayName' } } });
    profileId = profile.body.id;
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await sftp?.stop();
  });

  const uri = (remote: string) => `sftp://${sftp.host}:${sftp.port}${remote}`;
  const source = (extra: Record<string, unknown>) => ({
    name: `source ${Math.random()}`,
    uri: uri('/drop'),
    pattern: 'people-*.csv',
    credentials: { type: 'password', username: sftp.username, password: sftp.password },
    hostKeyFingerprint: sftp.hostKeyFingerprint,
    ...extra,
  });
  async function create(extra: Record<string, unknown> = {}): Promise<SourceBody> {
    const created = await api.post<SourceBody>('/v1/sources', source(extra));
    expect(created.status).toBe(201);
    return created.body;
  }
  async function clear(): Promise<void> {
    for (const name of await fs.readdir(drop)) await fs.rm(path.join(drop, name), { recursive: true, force: true });
  }
  async function put(name: string, text: string, modified: Date): Promise<void> {
    const file = path.join(drop, name);
    await fs.writeFile(file, text);
    await fs.utimes(file, modified, modified);
  }

  it('test connection takes the newest matching file and shows its dialect and first rows (password login)', async () => {
    // The newest by time has the smaller name: the choice is by modification time.
    await put('people-b.csv', 'Employee ID;Email;Name\nE1;old@example.com;Old\n', new Date('2026-11-20T02:00:00Z'));
    const newest = 'Employee ID;Email;Name\nE1;ann@example.com;Ann\nE2;bob@example.com;"Bob; Jr"\n';
    await put('people-a.csv', newest, new Date('2026-11-21T02:00:00Z'));
    await put('notes.txt', 'not a roster', new Date('2026-11-22T02:00:00Z'));
    const { id } = await create();
    const tested = await api.post(`/v1/sources/${id}/test`, {});
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({
      ok: true,
      file: { name: 'people-a.csv', location: '/drop/people-a.csv', size: Buffer.byteLength(newest) },
      dialect: { encoding: 'utf-8', delimiter: ';', header: true },
      columns: ['Employee ID', 'Email', 'Name'],
      rows: [['E1', 'ann@example.com', 'Ann'], ['E2', 'bob@example.com', 'Bob; Jr']],
    });
    const withProfile = await api.post(`/v1/sources/${id}/test`, { profileId });
    expect(withProfile.body.mapping).toEqual([
      { column: 'Employee ID', field: 'externalId' },
      { column: 'Email', field: 'email' },
      { column: 'Name', field: 'displayName' },
    ]);
  });

  it('logs in with a private key, and with an encrypted key and its passphrase', async () => {
    await clear();
    await put('people-2026-11-21.csv', 'Employee ID,Email\nE1,ann@example.com\n', new Date('2026-11-21T02:00:00Z'));
    const plain = await create({ credentials: { type: 'privateKey', username: sftp.username, privateKey: sftp.privateKey } });
    expect((await api.post(`/v1/sources/${plain.id}/test`, {})).body).toMatchObject({ ok: true, dialect: { delimiter: ',' } });
    const encrypted = await create({ credentials: { type: 'privateKey', username: sftp.username, privateKey: sftp.encryptedPrivateKey, passphrase: sftp.passphrase } });
    expect((await api.post(`/v1/sources/${encrypted.id}/test`, {})).body).toMatchObject({ ok: true });

    const noPassphrase = await api.post('/v1/sources', source({ credentials: { type: 'privateKey', username: sftp.username, privateKey: sftp.encryptedPrivateKey } }));
    expect(noPassphrase.status).toBe(400);
    expect(JSON.stringify(noPassphrase.body)).toContain('passphrase');
  });

  it('never returns credentials, and stores them encrypted', async () => {
    const { id } = await create({ credentials: { type: 'privateKey', username: sftp.username, privateKey: sftp.encryptedPrivateKey, passphrase: sftp.passphrase } });
    for (const body of [(await api.get(`/v1/sources/${id}`)).body, (await api.get('/v1/sources')).body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(sftp.passphrase);
      expect(text).not.toContain('PRIVATE KEY');
    }
    const [row] = await app.db.query<{ secret: string }>('SELECT secret FROM sources WHERE id = $1', [id]);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(sftp.passphrase);
    expect(row.secret).not.toContain('PRIVATE');

    // A PUT without credentials keeps them; the source still logs in.
    const renamed = await api.put(`/v1/sources/${id}`, { name: 'renamed', uri: uri('/drop'), pattern: 'people-*.csv', hostKeyFingerprint: sftp.hostKeyFingerprint });
    expect(renamed.status).toBe(200);
    expect((await api.post(`/v1/sources/${id}/test`, {})).body).toMatchObject({ ok: true });
  });

  it('names what went wrong: a wrong password, no matching file, a host key that does not match or is not pinned', async () => {
    const wrong = await create({ credentials: { type: 'password', username: sftp.username, password: 'not the password' } });
    expect(await api.post(`/v1/sources/${wrong.id}/test`, {})).toMatchObject({ status: 502, body: { code: 'auth_failed' } });

    const none = await create({ pattern: 'payroll-*.csv' });
    const noFile = await api.post(`/v1/sources/${none.id}/test`, {});
    expect(noFile).toMatchObject({ status: 502, body: { code: 'no_matching_file' } });
    expect(noFile.body.message).toContain('payroll-*.csv');

    // A pinned key that is not the server's: refused during the key exchange, before any password is sent.
    const before = (sftp.log().match(/Failed password|Accepted password/g) ?? []).length;
    const impostor = await create({ hostKeyFingerprint: `SHA256:${'A'.repeat(43)}` });
    const mismatch = await api.post(`/v1/sources/${impostor.id}/test`, {});
    expect(mismatch).toMatchObject({ status: 502, body: { code: 'host_key_mismatch' } });
    expect(mismatch.body.message).toContain(sftp.hostKeyFingerprint);
    expect((sftp.log().match(/Failed password|Accepted password/g) ?? []).length).toBe(before);

    const unpinned = await create({ hostKeyFingerprint: undefined });
    const notPinned = await api.post(`/v1/sources/${unpinned.id}/test`, {});
    expect(notPinned).toMatchObject({ status: 502, body: { code: 'host_key_not_pinned' } });
    expect(notPinned.body.message).toContain(sftp.hostKeyFingerprint);
  });

  it('refuses a file over the size limit', async () => {
    await clear();
    await put('people-big.csv', 'Employee ID,Email\n' + 'E1,e1@example.com\n'.repeat(MAX_BYTES / 10), new Date());
    const { id } = await create();
    expect(await api.post(`/v1/sources/${id}/sync`, { profileId })).toMatchObject({ status: 502, body: { code: 'too_large' } });
  });

  it('never reads a file outside the source folder, symlinks included', async () => {
    await clear();
    await fs.writeFile(path.join(sftp.root, 'outside.csv'), 'Employee ID,Email\nX,x@example.com\n');
    // A link matching the pattern is not a regular file of the folder: not taken.
    await fs.symlink('../outside.csv', path.join(drop, 'people-link.csv'));
    const patterned = await create();
    expect(await api.post(`/v1/sources/${patterned.id}/test`, {})).toMatchObject({ status: 502, body: { code: 'no_matching_file' } });

    await fs.symlink('../outside.csv', path.join(drop, 'link.csv'));
    const linked = await create({ uri: uri('/drop/link.csv'), pattern: undefined });
    expect(await api.post(`/v1/sources/${linked.id}/test`, {})).toMatchObject({ status: 502, body: { code: 'path_outside_folder' } });
    expect((await api.post('/v1/sources', source({ afterImport: 'move:../elsewhere' }))).status).toBe(400);
  });

  it('refuses a loopback host unless ROSTERSYNC_ALLOW_HOSTS lists it', async () => {
    const strict = await startTestApp({ db: app.db });
    try {
      const strictApi = new Api(strict.baseUrl, await strict.createKey('sftp-strict'));
      const created = await strictApi.post<SourceBody>('/v1/sources', source({}));
      const refused = await strictApi.post(`/v1/sources/${created.body.id}/test`, {});
      expect(refused).toMatchObject({ status: 502, body: { code: 'host_not_allowed' } });
    } finally {
      await strict.close();
    }
  });

  it('sync now imports the file, then moves it to the processed folder', async () => {
    await clear();
    await put('people-2026-11-22.csv', 'Employee ID,Email,Name\nE1,ann@example.com,Ann\nE2,bob@example.com,Bob\n', new Date('2026-11-22T02:00:00Z'));
    const { id } = await create({ afterImport: 'move:processed' });
    const synced = await api.post<ImportBody & { pulled: Record<string, unknown> }>(`/v1/sources/${id}/sync`, { profileId });
    expect(synced.status).toBe(201);
    expect(synced.body).toMatchObject({ state: 'DRAFT', sourceId: id, profileId, file: { name: 'people-2026-11-22.csv' } });
    expect(synced.body.pulled.afterImport).toBe('moved /drop/people-2026-11-22.csv to /drop/processed/people-2026-11-22.csv');
    expect(await fs.readdir(drop)).toEqual(['processed']);
    expect(await fs.readdir(path.join(drop, 'processed'))).toEqual(['people-2026-11-22.csv']);

    await api.request(synced.body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(synced.body.id, 'COMPLETED');
    expect(done.counts).toMatchObject({ create: 2, error: 0 });
    expect((await api.get('/v1/users/E2')).body).toMatchObject({ email: 'bob@example.com', displayName: 'Bob' });

    // Nothing left to take: a clear error, and no import.
    expect(await api.post(`/v1/sources/${id}/sync`, { profileId })).toMatchObject({ status: 502, body: { code: 'no_matching_file' } });
  });

  it('deletes the file once stored when asked, and never moves it out of the folder through a link', async () => {
    await clear();
    await put('people-1.csv', 'Employee ID,Email\nD1,d1@example.com\n', new Date());
    const deleting = await create({ afterImport: 'delete' });
    const deleted = await api.post<{ pulled: Record<string, unknown> }>(`/v1/sources/${deleting.id}/sync`, { profileId });
    expect(deleted.body.pulled.afterImport).toBe('deleted /drop/people-1.csv');
    expect(await fs.readdir(drop)).toEqual([]);

    await put('people-2.csv', 'Employee ID,Email\nD2,d2@example.com\n', new Date());
    await fs.mkdir(path.join(sftp.root, 'elsewhere'), { recursive: true });
    await fs.symlink('../elsewhere', path.join(drop, 'processed'));
    const moving = await create({ afterImport: 'move:processed' });
    const kept = await api.post<{ pulled: Record<string, unknown> }>(`/v1/sources/${moving.id}/sync`, { profileId });
    expect(kept.status).toBe(201);
    expect(kept.body.pulled.afterImport).toMatch(/^move:processed failed: .* outside the source folder/);
    expect((await fs.readdir(drop)).sort()).toEqual(['people-2.csv', 'processed']);
    expect(await fs.readdir(path.join(sftp.root, 'elsewhere'))).toEqual([]);
  });

  it('keeps stored credentials only for the server they were given for', async () => {
    const { id } = await create();
    const moved = await api.put(`/v1/sources/${id}`, { name: 'moved', uri: `sftp://${sftp.host}:${sftp.port + 1}/drop`, pattern: '*.csv', hostKeyFingerprint: sftp.hostKeyFingerprint });
    expect(moved.status).toBe(400);
    expect(JSON.stringify(moved.body)).toContain('send the credentials again');
    const rekeyed = await api.put(`/v1/sources/${id}`, { name: 'rekeyed', uri: uri('/drop'), pattern: '*.csv', hostKeyFingerprint: `SHA256:${'B'.repeat(43)}` });
    expect(rekeyed.status).toBe(400);
  });
});
