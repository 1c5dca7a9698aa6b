import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from './support/until.js';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Delivery {
  event: string;
  status: string;
  attempts: { status: number | null; error: string | null }[];
}

/** Webhooks against a real HTTP receiver on loopback: signed, retried, their attempts visible. */
describe('webhooks', () => {
  let app: TestApp;
  let api: Api;
  let receiver: Server;
  let url: string;
  const received: Received[] = [];
  /** Statuses to answer with, in order; 200 once they run out. */
  const answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/rostersync`;
    app = await startTestApp({ env: { ROSTERSYNC_ALLOW_HOSTS: '127.0.0.1', ROSTERSYNC_WEBHOOK_RETRY_SECONDS: '1' } });
    api = new Api(app.baseUrl, await app.createKey('webhooks'));
  });
  afterAll(async () => {
    await app?.close();
    receiver?.close();
  });

  const deliveries = async (id: string) => (await api.get<{ items: Delivery[] }>(`/v1/webhooks/${id}/deliveries`)).body.items;

  it('signs each delivery, retries a failed one, and shows every attempt', async () => {
    const created = await api.post<{ id: string; secret: string }>('/v1/webhooks', { url, events: ['import.completed', 'import.waiting_for_approval'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(JSON.stringify((await api.get('/v1/webhooks')).body)).not.toContain(created.body.secret);

    answers.push(500);
    const upload = await api.upload('externalId,email\nW1,w1@example.com\n');
    await api.request(upload.body.id, 'IMPORT_PENDING');
    await api.waitForState(upload.body.id, 'COMPLETED');
    const [delivery] = await until(() => deliveries(created.body.id), (items) => items[0]?.status === 'delivered');
    expect(delivery).toMatchObject({ event: 'import.completed', attempts: [{ status: 500, error: 'the receiver answered HTTP 500' }, { status: 200, error: null }] });

    const last = received.at(-1)!;
    const body = JSON.parse(last.body) as Record<string, unknown>;
    expect(body).toMatchObject({ event: 'import.completed', import: { id: upload.body.id, state: 'COMPLETED', counts: { create: 1 } }, transition: { from: 'IMPORTING', to: 'COMPLETED' } });
    expect(last.headers['x-rostersync-event']).toBe('import.completed');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(last.headers['x-rostersync-signature'] as string)!;
    expect(v1).toBe(createHmac('sha256', created.body.secret).update(`${t}.${last.body}`).digest('hex'));

    // A held import: waiting for approval is told.
    const held = await api.upload('externalId,email,title\nW2,w2@example.com,\n');
    await api.request(held.body.id, 'IMPORT_PENDING');
    await api.waitFor(held.body.id, (b) => b.state === 'PREVIEW_READY');
    const [waiting] = await until(() => deliveries(created.body.id), (items) => items[0]?.event === 'import.waiting_for_approval' && items[0].status === 'delivered');
    expect(waiting.attempts).toHaveLength(1);
  });

  it('"*" receives every state change; a receiver on a private address not allowed is refused, and the attempt says why', async () => {
    const all = await api.post<{ id: string }>('/v1/webhooks', { url, events: ['*'] });
    const upload = await api.upload('externalId,email\nW3,w3@example.com\n');
    await api.request(upload.body.id, 'PREVIEW_PENDING');
    await api.waitForState(upload.body.id, 'PREVIEW_READY');
    const items = await until(() => deliveries(all.body.id), (list) => list.filter((d) => d.status === 'delivered').length >= 3);
    expect(items.map((d) => d.event).sort()).toEqual(['import.state_changed', 'import.state_changed', 'import.state_changed']);

    const hidden = await api.post<{ id: string }>('/v1/webhooks', { url: 'http://10.255.255.1/hook', events: ['import.completed'] });
    const other = await api.upload('externalId,email\nW4,w4@example.com\n');
    await api.request(other.body.id, 'IMPORT_PENDING');
    await api.waitForState(other.body.id, 'COMPLETED');
    const [refused] = await until(() => deliveries(hidden.body.id), (list) => list[0]?.attempts.length > 0);
    expect(refused.attempts[0]).toMatchObject({ status: null });
    expect(refused.attempts[0].error).toContain('ROSTERSYNC_ALLOW_HOSTS');

    expect((await api.post('/v1/webhooks', { url: 'ftp://example.com/x', events: ['*'] })).status).toBe(400);
    expect((await api.post('/v1/webhooks', { url, events: ['import.exploded'] })).status).toBe(400);
    expect((await api.delete(`/v1/webhooks/${hidden.body.id}`)).status).toBe(204);
  });
});
