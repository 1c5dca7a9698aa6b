import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Database } from '../src/modules/database/database.js';
import { inWorkspace } from '../src/modules/database/db-scope.js';
import type { FileStore } from '../src/modules/files/file-store.js';
import { FILE_STORE } from '../src/modules/files/file-store.js';
import { BossService } from '../src/jobs/boss.service.js';
import { RETENTION_CRON, RETENTION_QUEUE } from '../src/jobs/queues.js';
import { ImportRetention } from '../src/modules/retention/import-retention.js';
import { loadEnv } from '../src/modules/config/env.js';
import { Api, type ImportBody } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Retention: a finished import's stored file and staged lines go ROSTERSYNC_RETENTION_DAYS after it
 * finished; what it did (counts, line errors with their original lines, people's history) stays.
 */
describe('retention of finished imports', () => {
  let app: TestApp;
  let api: Api;
  let schedule: unknown[];

  beforeAll(async () => {
    app = await startTestApp({ env: { ROSTERSYNC_RETENTION_DAYS: '30' } });
    api = new Api(app.baseUrl, await app.createKey('retained'));
    // The worker schedules the hourly run; the tests run the purge themselves, so it goes.
    schedule = await app.db.query(`SELECT cron FROM pgboss.schedule WHERE name = $1`, [RETENTION_QUEUE]);
    await app.app.get(BossService).boss.unschedule(RETENTION_QUEUE, 'retention');
  });
  afterAll(() => app.close());

  async function finished(csv: string | Buffer, state: 'COMPLETED' | 'CANCELLED' | 'PREVIEW_READY' | 'FAILED'): Promise<ImportBody> {
    const created = (await api.upload(csv)).body;
    await api.request(created.id, state === 'COMPLETED' ? 'IMPORT_PENDING' : state === 'CANCELLED' ? 'CANCELLED' : 'PREVIEW_PENDING');
    return api.waitForState(created.id, state);
  }

  /** Moves the time an import reached its state `days` back. */
  async function aged(id: string, days: number): Promise<void> {
    await app.db.query(`UPDATE imports SET state_times = jsonb_set(state_times, ARRAY[state], to_jsonb(now() - make_interval(days => $2))) WHERE id = $1`, [id, days]);
  }

  async function bulk(id: string): Promise<{ staged: number; chunks: number }> {
    const [row] = await app.db.query<{ staged: number; chunks: number }>(
      `SELECT (SELECT count(*)::int FROM staged_rows WHERE import_id = $1) AS staged,
              (SELECT count(*)::int FROM file_chunks c JOIN imports i ON i.workspace_id = c.workspace_id AND i.file_id = c.file_id WHERE i.id = $1) AS chunks`,
      [id],
    );
    return row;
  }

  it('removes the file and staged lines of imports finished longer ago, keeping what they did', async () => {
    await finished('externalId,email\n9,taken@example.com\n', 'COMPLETED');
    // Line 3: an email the staging refuses; line 4: one the plan finds in use (its original line is read from the file).
    const old = await finished('externalId,email,title\n1,ada@example.com,Analyst\n2,grace@,Admiral\n3,TAKEN@example.com,Clerk\n', 'COMPLETED');
    const cancelled = await finished('externalId,email\n5,e@example.com\n', 'CANCELLED');
    const waiting = await finished('externalId,email\n6,f@example.com\n', 'PREVIEW_READY');
    // Line 3 is not UTF-8: the import fails, and can be resumed once the file is fixed.
    const failed = await finished(Buffer.concat([Buffer.from('externalId,email\n8,h@example.com\n8,Ren'), Buffer.from([0xe9]), Buffer.from('\n')]), 'FAILED');
    const recent = await finished('externalId,title\n1,Director\n', 'COMPLETED');
    for (const id of [old.id, cancelled.id, waiting.id, failed.id]) await aged(id, 31);
    await aged(recent.id, 29);
    const errors = (await api.get<{ items: { line: number; code: string; raw: string }[] }>(`/v1/imports/${old.id}/errors`)).body;
    expect(errors.items.map((e) => [e.line, e.code, e.raw])).toEqual([
      [3, 'INVALID_EMAIL', '2,grace@,Admiral'],
      [4, 'EMAIL_IN_USE', '3,TAKEN@example.com,Clerk'],
    ]);
    const report = await api.text(`/v1/imports/${old.id}/errors.csv`);
    expect(await bulk(old.id)).toEqual({ staged: 2, chunks: 1 });

    const retention = app.app.get(ImportRetention);
    expect(await retention.purgeDue()).toBe(2);
    expect(await bulk(old.id)).toEqual({ staged: 0, chunks: 0 });
    expect(await bulk(cancelled.id)).toEqual({ staged: 0, chunks: 0 });
    // Not finished (it can still be imported), failed (it can be resumed), or finished too recently: all kept.
    expect(await bulk(waiting.id)).toEqual({ staged: 1, chunks: 1 });
    expect((await bulk(failed.id)).chunks).toBe(1);
    expect(await bulk(recent.id)).toEqual({ staged: 1, chunks: 1 });

    const after = (await api.getImport(old.id)).body;
    expect(after).toMatchObject({ state: 'COMPLETED', counts: old.counts, file: old.file, purgedAt: expect.any(String) });
    expect((await api.getImport(recent.id)).body.purgedAt).toBeNull();
    // The line errors keep their original lines, in the API and the report.
    expect((await api.get(`/v1/imports/${old.id}/errors`)).body).toEqual(errors);
    expect((await api.text(`/v1/imports/${old.id}/errors.csv`)).text).toBe(report.text);
    expect((await api.get(`/v1/imports/${old.id}/preview?op=error`)).status).toBe(200);
    // The people, line by line, and the file's sample are gone, and the answer says why.
    const people = await api.get<{ code: string; message: string }>(`/v1/imports/${old.id}/preview?op=create`);
    expect(people.status).toBe(410);
    expect(people.body.message).toContain('ROSTERSYNC_RETENTION_DAYS');
    expect((await api.get(`/v1/imports/${old.id}/sample`)).status).toBe(410);
    // A read of the removed bytes fails rather than passing off an empty line as the original.
    const [{ workspaceId, fileId }] = await app.db.query<{ workspaceId: string; fileId: string }>(
      'SELECT workspace_id AS "workspaceId", file_id AS "fileId" FROM imports WHERE id = $1', [old.id]);
    const read = inWorkspace(workspaceId, () => app.app.get<FileStore>(FILE_STORE).readRanges(workspaceId, fileId, [{ start: 0, end: 8 }]));
    await expect(read).rejects.toThrow(/no longer stored/);
    // A person's history is the planned changes, which stay.
    const history = await api.get<{ items: { importId: string; op: string }[] }>('/v1/users/1/history');
    expect(history.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ importId: old.id, op: 'create' })]));
    expect((await api.get(`/v1/imports/${recent.id}/preview?op=update`)).status).toBe(200);

    expect(await retention.purgeDue()).toBe(0);
  });

  it('keeps the original line of an error for a NUL byte, which PostgreSQL text cannot hold, as U+FFFD', async () => {
    const nul = await finished(Buffer.concat([Buffer.from('externalId,firstName\n30,Nu'), Buffer.from([0]), Buffer.from('l\n31,Fine\n')]), 'COMPLETED');
    await aged(nul.id, 31);
    expect(await app.app.get(ImportRetention).purgeDue()).toBe(1);
    const errors = await api.get<{ items: { line: number; code: string; raw: string }[] }>(`/v1/imports/${nul.id}/errors`);
    expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'INVALID_CHARACTER', raw: '30,Nu\ufffdl' })]);
  });

  it('runs every hour through pg-boss, and keeps everything with ROSTERSYNC_RETENTION_DAYS=0', async () => {
    expect(schedule).toEqual([{ cron: RETENTION_CRON }]);
    const old = await finished('externalId,email\n7,g@example.com\n', 'COMPLETED');
    await aged(old.id, 400);
    const keeping = new ImportRetention({ ...loadEnv({}), retentionDays: 0 }, app.app.get(Database), app.app.get<FileStore>(FILE_STORE));
    expect(await keeping.purgeDue()).toBe(0);
    expect(await bulk(old.id)).toEqual({ staged: 1, chunks: 1 });
  });
});
