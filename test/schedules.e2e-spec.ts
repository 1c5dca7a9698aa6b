import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inWorkspace } from '../src/modules/database/db-scope.js';
import { BossService } from '../src/jobs/boss.service.js';
import { randomUUID } from 'node:crypto';
import type { Job } from 'pg-boss';
import { SCHEDULE_QUEUE, type ScheduleJobData } from '../src/jobs/queues.js';
import { ScheduleRunner } from '../src/modules/schedules/schedule-runner.js';
import { Api } from './support/api-client.js';
import { startHttpsFileServer, type HttpsFileServer } from './support/https-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

interface Run {
  jobId: string;
  startedAt: string;
  outcome: string;
  importId: string | null;
  message: string | null;
}

const ALLOW = { ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1' };

/** Schedules run by pg-boss's scheduler, and the minimum interval between imports. */
describe('schedules', () => {
  let server: HttpsFileServer;
  let app: TestApp;
  let worker: WorkerProcess;
  let api: Api;
  let sourceId: string;
  let profileId: string;

  beforeAll(async () => {
    server = await startHttpsFileServer();
    app = await startTestApp({ env: ALLOW });
    worker = await startWorkerProcess(app.db.url, ALLOW);
    api = new Api(app.baseUrl, await app.createKey('schedules'));
    server.file('/people.csv', 'externalId,email,displayName\nN1,n1@example.com,Nina\nN2,n2@example.com,Noah\n');
    sourceId = (await api.post<{ id: string }>('/v1/sources', { name: 'HR export', uri: `${server.origin}/people.csv`, caCertificate: server.certificate })).body.id;
    profileId = (await api.post<{ id: string }>('/v1/profiles', { name: 'HR', config: {} })).body.id;
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await app?.close();
    await server?.stop();
  });

  it('a one-minute cron fires once per slot with two workers: the first run imports automatically, the next skips the unchanged file', async () => {
    const created = await api.post<{ id: string; nextRuns: string[] }>('/v1/schedules', { name: 'nightly', sourceId, profileId, cron: '* * * * *', timezone: 'Europe/Berlin' });
    expect(created.status).toBe(201);
    expect(created.body.nextRuns).toHaveLength(5);
    const id = created.body.id;

    const runs = async () => (await api.get<{ items: Run[] }>(`/v1/schedules/${id}/runs`)).body.items;
    const deadline = Date.now() + 200_000;
    while ((await runs()).filter((run) => run.outcome !== 'running').length < 2) {
      if (Date.now() > deadline) throw new Error(`two runs did not happen: ${JSON.stringify(await runs())}\n${worker.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await api.put(`/v1/schedules/${id}`, { name: 'nightly', sourceId, profileId, cron: '* * * * *', timezone: 'Europe/Berlin', enabled: false });

    const [second, first] = (await runs()).slice(-2);
    expect(first).toMatchObject({ outcome: 'imported' });
    expect(second).toMatchObject({ outcome: 'unchanged' });
    expect(second.message).toContain('unchanged, skipped');
    const imported = await api.waitForState(first.importId!, 'COMPLETED');
    expect(imported).toMatchObject({ requestedBy: 'schedule: nightly', scheduleId: id, sourceId, counts: { create: 2 } });

    // Exactly one job per cron slot, though two processes run the scheduler and take jobs: each
    // slot was forwarded once (pg-boss's send-it jobs carry the slot), and each forward made one run.
    const forwards = await app.db.query<{ slot: string; forwards: number }>(
      `SELECT data->>'slot' AS slot, count(*)::int AS forwards FROM pgboss.job
        WHERE name = '__pgboss__send-it' AND data->>'key' = $1 GROUP BY 1`,
      [id],
    );
    const [{ jobs }] = await app.db.query<{ jobs: number }>(`SELECT count(*)::int AS jobs FROM pgboss.job WHERE name = $1 AND data->>'scheduleId' = $2`, [SCHEDULE_QUEUE, id]);
    const allRuns = await runs();
    expect(forwards.length).toBeGreaterThanOrEqual(2);
    expect(forwards.filter((slot) => slot.forwards !== 1)).toEqual([]);
    expect({ jobs, runs: allRuns.length }).toEqual({ jobs: forwards.length, runs: forwards.length });
    const [{ imports }] = await app.db.query<{ imports: number }>('SELECT count(*)::int AS imports FROM imports WHERE schedule_id = $1', [id]);
    expect(imports).toBe(1);

    // Disabled: gone from pg-boss's scheduler; the view shows no next runs.
    const registered = await app.app.get(BossService).boss.getSchedules(SCHEDULE_QUEUE);
    expect(registered.map((schedule) => schedule.key)).not.toContain(id);
    expect((await api.get<{ nextRuns: string[]; lastRun: Run }>(`/v1/schedules/${id}`)).body).toMatchObject({ nextRuns: [], lastRun: { outcome: 'unchanged' } });
  }, 240_000);

  it('a job handed out twice, or two runs at once, make one import; a disabled schedule runs nothing', async () => {
    const ws = new Api(app.baseUrl, await app.createKey('schedule-runs'));
    server.file('/runs.csv', 'externalId,email\nR1,r1@example.com\n');
    const source = (await ws.post<{ id: string }>('/v1/sources', { name: 'runs', uri: `${server.origin}/runs.csv`, caCertificate: server.certificate })).body.id;
    const profile = (await ws.post<{ id: string }>('/v1/profiles', { name: 'runs', config: {} })).body.id;
    const body = { name: 'runs', sourceId: source, profileId: profile, cron: '0 3 * * *', timezone: 'UTC' };
    const schedule = (await ws.post<{ id: string }>('/v1/schedules', body)).body.id;
    const [{ workspaceId }] = await app.db.query<{ workspaceId: string }>('SELECT workspace_id AS "workspaceId" FROM schedules WHERE id = $1', [schedule]);
    const scheduled = app.app.get(ScheduleRunner);
    // As the job worker runs it: in the schedule's workspace.
    const runner = { run: (job: Job<ScheduleJobData>) => inWorkspace(workspaceId, () => scheduled.run(job)) };
    const job = (id: string) => ({ id, name: SCHEDULE_QUEUE, data: { workspaceId, scheduleId: schedule }, retryCount: 0 }) as unknown as Job<ScheduleJobData>;

    // The same job twice at once (a worker thought dead while it still runs), and a second slot's job.
    const first = randomUUID();
    await Promise.all([runner.run(job(first)), runner.run(job(first)), runner.run(job(randomUUID()))]);
    const outcomes = (await ws.get<{ items: Run[] }>(`/v1/schedules/${schedule}/runs`)).body.items.map((run) => run.outcome).sort();
    expect(outcomes).toEqual(['imported', 'unchanged']);
    const [{ imports }] = await app.db.query<{ imports: number }>('SELECT count(*)::int AS imports FROM imports WHERE schedule_id = $1', [schedule]);
    expect(imports).toBe(1);

    await ws.put(`/v1/schedules/${schedule}`, { ...body, enabled: false });
    await runner.run(job(randomUUID()));
    expect((await ws.get<{ items: Run[] }>(`/v1/schedules/${schedule}/runs`)).body.items[0]).toMatchObject({ outcome: 'skipped' });
  });

  it('a scheduled import over a gate waits for approval like any other', async () => {
    const ws = new Api(app.baseUrl, await app.createKey('schedule-gated'));
    server.file('/gated.csv', 'externalId,email\nG1,g1@example.com\nG2,g2@example.com\n');
    const source = (await ws.post<{ id: string }>('/v1/sources', { name: 'gated', uri: `${server.origin}/gated.csv`, caCertificate: server.certificate })).body.id;
    const profile = (await ws.post<{ id: string }>('/v1/profiles', { name: 'gated', config: { approval: { maxCreates: 1 } } })).body.id;
    const schedule = (await ws.post<{ id: string }>('/v1/schedules', { name: 'gated', sourceId: source, profileId: profile, cron: '0 3 * * *' })).body.id;
    const [{ workspaceId }] = await app.db.query<{ workspaceId: string }>('SELECT workspace_id AS "workspaceId" FROM schedules WHERE id = $1', [schedule]);
    await inWorkspace(workspaceId, () => app.app.get(ScheduleRunner).run({ id: randomUUID(), name: SCHEDULE_QUEUE, data: { workspaceId, scheduleId: schedule }, retryCount: 0 } as unknown as Job<ScheduleJobData>));
    const [run] = (await ws.get<{ items: Run[] }>(`/v1/schedules/${schedule}/runs`)).body.items;
    const held = await ws.waitFor(run.importId!, (body) => body.state === 'PREVIEW_READY');
    expect(held).toMatchObject({ status: 'Waiting for Approval', requestedBy: 'schedule: gated', approval: { required: true, reasons: [{ gate: 'maxCreates' }] } });
  });

  it('checks cron, timezone, source and profile; a used source or profile cannot be deleted', async () => {
    const base = { name: 'checked', sourceId, profileId, cron: '0 2 * * *', timezone: 'Europe/Berlin' };
    expect((await api.post('/v1/schedules', { ...base, cron: 'every night' })).status).toBe(400);
    expect((await api.post('/v1/schedules', { ...base, timezone: 'Mars/Olympus' })).status).toBe(400);
    expect((await api.post('/v1/schedules', { ...base, profileId: '00000000-0000-0000-0000-000000000000' })).status).toBe(400);
    const created = await api.post<{ id: string; nextRuns: string[] }>('/v1/schedules', base);
    expect(created.status).toBe(201);
    // 02:00 in Berlin is 01:00 UTC in winter.
    expect(created.body.nextRuns[0]).toMatch(/T01:00:00\.000Z$/);
    expect(await api.delete(`/v1/sources/${sourceId}`)).toMatchObject({ status: 409, body: { code: 'in_use' } });
    expect(await api.delete(`/v1/profiles/${profileId}`)).toMatchObject({ status: 409, body: { code: 'in_use' } });
    expect((await api.delete(`/v1/schedules/${created.body.id}`)).status).toBe(204);
  });

  it('minIntervalMinutes refuses a new import after a successful one (429 with the next allowed time); failed ones do not count', async () => {
    const paced = new Api(app.baseUrl, await app.createKey('pacing'));
    expect((await paced.put('/v1/settings', { minIntervalMinutes: 60 })).body).toEqual({ minIntervalMinutes: 60 });

    const failed = await paced.upload('no key here\n1\n');
    await paced.request(failed.body.id, 'IMPORT_PENDING');
    await paced.waitFor(failed.body.id, (body) => body.state === 'FAILED');

    const ok = await paced.upload('externalId,email\nP1,p1@example.com\n');
    expect(ok.status).toBe(201);
    await paced.request(ok.body.id, 'IMPORT_PENDING');
    const done = await paced.waitForState(ok.body.id, 'COMPLETED');

    const refused = await paced.upload('externalId,email\nP2,p2@example.com\n');
    expect(refused.status).toBe(429);
    const completedAt = new Date((done.stateTimes as Record<string, string>).COMPLETED).getTime();
    expect(new Date(refused.body.retryAt as unknown as string).getTime()).toBe(completedAt + 60 * 60_000);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    const pacedSource = (await paced.post<{ id: string }>('/v1/sources', { name: 'HR', uri: `${server.origin}/people.csv`, caCertificate: server.certificate })).body.id;
    const pacedProfile = (await paced.post<{ id: string }>('/v1/profiles', { name: 'HR', config: {} })).body.id;
    expect((await paced.post(`/v1/sources/${pacedSource}/sync`, { profileId: pacedProfile })).status).toBe(429);

    await paced.put('/v1/settings', { minIntervalMinutes: null });
    expect((await paced.upload('externalId,email\nP2,p2@example.com\n')).status).toBe(201);
    expect((await paced.put('/v1/settings', { minIntervalMinutes: 0 })).status).toBe(400);
  });
});
