import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe("another workspace's key", () => {
  let app: TestApp;
  let owner: Api;
  let stranger: Api;
  let importId: string;

  beforeAll(async () => {
    app = await startTestApp();
    owner = new Api(app.baseUrl, await app.createKey('owner'));
    stranger = new Api(app.baseUrl, await app.createKey('stranger'));
    const { body } = await owner.upload('employee_id,email\n77,seven@example.com\n');
    importId = body.id;
    await owner.request(importId, 'PREVIEW_PENDING');
    await owner.waitForState(importId, 'PREVIEW_READY');
  });
  afterAll(() => app.close());

  it('gets 404 on every import endpoint, and changes nothing', async () => {
    const replies = [
      await stranger.getImport(importId),
      await stranger.get(`/v1/imports/${importId}/preview`),
      await stranger.get(`/v1/imports/${importId}/errors`),
      await stranger.text(`/v1/imports/${importId}/errors.csv`),
      await stranger.request(importId, 'IMPORT_PENDING'),
      await stranger.request(importId, 'CANCELLED'),
      await stranger.putConfig(importId, { key: 'email' }),
    ];
    expect(replies.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    expect((await stranger.get<{ total: number }>('/v1/imports')).body.total).toBe(0);
    const mine = await owner.getImport(importId);
    expect(mine.body.state).toBe('PREVIEW_READY');
    expect(mine.body.config).toMatchObject({ key: 'externalId' });
  });

  it("cannot see the other workspace's people, and a malformed id is a 404 too", async () => {
    await owner.request(importId, 'IMPORT_PENDING');
    await owner.waitForState(importId, 'COMPLETED');
    expect((await owner.get('/v1/users/77')).status).toBe(200);
    expect((await stranger.get('/v1/users/77')).status).toBe(404);
    expect((await stranger.get<{ total: number }>('/v1/users')).body.total).toBe(0);
    expect((await owner.getImport('not-a-uuid')).status).toBe(404);
  });
});
