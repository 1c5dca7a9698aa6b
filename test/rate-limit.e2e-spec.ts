import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, type Reply } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BURST = 3;

/** Each API key may send ROSTERSYNC_RATE_LIMIT_PER_MINUTE requests a minute, BURST at once; more get 429. */
describe('rate limit per API key', () => {
  let app: TestApp;
  /** A second API process on the same database: the allowance is shared, not per process. */
  let other: TestApp;

  beforeAll(async () => {
    // One request a minute on average, three at once: no allowance comes back while the test runs,
    // however slow the machine.
    const env = { ROSTERSYNC_RATE_LIMIT_PER_MINUTE: '1', ROSTERSYNC_RATE_LIMIT_BURST: String(BURST) };
    app = await startTestApp({ env });
    other = await startTestApp({ db: app.db, env: { ...env, ROLE: 'api' } });
  });
  afterAll(async () => {
    await other.close();
    await app.close();
  });

  const statuses = (replies: Reply[]): number[] => replies.map((reply) => reply.status);

  it('answers 429 with Retry-After past the burst, counts each key apart and across processes, and admits again after Retry-After', async () => {
    const key = await app.createKey('rate-limited', 'busy-script');
    const first = new Api(app.baseUrl, key);
    const second = new Api(other.baseUrl, key);

    // The burst, spread over two API processes, then one more on each: both refused.
    const admitted = [await first.get('/v1/imports'), await second.get('/v1/imports'), await first.get('/v1/imports')];
    expect(statuses(admitted)).toEqual([200, 200, 200]);
    const refused = [await second.get('/v1/imports'), await first.get('/v1/me')];
    expect(statuses(refused)).toEqual([429, 429]);
    const retryAfter = Number(refused[1].headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused[1].body).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('The key "busy-script" sent requests faster than the 1 a minute (up to 3 at once)'),
      retryAt: expect.any(String),
    });

    // Another key of the same workspace has its own allowance.
    const neighbour = new Api(app.baseUrl, await app.createKey('rate-limited', 'neighbour'));
    expect(statuses([await neighbour.get('/v1/imports')])).toEqual([200]);
    // Health is never limited, even sent with the spent key.
    expect((await fetch(`${app.baseUrl}/health`, { headers: { 'x-api-key': key } })).status).toBe(200);

    // Once Retry-After has passed, the key is admitted again: refused requests used none of its
    // allowance. (The clock is moved, not waited for: the key's allowance is its used_until.)
    await app.db.query(`UPDATE api_key_rates SET used_until = used_until - make_interval(secs => $1)`, [retryAfter]);
    expect(statuses([await first.get('/v1/imports')])).toEqual([200]);
    expect(statuses([await first.get('/v1/imports')])).toEqual([429]);
  });
});
