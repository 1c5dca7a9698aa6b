import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { BossService } from '../src/jobs/boss.service.js';
import { PREVIEW_QUEUE, QUEUES, WEBHOOK_QUEUE } from '../src/jobs/queues.js';
import { IMPORT_STATES } from '../src/state/import.machine.js';
import { Api } from './support/api-client.js';
import { employeesCsv } from './support/employee-csv.js';
import { parseExposition, samplesOf, valueOf, type Exposition } from './support/prometheus-text.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until } from './support/until.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

async function scrape(baseUrl: string, token?: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** The phase histogram's observation count for one phase; its +Inf bucket must hold them all. */
function phaseCount(metrics: Exposition, phase: string): number {
  const count = valueOf(metrics, 'rostersync_import_phase_seconds_count', { phase });
  expect(valueOf(metrics, 'rostersync_import_phase_seconds_bucket', { phase, le: '+Inf' })).toBe(count);
  return count;
}

describe('metrics', () => {
  describe('a process that serves the API and works jobs (ROLE=all)', () => {
    const ROWS = 40;
    let app: TestApp;
    let api: Api;
    let receiver: Server;
    let smtp: SMTPServer;
    /** Statuses the webhook receiver answers with, in order; 200 once they run out. */
    const answers: number[] = [];
    let refusedMails = 0;

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(answers.shift() ?? 200).end());
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onRcptTo(_address, _session, callback) {
          refusedMails++;
          callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      app = await startTestApp({
        env: {
          SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
          ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1',
          ROSTERSYNC_WEBHOOK_RETRY_SECONDS: '1',
        },
      });
      api = new Api(app.baseUrl, await app.createKey('metrics'));
    });
    afterAll(async () => {
      await app?.close();
      receiver?.close();
      await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    });

    it('counts an import made through the API: its state, the rows staged and applied, each phase, and every queue', async () => {
      const before = await scrape(app.baseUrl);
      expect(before.types.get('rostersync_rows_staged_total')).toBe('counter');
      expect(before.types.get('rostersync_import_phase_seconds')).toBe('histogram');
      expect(before.types.get('rostersync_imports')).toBe('gauge');
      expect(valueOf(before, 'rostersync_rows_staged_total')).toBe(0);
      expect(samplesOf(before, 'rostersync_import_phase_seconds_count')).toEqual([]);

      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      expect((await api.post('/v1/webhooks', { url: hook, events: ['import.completed'] })).status).toBe(201);
      answers.push(500);
      const upload = await api.upload(employeesCsv(ROWS), { config: { notify: { email: ['hr-ops@example.com'] } } });
      await api.request(upload.body.id, 'IMPORT_PENDING');
      await api.waitForState(upload.body.id, 'COMPLETED');

      const after = await scrape(app.baseUrl);
      expect(Object.fromEntries(IMPORT_STATES.map((state) => [state, valueOf(after, 'rostersync_imports', { state })]))).toEqual(
        Object.fromEntries(IMPORT_STATES.map((state) => [state, state === 'COMPLETED' ? 1 : 0])),
      );
      expect(valueOf(after, 'rostersync_rows_staged_total')).toBe(ROWS);
      expect(valueOf(after, 'rostersync_rows_applied_total', { op: 'create' })).toBe(ROWS);
      expect(['update', 'deactivate', 'delete'].map((op) => valueOf(after, 'rostersync_rows_applied_total', { op }))).toEqual([0, 0, 0]);
      // Requested from DRAFT: the apply job stages, binds a plan and applies, each once.
      expect(['staged', 'plan bound', 'applied'].map((phase) => phaseCount(after, phase))).toEqual([1, 1, 1]);
      expect(valueOf(after, 'rostersync_import_phase_seconds_sum', { phase: 'applied' })).toBeGreaterThan(0);
      for (const queue of QUEUES) {
        for (const name of ['rostersync_queue_depth', 'rostersync_queue_active_jobs', 'rostersync_queue_failed_jobs']) {
          expect(valueOf(after, name, { queue })).toBeGreaterThanOrEqual(0);
        }
      }
      expect(samplesOf(after, 'rostersync_queue_depth').map((sample) => sample.labels.queue).sort()).toEqual([...QUEUES].sort());
    });

    it('counts the webhook delivery attempt the receiver refused and the e-mail the SMTP server refused', async () => {
      const metrics = await until(
        () => scrape(app.baseUrl),
        (m) => valueOf(m, 'rostersync_email_delivery_failures_total') >= 1 && valueOf(m, 'rostersync_webhook_delivery_failures_total', { final: 'false' }) >= 1,
      );
      // The report's one attempt so far (its retry waits 30 s), refused once; the webhook's first attempt got a 500.
      expect(valueOf(metrics, 'rostersync_email_delivery_failures_total')).toBe(refusedMails);
      expect(refusedMails).toBe(1);
      expect(valueOf(metrics, 'rostersync_webhook_delivery_failures_total', { final: 'false' })).toBe(1);
      expect(valueOf(metrics, 'rostersync_webhook_delivery_failures_total', { final: 'true' })).toBe(0);
    });
  });

  describe('the API (ROLE=api, METRICS_TOKEN) and a worker process serving METRICS_PORT', () => {
    const TOKEN = 'scrape-token-0123456789';
    const ROWS = 5;
    let app: TestApp;
    let api: Api;
    let worker: WorkerProcess | undefined;
    let importId: string;

    beforeAll(async () => {
      app = await startTestApp({ env: { ROLE: 'api', METRICS_TOKEN: TOKEN } });
      api = new Api(app.baseUrl, await app.createKey('split'));
    });
    afterAll(async () => {
      await worker?.kill('SIGTERM');
      await app?.close();
    });

    it('answers /metrics only with the token as a bearer', async () => {
      expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
      expect((await fetch(`${app.baseUrl}/metrics`, { headers: { 'x-api-key': await app.createKey('split', 'reader') } })).status).toBe(401);
      await scrape(app.baseUrl, TOKEN);
    });

    it('reads queue depth and failed jobs from pg-boss: a preview waiting for a worker, a job failed for good', async () => {
      const upload = await api.upload(employeesCsv(ROWS));
      importId = upload.body.id;
      await api.request(importId, 'PREVIEW_PENDING');
      const waiting = await until(() => scrape(app.baseUrl, TOKEN), (m) => valueOf(m, 'rostersync_queue_depth', { queue: PREVIEW_QUEUE }) === 1);
      expect(valueOf(waiting, 'rostersync_imports', { state: 'PREVIEW_PENDING' })).toBe(1);

      // What a worker's last attempt does when its handler throws: the job fails for good.
      const boss = app.app.get(BossService).boss;
      await boss.send(WEBHOOK_QUEUE, { workspaceId: 'w', deliveryId: 'd' }, { retryLimit: 0 });
      const [job] = await boss.fetch(WEBHOOK_QUEUE);
      await boss.fail(WEBHOOK_QUEUE, job.id);
      const failed = await until(() => scrape(app.baseUrl, TOKEN), (m) => valueOf(m, 'rostersync_queue_failed_jobs', { queue: WEBHOOK_QUEUE }) === 1);
      expect(valueOf(failed, 'rostersync_queue_failed_jobs', { queue: PREVIEW_QUEUE })).toBe(0);
    });

    it('the worker counts the rows and phases it worked on its own port; the API, which did none of the work, the import state', async () => {
      worker = await startWorkerProcess(app.db.url, { METRICS_PORT: '0', HOST: '127.0.0.1' });
      const url = /"metrics":"(http:\/\/[^"]+)\/metrics"/.exec(await until(async () => worker!.output(), (output) => output.includes('"metrics":"')))![1];
      await api.waitForState(importId, 'PREVIEW_READY');
      await api.request(importId, 'IMPORT_PENDING');
      await api.waitForState(importId, 'COMPLETED');

      const own = await scrape(url);
      expect(valueOf(own, 'rostersync_rows_staged_total')).toBe(ROWS);
      expect(valueOf(own, 'rostersync_rows_applied_total', { op: 'create' })).toBe(ROWS);
      // The preview stages and plans; the apply finds the file staged (a run that had nothing to do is observed too).
      expect(['staged', 'settled', 'planned', 'plan bound', 'applied'].map((phase) => phaseCount(own, phase))).toEqual([2, 1, 1, 1, 1]);
      expect(own.types.has('rostersync_imports')).toBe(false);
      expect(own.types.has('rostersync_queue_depth')).toBe(false);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${url}/v1/imports`)).status).toBe(404);

      const central = await until(() => scrape(app.baseUrl, TOKEN), (m) => valueOf(m, 'rostersync_queue_depth', { queue: PREVIEW_QUEUE }) === 0);
      expect(valueOf(central, 'rostersync_imports', { state: 'COMPLETED' })).toBe(1);
      expect(valueOf(central, 'rostersync_rows_staged_total')).toBe(0);
      expect(samplesOf(central, 'rostersync_import_phase_seconds_count')).toEqual([]);
    });
  });
});
