import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Job } from 'pg-boss';
import { WEBHOOK_RETRY_LIMIT, type WebhookJobData } from '../../jobs/queues.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Metrics } from '../metrics/metrics.js';
import { HostGuard, pinnedLookup } from '../sources/host-guard.js';
import { WebhooksRepository } from './webhooks.repository.js';

const TIMEOUT_MS = 10_000;

/** The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`. */
export function signature(secret: string, body: string, at: number): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

/**
 * Sends one delivery: a signed POST to the webhook's URL (whose host is checked like a source's),
 * each attempt recorded. A non-2xx answer or no answer throws, and pg-boss tries again later with
 * backoff; the last attempt settles the delivery as failed.
 */
@Injectable()
export class WebhookSender {
  private readonly logger = new Logger('webhooks');
  private readonly guard: HostGuard;

  constructor(
    @Inject(ENV) env: Env,
    private readonly webhooks: WebhooksRepository,
    private readonly metrics: Metrics,
  ) {
    this.guard = new HostGuard(env.allowHosts);
  }

  async deliver(job: Job<WebhookJobData>): Promise<void> {
    const { workspaceId, deliveryId } = job.data;
    const delivery = await this.webhooks.pending(workspaceId, deliveryId);
    if (!delivery) return;
    const body = JSON.stringify({ id: deliveryId, ...(delivery.payload as object) });
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.post(delivery.url, body, {
        'content-type': 'application/json',
        'user-agent': 'rostersync-webhooks',
        'x-rostersync-event': delivery.event,
        'x-rostersync-delivery': deliveryId,
        'x-rostersync-signature': signature(delivery.secret, body, Math.floor(Date.now() / 1000)),
      });
      if (status < 200 || status > 299) error = `the receiver answered HTTP ${status}`;
    } catch (failure) {
      error = (failure as Error).message;
    }
    const last = job.retryCount >= WEBHOOK_RETRY_LIMIT;
    const outcome = error === null ? 'delivered' : last ? 'failed' : 'pending';
    await this.webhooks.recordAttempt(workspaceId, deliveryId, { at: new Date().toISOString(), status, error, ms: Math.round(performance.now() - started) }, outcome);
    if (error !== null) this.metrics.webhookFailed(outcome === 'failed');
    if (outcome === 'pending') throw new Error(`webhook delivery ${deliveryId}: ${error}`);
    if (outcome === 'failed') this.logger.warn({ workspaceId, deliveryId, error }, 'webhook delivery failed for good');
  }

  /** The receiver's status; the whole attempt (lookup, connect, answer) has TIMEOUT_MS. */
  private async post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const target = new URL(url);
    const deadline = AbortSignal.timeout(TIMEOUT_MS);
    const late = new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)), { once: true }));
    late.catch(() => undefined);
    const address = await Promise.race([this.guard.resolve(target.hostname), late]);
    const client = target.protocol === 'https:' ? https : http;
    const answer = new Promise<number>((resolve, reject) => {
      const request = client.request(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinnedLookup(address), agent: false, signal: deadline });
      request.on('response', (response) => {
        response.destroy();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
    return Promise.race([answer, late]);
  }
}
