import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BATCH = 100;

describe(`files at the edges of a batch (batch size ${BATCH})`, () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { ROSTERSYNC_BATCH_SIZE: String(BATCH) } });
  });
  afterAll(() => app.close());

  it.each([
    ['an empty file', '', 0],
    ['a header-only file', employeesCsv(0), 0],
    ['exactly 3 batches', employeesCsv(3 * BATCH), 3 * BATCH],
    ['3 batches and one row', employeesCsv(3 * BATCH + 1), 3 * BATCH + 1],
    ['3 batches without a final newline', employeesCsv(3 * BATCH).trimEnd(), 3 * BATCH],
  ])('%s completes with the right counts', async (name, csv, rows) => {
    const api = new Api(app.baseUrl, await app.createKey(`edges-${name}`));
    const { body } = await api.upload(csv);
    await api.request(body.id, 'PREVIEW_PENDING');
    const previewed = await api.waitForState(body.id, 'PREVIEW_READY');
    expect(previewed.counts).toMatchObject({ create: rows, update: 0, unchanged: 0, error: 0 });
    await api.request(body.id, 'IMPORT_PENDING');
    const done = await api.waitForState(body.id, 'COMPLETED');
    expect(done.applied).toEqual({ create: rows, update: 0, deactivate: 0, delete: 0 });
    expect(done.progress).toMatchObject({ percent: 100 });
    expect((await api.get<{ total: number }>('/v1/users')).body.total).toBe(rows);
    const [row] = await app.db.query<{ staged_count: number }>('SELECT staged_count FROM imports WHERE id = $1', [body.id]);
    expect(row.staged_count).toBe(rows);
  });
});
