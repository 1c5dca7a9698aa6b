import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import { Api } from './support/api-client.js';
import { corpus } from './support/corpora.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAPPING = { a: 'externalId', b: 'title', c: 'department' };
const bench = (name: string): Promise<Buffer> => fs.readFile(corpus('mafintosh-csv-parser', 'fixtures', 'bench', name));

/** Files in other encodings are stored as UTF-8 once, and read from that copy. */
describe('file encodings', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function imported(workspace: string, bytes: Buffer, encoding: string): Promise<{ api: Api; body: Record<string, unknown> }> {
    const api = new Api(app.baseUrl, await app.createKey(workspace));
    const created = await api.upload(bytes, { config: { mapping: MAPPING, parsing: { encoding } } });
    expect(created.status).toBe(201);
    await api.request(created.body.id, 'IMPORT_PENDING');
    return { api, body: await api.waitForState(created.body.id, 'COMPLETED') };
  }

  it.each([
    ['utf16.csv', 'utf-16le', 'ʤ'],
    ['utf16-big.csv', 'utf-16be', 'ʤ'],
    ['utf16.csv', 'auto', 'ʤ'],
    ['latin.csv', 'iso-8859-1', '©'],
    ['latin.csv', 'auto', '©'],
  ])('%s read as %s', async (name, encoding, last) => {
    const { api, body } = await imported(`enc-${name}-${encoding}`, await bench(name), encoding);
    expect(body.counts).toMatchObject({ create: 2, error: 0 });
    expect((await api.get('/v1/users/4')).body).toMatchObject({ title: '5', department: last });
    // The stored copy is UTF-8: its size is that of the UTF-8 text.
    expect((body.file as { size: number }).size).toBe(Buffer.byteLength(`a,b,c\n1,2,3\n4,5,${last}`));
  });

  it('reads windows-1252 by its own table: 0x80 is the euro sign', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b,c\n1,Price in '), Buffer.from([0x80]), Buffer.from(',Caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const { api } = await imported('enc-1252', bytes, 'windows-1252');
    expect((await api.get('/v1/users/1')).body).toMatchObject({ title: 'Price in €', department: 'Café' });
  });

  it('reads a file with mixed line breaks record by record, counting lines as an editor does', async () => {
    // CRLF from the HR system, then LF and a lone CR from an editor; a CRLF inside quotes is text.
    const text = 'a,b,c\r\n1,Ada,Eng\n2,Grace,Ops\r3,"Alan\r\nTuring",R&D\r\n4,x,y,z\n5,Edsger,QA\n';
    const { api, body } = await imported('enc-breaks', Buffer.from(text), 'utf-8');
    expect(body.counts).toMatchObject({ create: 4, error: 1 });
    expect((await api.get('/v1/users/1')).body).toMatchObject({ title: 'Ada', department: 'Eng' });
    expect((await api.get('/v1/users/2')).body).toMatchObject({ title: 'Grace', department: 'Ops' });
    expect((await api.get('/v1/users/3')).body).toMatchObject({ title: 'Alan\r\nTuring', department: 'R&D' });
    expect((await api.get('/v1/users/5')).body).toMatchObject({ title: 'Edsger', department: 'QA' });
    const errors = await api.get<{ items: { line: number; code: string }[] }>(`/v1/imports/${body.id as string}/errors`);
    expect(errors.body.items).toEqual([expect.objectContaining({ line: 6, code: 'WRONG_FIELD_COUNT' })]);
  });

  it('refuses a file that is not valid in its declared encoding, naming the line, and stores nothing', async () => {
    const api = new Api(app.baseUrl, await app.createKey('enc-bad'));
    const bad = Buffer.concat([Buffer.from('\ufeffa,b,c\n1,2,3\n', 'utf16le'), Buffer.from([0x00, 0xd8, 0x34, 0x00])]);
    const reply = await api.upload(bad, { config: { mapping: MAPPING, parsing: { encoding: 'utf-16le' } } });
    expect(reply.status).toBe(400);
    expect((reply.body as unknown as { message: string }).message).toMatch(/^Line 3 is not valid UTF-16LE/);
    const [{ n }] = await app.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM files f JOIN workspaces w ON w.id = f.workspace_id WHERE w.name = 'enc-bad'`,
    );
    expect(Number(n)).toBe(0);
  });
});
