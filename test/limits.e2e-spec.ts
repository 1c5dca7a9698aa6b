import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, type ErrorItem, type ImportBody } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAX_UPLOAD = 3 * 1024 * 1024;
const MAX_LINE = 200;
const MAX_COLUMNS = 8;

/** What a deployment refuses to take in: files over the upload limit, records over the line limit, headers with too many columns. */
describe('limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ROSTERSYNC_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
        ROSTERSYNC_MAX_LINE_BYTES: String(MAX_LINE),
        ROSTERSYNC_MAX_COLUMNS: String(MAX_COLUMNS),
        // Batches end around the long records: the checkpoints after them must hold.
        ROSTERSYNC_BATCH_SIZE: '2',
      },
    });
  });
  afterAll(() => app.close());

  async function imported(api: Api, csv: string, state: 'COMPLETED' | 'FAILED'): Promise<ImportBody> {
    const { body } = await api.upload(csv);
    await api.request(body.id, 'IMPORT_PENDING');
    return api.waitForState(body.id, state);
  }

  const errorsOf = async (api: Api, id: string): Promise<ErrorItem[]> =>
    (await api.get<{ items: ErrorItem[] }>(`/v1/imports/${id}/errors?pageSize=100`)).body.items;

  const idsOf = async (api: Api): Promise<string[]> =>
    (await api.get<{ items: { externalId: string }[] }>('/v1/users?pageSize=100')).body.items.map((u) => u.externalId).sort();

  /** A CSV of exactly `size` bytes: a header, then lines of people padded with a long title. */
  function csvOfSize(size: number): Buffer {
    const header = 'id,title\n';
    const line = (n: number): string => `${n},${'t'.repeat(90)}\n`;
    let text = header;
    for (let n = 1; text.length + line(n).length <= size; n++) text += line(n);
    return Buffer.from(text + 'x'.repeat(size - text.length));
  }

  it('refuses an upload over ROSTERSYNC_MAX_UPLOAD_BYTES with 413, and keeps nothing of it', async () => {
    const api = new Api(app.baseUrl, await app.createKey('upload-limit'));
    const tooLarge = await api.upload(csvOfSize(MAX_UPLOAD + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({
      code: 'payload_too_large',
      message: `The file is larger than the upload limit of ${MAX_UPLOAD} bytes (ROSTERSYNC_MAX_UPLOAD_BYTES).`,
    });
    const [{ n }] = await app.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM files f JOIN workspaces w ON w.id = f.workspace_id WHERE w.name = 'upload-limit'`,
    );
    expect(Number(n)).toBe(0);

    const atLimit = await api.upload(csvOfSize(MAX_UPLOAD));
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.file).toMatchObject({ size: MAX_UPLOAD });
  });

  it('skips a line over ROSTERSYNC_MAX_LINE_BYTES as a LINE_TOO_LONG error at its line, and imports the others', async () => {
    const api = new Api(app.baseUrl, await app.createKey('long-line'));
    const atLimit = `2,${'a'.repeat(MAX_LINE - 'x@example.com'.length - 3)},x@example.com`;
    expect(atLimit).toHaveLength(MAX_LINE);
    const csv = [
      'id,first_name,email', //                          line 1
      '1,Ada,ada@example.com', //                        2
      atLimit, //                                        3: exactly the limit, kept
      `3,${'b'.repeat(MAX_LINE)},long@example.com`, //   4: over it
      '4,"Grace', //                                     5-6: a quoted field over two lines
      'Hopper",grace@example.com',
      '5,Alan,alan@example.com,extra,fields', //         7: more fields than the header
      '6,Edsger,edsger@example.com', //                  8
    ].join('\r\n');
    const body = await imported(api, csv, 'COMPLETED');
    const { id } = body;
    expect(body.counts).toMatchObject({ create: 4, error: 2 });
    const errors = await errorsOf(api, id);
    expect(errors.map((e) => [e.line, e.code, e.column])).toEqual([
      [4, 'LINE_TOO_LONG', null],
      [7, 'WRONG_FIELD_COUNT', null],
    ]);
    expect(errors[0].message).toBe(
      `Line 4: the record that starts on this line is longer than the limit of ${MAX_LINE} bytes (ROSTERSYNC_MAX_LINE_BYTES), so it was not read: ` +
        'shorten it, check its quotes (a quoted field can hold line breaks, so one stray quote joins lines), or raise the limit.',
    );
    expect(errors[0].raw).toBe(`3,${'b'.repeat(MAX_LINE)},long@example.com`);
    expect(await idsOf(api)).toEqual(['1', '2', '4', '6']);
    expect((await api.get('/v1/users/4')).body).toMatchObject({ firstName: 'Grace\r\nHopper' });
  });

  it('reads a quote never closed to the end of a large file without keeping it: one LINE_TOO_LONG error, the lines before it imported', async () => {
    const api = new Api(app.baseUrl, await app.createKey('runaway-quote'));
    const tail = Array.from({ length: 60_000 }, (_, i) => `${100 + i},Person ${i},p${i}@example.com`);
    const csv = ['id,first_name,email', '1,Ada,ada@example.com', '2,Alan,alan@example.com', '3,"Unclosed,never@example.com', ...tail, ''].join('\n');
    expect(csv.length).toBeGreaterThan(2 * 1024 * 1024); // over two of the file store's 1 MiB chunks
    const body = await imported(api, csv, 'COMPLETED');
    const { id } = body;
    expect(body.counts).toMatchObject({ create: 2, error: 1 });
    const [error, ...more] = await errorsOf(api, id);
    expect(more).toEqual([]);
    expect(error).toMatchObject({ line: 4, code: 'LINE_TOO_LONG', column: null });
    expect(error.message).toContain(`Line 4: the record that starts on this line is longer than the limit of ${MAX_LINE} bytes (ROSTERSYNC_MAX_LINE_BYTES)`);
    expect(error.message).toContain('a quoted field on it is never closed, so it runs to the end of the file');
    expect(error.raw.startsWith('3,"Unclosed,never@example.com\n100,Person 0,p0@example.com\n')).toBe(true);
    expect(error.raw.length).toBeLessThanOrEqual(4096);
    expect(await idsOf(api)).toEqual(['1', '2']);
    // Staging's checkpoint reached the end of the file, past the skipped record.
    const [staged] = await app.db.query<{ staged_bytes: string }>('SELECT staged_bytes FROM imports WHERE id = $1', [id]);
    expect(Number(staged.staged_bytes)).toBe(Buffer.byteLength(csv));
  });

  it('fails a file whose header names more than ROSTERSYNC_MAX_COLUMNS columns, or is over the line limit, and writes nothing of it', async () => {
    const api = new Api(app.baseUrl, await app.createKey('wide-header'));
    const header = (count: number): string => ['id', 'email', ...Array.from({ length: count - 2 }, (_, i) => `extra${i + 1}`)].join(',');
    // Exactly at the limit: imported.
    await imported(api, `${header(MAX_COLUMNS)}\n7,grace@example.com${',x'.repeat(MAX_COLUMNS - 2)}\n`, 'COMPLETED');
    const wide = await imported(api, `${header(MAX_COLUMNS + 1)}\n1,ada@example.com${',x'.repeat(MAX_COLUMNS - 1)}\n`, 'FAILED');
    expect(wide.failureReason).toBe(
      `The header row (line 1) names ${MAX_COLUMNS + 1} columns: at most ${MAX_COLUMNS} are allowed (ROSTERSYNC_MAX_COLUMNS). ` +
        'Export only the columns the import needs, or raise the limit.',
    );

    const long = await imported(api, `id,email,${'c'.repeat(MAX_LINE)}\n1,ada@example.com,x\n`, 'FAILED');
    expect(long.failureReason).toContain(`The header row (line 1) could not be read: the record that starts on this line is longer than the limit of ${MAX_LINE} bytes`);
    // A header whose quote is never closed fails as soon as it passes the limit.
    const runaway = await imported(api, `id,"email\n${'1,ada@example.com\n'.repeat(100)}`, 'FAILED');
    expect(runaway.failureReason).toContain(`The header row (line 1) could not be read: the record that starts on this line is longer than the limit of ${MAX_LINE} bytes`);
    expect(await idsOf(api)).toEqual(['7']);
  });
});
