import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, type ErrorItem } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';


describe('a file with bad lines', () => {
  let app: TestApp;
  let api: Api;

  beforeAll(async () => {
    app = await startTestApp();
    api = new Api(app.baseUrl, await app.createKey('acme'));
    const seed = await api.upload('id,email\n900,taken@example.com\n');
    await api.request(seed.body.id, 'IMPORT_PENDING');
    await api.waitForState(seed.body.id, 'COMPLETED');
  });
  afterAll(() => app.close());

  it('reports each bad line with its number, column and text, and imports the good ones', async () => {
    const csv = [
      'id,first_name,email,status', //                       line 1
      '1,Ada,ada@example.com,active', //                     2 good
      '2,Alan,alan@example.com', //                          3 wrong field count
      '3,Grace,grace@,active', //                            4 invalid email
      ',Nobody,nobody@example.com,active', //                5 missing key
      '4,"Edsger ""EWD"" Dijkstra",edsger@example.com,', //  6 good (escaped quotes, empty status)
      '5,Bar"bara,barbara@example.com,active', //            7 stray quote
      '6,Linus,linus@example.com,sometimes', //              8 invalid status
      '1,Ada again,ada2@example.com,active', //              9 duplicate key
      '7,Taken,TAKEN@example.com,active', //                 10 email of another person
      '8,"Multi', //                                         11 good: a field over two lines
      'line",multi@example.com,deactivated', //              12
      '=HYPERLINK(1),Eve,eve@example.com,active,extra', //   13 wrong field count, formula-like text
      '9,"Unclosed,never@example.com,active', //             14 unclosed quote swallows the rest
      '10,Lost,lost@example.com,active', //                  15
    ].join('\n');
    const { body } = await api.upload(csv);
    await api.request(body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(body.id, 'COMPLETED');
    expect(done.counts).toMatchObject({ create: 3, update: 0, error: 9 });

    const errors = await api.get<{ total: number; items: ErrorItem[] }>(`/v1/imports/${body.id}/errors?pageSize=100`);
    expect(errors.body.items.map((e) => [e.line, e.code, e.column])).toEqual([
      [3, 'WRONG_FIELD_COUNT', null],
      [4, 'INVALID_EMAIL', 'email'],
      [5, 'MISSING_KEY', 'id'],
      [7, 'CSV_SYNTAX', 'first_name'],
      [8, 'INVALID_STATUS', 'status'],
      [9, 'DUPLICATE_KEY', 'first_name'],
      [10, 'EMAIL_IN_USE', 'email'],
      [13, 'WRONG_FIELD_COUNT', null],
      [14, 'CSV_SYNTAX', 'first_name'],
    ].map(([line, code, column]) => [line, code, column]));
    const byLine = new Map(errors.body.items.map((e) => [e.line, e]));
    expect(byLine.get(3)!.message).toContain('Line 3 has 3 fields but the header has 4 columns');
    expect(byLine.get(4)!.message).toBe('Line 4, column "email": "grace@" is not a valid email address. Correct it or leave the cell empty.');
    expect(byLine.get(4)!.raw).toBe('3,Grace,grace@,active');
    expect(byLine.get(9)!.message).toContain('repeats the externalId "1" of line 2');
    expect(byLine.get(9)!.raw).toBe('1,Ada again,ada2@example.com,active');
    expect(byLine.get(10)!.message).toContain('belongs to another person in the directory (externalId "900")');
    expect(byLine.get(14)!.message).toContain('never closed');

    const users = await api.get<{ items: { externalId: string; firstName: string; status: string }[] }>('/v1/users?pageSize=100');
    expect(users.body.items.map((u) => u.externalId).sort()).toEqual(['1', '4', '8', '900']);
    expect((await api.get('/v1/users/4')).body).toMatchObject({ firstName: 'Edsger "EWD" Dijkstra', status: 'active' });
    expect((await api.get('/v1/users/8')).body).toMatchObject({ firstName: 'Multi\nline', status: 'deactivated' });
    expect((await api.get('/v1/users/1')).body).toMatchObject({ firstName: 'Ada', email: 'ada@example.com' });

    const csvReport = await api.text(`/v1/imports/${body.id}/errors.csv`);
    expect(csvReport.status).toBe(200);
    expect(csvReport.headers.get('content-type')).toContain('text/csv');
    const reportLines = csvReport.text.trimEnd().split('\r\n');
    expect(reportLines[0]).toBe('"line","column","code","message","raw"');
    expect(reportLines).toHaveLength(1 + errors.body.total);
    // A cell a spreadsheet would run as a formula is defused with a leading quote.
    expect(csvReport.text).toContain(`"'=HYPERLINK(1),Eve,eve@example.com,active,extra"`);
  });

  it('fails a file that is not UTF-8 at its first bad line, and writes nothing', async () => {
    const latin1 = Buffer.concat([Buffer.from('id,first_name\n20,Zoe\n21,Ren'), Buffer.from([0xe9]), Buffer.from('\n22,Ann\n')]);
    const { body } = await api.upload(latin1);
    await api.request(body.id, 'IMPORT_PENDING');
    const failed = await api.waitFor(body.id, (b) => b.state === 'FAILED');
    expect(failed.failureReason).toContain('Line 3 is not valid UTF-8 (byte 0xE9)');
    expect((await api.get('/v1/users/20')).status).toBe(404);
  });

  it('reports a NUL byte as a line error instead of failing the whole import', async () => {
    const csv = Buffer.concat([Buffer.from('id,first_name\n30,Nu'), Buffer.from([0]), Buffer.from('l\n31,Fine\n')]);
    const { body } = await api.upload(csv);
    await api.request(body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(body.id, 'COMPLETED');
    expect(done.counts).toMatchObject({ create: 1, error: 1 });
    const errors = await api.get<{ items: { line: number; code: string }[] }>(`/v1/imports/${body.id}/errors`);
    expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'INVALID_CHARACTER' })]);
  });

  it('completes an empty file, or one of blank lines, with nothing changed', async () => {
    for (const empty of ['', '\n\r\n\n']) {
      const { body } = await api.upload(empty);
      await api.request(body.id, 'IMPORT_PENDING');
      const done = await api.waitForState(body.id, 'COMPLETED');
      expect(done.counts).toEqual({ create: 0, update: 0, unchanged: 0, deactivate: 0, delete: 0, error: 0 });
    }
  });
});
