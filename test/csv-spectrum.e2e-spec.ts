import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import { Api } from './support/api-client.js';
import { corpus } from './support/corpora.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CASES = [
  'comma_in_quotes', 'empty', 'empty_crlf', 'escaped_quotes', 'json', 'newlines', 'newlines_crlf',
  'quotes_and_newlines', 'simple', 'simple_crlf', 'utf8',
];

/** Each csv-spectrum file: its first column is the person's key, the others go to custom fields. */
describe('the csv-spectrum corpus', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it.each(CASES)('%s imports with the expected values', async (name) => {
    const api = new Api(app.baseUrl, await app.createKey(`spectrum-${name}`));
    const bytes = await fs.readFile(corpus('csv-spectrum', 'csvs', `${name}.csv`));
    const expected = JSON.parse(await fs.readFile(corpus('csv-spectrum', 'json', `${name}.json`), 'utf8')) as Record<string, string>[];
    const [keyColumn, ...others] = Object.keys(expected[0]);
    const mapping = Object.fromEntries([[keyColumn, 'externalId'], ...others.map((c) => [c, `custom.${c}`])]);
    for (const key of others) expect((await api.post('/v1/fields', { key, type: 'string' })).status).toBe(201);

    const { body } = await api.upload(bytes, { config: { mapping }, name: `${name}.csv` });
    await api.request(body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(body.id, 'COMPLETED');
    expect(done.counts).toMatchObject({ create: expected.length, error: 0 });

    for (const row of expected) {
      const user = await api.get<{ externalId: string; custom: Record<string, string> }>(`/v1/users/${encodeURIComponent(row[keyColumn])}`);
      expect(user.status).toBe(200);
      expect(user.body.externalId).toBe(row[keyColumn]);
      // An empty cell is no value: it is absent from the person's custom fields.
      const wanted = Object.fromEntries(others.filter((c) => row[c] !== '').map((c) => [c, row[c]]));
      expect(user.body.custom).toEqual(wanted);
    }
  });

  it('location_coordinates (a bare quote in an unquoted field) is a line error, not mangled data', async () => {
    const api = new Api(app.baseUrl, await app.createKey('spectrum-location'));
    const bytes = await fs.readFile(corpus('csv-spectrum', 'csvs', 'location_coordinates.csv'));
    const { body } = await api.upload(bytes, { config: { mapping: { 'Contact Phone Number': 'externalId', Cities: 'location' } } });
    await api.request(body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(body.id, 'COMPLETED');
    expect(done.counts).toMatchObject({ create: 0, error: 1 });
    const errors = await api.get<{ items: { line: number; code: string }[] }>(`/v1/imports/${body.id}/errors`);
    expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'CSV_SYNTAX' })]);
    expect((await api.get<{ total: number }>('/v1/users')).body.total).toBe(0);
  });
});
