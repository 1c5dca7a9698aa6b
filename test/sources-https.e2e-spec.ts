import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Api, type ImportBody } from './support/api-client.js';
import { startHttpsFileServer, type HttpsFileServer } from './support/https-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface SourceBody {
  id: string;
  [key: string]: unknown;
}

const MAX_BYTES = 100_000;

/** HTTPS sources against a real HTTPS server with a self-signed certificate. */
describe('HTTPS sources', () => {
  let server: HttpsFileServer;
  let app: TestApp;
  let api: Api;
  let profileId: string;

  beforeAll(async () => {
    server = await startHttpsFileServer();
    // 127.0.0.1 is allowed; localhost (the same machine by another name) is not.
    app = await startTestApp({ env: { ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1', ROSTERSYNC_MAX_DOWNLOAD_BYTES: String(MAX_BYTES), ROSTERSYNC_DOWNLOAD_TIMEOUT_SECONDS: '2' } });
    api = new Api(app.baseUrl, await app.createKey('https'));
    profileId = (await api.post<{ id: string }>('/v1/profiles', { name: 'HR', config: { parsing: { encoding: 'auto' } } })).body.id;
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });

  async function create(path: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await api.post<SourceBody>('/v1/sources', { name: `source ${Math.random()}`, uri: `${server.origin}${path}`, caCertificate: server.certificate, ...extra });
    expect(created.status).toBe(201);
    return created.body.id;
  }
  const test = (id: string) => api.post(`/v1/sources/${id}/test`, {});

  it('basic auth: the file, its dialect and rows; a wrong password and an untrusted certificate are named', async () => {
    server.file('/basic/people.csv', 'externalId|email|displayName\nB1|b1@example.com|Ann\n', { auth: { basic: { username: 'hr', password: 's3cret:x' } } });
    const id = await create('/basic/people.csv', { credentials: { type: 'basic', username: 'hr', password: 's3cret:x' } });
    expect((await test(id)).body).toMatchObject({ ok: true, file: { name: 'people.csv' }, dialect: { delimiter: '|', encoding: 'utf-8', header: true }, rows: [['B1', 'b1@example.com', 'Ann']] });

    const wrong = await create('/basic/people.csv', { credentials: { type: 'basic', username: 'hr', password: 'nope' } });
    expect(await test(wrong)).toMatchObject({ status: 502, body: { code: 'auth_failed' } });

    const untrusted = await api.post<SourceBody>('/v1/sources', { name: 'untrusted', uri: `${server.origin}/basic/people.csv`, credentials: { type: 'basic', username: 'hr', password: 's3cret:x' } });
    const tls = await test(untrusted.body.id);
    expect(tls).toMatchObject({ status: 502, body: { code: 'tls_error' } });
    expect(tls.body.message).toContain('caCertificate');
    expect(JSON.stringify((await api.get(`/v1/sources/${id}`)).body)).not.toContain('s3cret');
    const [row] = await app.db.query<{ secret: string }>('SELECT secret FROM sources WHERE id = $1', [id]);
    expect(row.secret).not.toContain('s3cret');
  });

  it('bearer token: sync now and POST /v1/imports with a source make imports of the pulled file', async () => {
    const csv = iconv.encode('externalId,email,displayName\nT1,t1@example.com,Zoë €uro\n', 'windows-1252');
    server.file('/bearer/export', csv, { auth: { bearer: 'tok-123' } });
    const id = await create('/bearer/export', { credentials: { type: 'bearer', token: 'tok-123' } });
    expect((await test(id)).body).toMatchObject({ dialect: { encoding: 'windows-1252' }, rows: [['T1', 't1@example.com', 'Zoë €uro']] });

    const synced = await api.post<ImportBody>(`/v1/sources/${id}/sync`, { profileId });
    expect(synced).toMatchObject({ status: 201, body: { state: 'DRAFT', sourceId: id, file: { name: 'export' } } });
    await api.request(synced.body.id, 'IMPORT_PENDING');
    await api.waitForState(synced.body.id, 'COMPLETED');
    expect((await api.get('/v1/users/T1')).body).toMatchObject({ displayName: 'Zoë €uro' });

    const viaImports = await api.post<ImportBody>('/v1/imports', { sourceId: id, profileId });
    expect(viaImports).toMatchObject({ status: 201, body: { state: 'DRAFT', sourceId: id } });
    expect((await api.post('/v1/imports', { sourceId: id })).status).toBe(400);

    // A retried request with the same Idempotency-Key returns the first import and pulls nothing.
    const pulls = server.requests.length;
    const retried = async () => {
      const reply = await fetch(`${app.baseUrl}/v1/sources/${id}/sync`, {
        method: 'POST',
        headers: { 'x-api-key': api.key, 'content-type': 'application/json', 'idempotency-key': 'nightly-2026-11-22' },
        body: JSON.stringify({ profileId }),
      });
      return { status: reply.status, id: ((await reply.json()) as { id: string }).id };
    };
    const once = await retried();
    expect(once.status).toBe(201);
    expect(await retried()).toEqual({ status: 200, id: once.id });
    expect(server.requests.length).toBe(pulls + 1);
  });

  it('follows redirects on the same origin with credentials, never sends them elsewhere, and checks every hop', async () => {
    server.file('/current.csv', 'externalId,email\nR1,r1@example.com\n', { auth: { bearer: 'tok-r' } });
    server.redirect('/latest', '/current.csv');
    const followed = await create('/latest', { credentials: { type: 'bearer', token: 'tok-r' } });
    expect((await test(followed)).body).toMatchObject({ ok: true, file: { name: 'current.csv', location: `${server.origin}/current.csv` } });

    // Another origin (localhost resolves to the allowed 127.0.0.1) gets no credentials: it answers 401.
    server.redirect('/elsewhere', `https://localhost:${server.port}/current.csv`);
    const elsewhere = await create('/elsewhere', { credentials: { type: 'bearer', token: 'tok-r' } });
    expect(await test(elsewhere)).toMatchObject({ status: 502, body: { code: 'auth_failed' } });
    expect(server.requests.at(-1)).toEqual({ method: 'GET', path: '/current.csv', authorization: undefined });

    // A private address not allowed: the redirect is refused before connecting.
    server.redirect('/private', 'https://10.255.255.1/current.csv');
    expect(await test(await create('/private'))).toMatchObject({ status: 502, body: { code: 'host_not_allowed' } });

    server.redirect('/downgrade', `http://127.0.0.1:${server.port}/current.csv`);
    expect(await test(await create('/downgrade'))).toMatchObject({ status: 502, body: { code: 'insecure_redirect' } });
  });

  it('caps downloads in size and time', async () => {
    const imports = async () => (await api.get<{ total: number }>('/v1/imports')).body.total;
    const before = await imports();
    server.oversized('/huge-chunked', MAX_BYTES * 2);
    server.oversized('/huge-declared', MAX_BYTES * 2, { contentLength: true });
    server.slow('/slow', 'externalId,email\n' + 'S1,s1@example.com\n'.repeat(20), 200);
    for (const path of ['/huge-chunked', '/huge-declared']) {
      const id = await create(path);
      expect(await api.post(`/v1/sources/${id}/sync`, { profileId })).toMatchObject({ status: 502, body: { code: 'too_large' } });
    }
    const slow = await api.post(`/v1/sources/${await create('/slow')}/sync`, { profileId });
    expect(slow).toMatchObject({ status: 502, body: { code: 'timeout' } });
    expect(await imports()).toBe(before);
  });

  it('names a host that refuses the connection', async () => {
    const closed = await api.post<SourceBody>('/v1/sources', { name: 'closed port', uri: 'https://127.0.0.1:1/people.csv' });
    expect(await test(closed.body.id)).toMatchObject({ status: 502, body: { code: 'host_unreachable' } });
  });

  it('gives up on a server that accepts the connection and never answers (SFTP too)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const sftp = await api.post<SourceBody>('/v1/sources', {
        name: 'silent sftp', uri: `sftp://127.0.0.1:${port}/drop/people.csv`,
        credentials: { type: 'password', username: 'u', password: 'p' }, hostKeyFingerprint: `SHA256:${'C'.repeat(43)}`,
      });
      const reply = await test(sftp.body.id);
      expect(reply.status).toBe(502);
      expect(['timeout', 'host_unreachable']).toContain(reply.body.code);
      const https = await api.post<SourceBody>('/v1/sources', { name: 'silent https', uri: `https://127.0.0.1:${port}/people.csv` });
      expect(await test(https.body.id)).toMatchObject({ status: 502, body: { code: 'timeout' } });
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('refuses sources with credentials in the uri, plain http, or options of the other scheme', async () => {
    for (const body of [
      { name: 'a', uri: 'https://hr:pw@127.0.0.1/x.csv' },
      { name: 'b', uri: 'http://127.0.0.1/x.csv' },
      { name: 'c', uri: 'https://127.0.0.1/x.csv', pattern: '*.csv' },
      { name: 'd', uri: 'https://127.0.0.1/x.csv', afterImport: 'delete' },
      { name: 'e', uri: 'https://127.0.0.1/x.csv', caCertificate: 'not a certificate' },
      { name: 'f', uri: 'sftp://127.0.0.1/x.csv' },
    ]) {
      expect((await api.post('/v1/sources', body)).status).toBe(400);
    }
  });
});
