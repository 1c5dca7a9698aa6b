import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, type ImportBody } from './support/api-client.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('imports queued in a workspace', () => {
  let app: TestApp;

  beforeAll(async () => {
    // Small batches make each import take several transactions, so order and cancel can be seen.
    app = await startTestApp({ env: { ROSTERSYNC_BATCH_SIZE: '200', ROSTERSYNC_APPLY_CONCURRENCY: '3' } });
  });
  afterAll(() => app.close());

  it('apply one at a time in request order, while another workspace runs alongside', async () => {
    const acme = new Api(app.baseUrl, await app.createKey('ordered-acme'));
    const globex = new Api(app.baseUrl, await app.createKey('ordered-globex'));
    const uploads: ImportBody[] = [];
    for (const variant of ['first', 'second', 'third']) uploads.push((await acme.upload(employeesCsv(4000, variant))).body);
    const other = (await globex.upload(employeesCsv(300, 'other'))).body;

    for (const upload of uploads) expect((await acme.request(upload.id, 'IMPORT_PENDING')).status).toBe(200);
    await globex.request(other.id, 'IMPORT_PENDING');

    const finished = await Promise.all(uploads.map((u) => acme.waitForState(u.id, 'COMPLETED', 120_000)));
    const otherDone = await globex.waitForState(other.id, 'COMPLETED');
    const times = (body: ImportBody, state: string): number => Date.parse((body.stateTimes as Record<string, string>)[state]);
    for (let i = 1; i < finished.length; i++) {
      // The next import of the workspace starts only after the previous one completed.
      expect(times(finished[i], 'IMPORTING')).toBeGreaterThanOrEqual(times(finished[i - 1], 'COMPLETED'));
    }
    // The other workspace did not wait behind acme's queue.
    expect(times(otherDone, 'COMPLETED')).toBeLessThan(times(finished[2], 'COMPLETED'));
    // Last requested, last applied: everyone carries the third file's title.
    expect((await acme.get('/v1/users/E1234')).body).toMatchObject({ title: 'Title third' });
    expect(finished.map((f) => f.counts)).toEqual([
      expect.objectContaining({ create: 4000 }),
      expect.objectContaining({ update: 4000 }),
      expect.objectContaining({ update: 4000 }),
    ]);
  });

  it('a cancel during IMPORTING stops within seconds and keeps what was applied', async () => {
    const api = new Api(app.baseUrl, await app.createKey('cancelled'));
    const { body } = await api.upload(employeesCsv(30_000));
    await api.request(body.id, 'IMPORT_PENDING');
    await api.waitFor(body.id, (b) => b.state === 'IMPORTING' && (b.applied as Record<string, number>).create > 0, 60_000);

    const cancelledAt = Date.now();
    const cancel = await api.request(body.id, 'CANCELLED');
    expect(cancel.status).toBe(200);
    expect(cancel.body.state).toBe('CANCELLED');
    // No batch commits after the cancel: what it reports applied is what the directory holds.
    const settled = await waitUntilStable(app, body.id);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    const [{ n }] = await app.db.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE created_by_import = $1', [body.id]);
    expect(Number(n)).toBe(settled.applied.create);
    expect(settled.applied.create).toBeGreaterThan(0);
    expect(settled.applied.create).toBeLessThan(30_000);
    expect((await api.request(body.id, 'IMPORT_PENDING')).status).toBe(409);
  });
});

/** The import row stops changing once the job has seen the cancel. */
async function waitUntilStable(app: TestApp, id: string): Promise<ImportBody & { applied: Record<string, number> }> {
  let previous = '';
  for (let i = 0; i < 100; i++) {
    const [row] = await app.db.query<{ applied: Record<string, number>; updated_at: Date }>('SELECT applied, updated_at FROM imports WHERE id = $1', [id]);
    const now = JSON.stringify(row);
    if (now === previous) return { applied: row.applied } as ImportBody & { applied: Record<string, number> };
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error('the import kept changing after its cancel');
}
