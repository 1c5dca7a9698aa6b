import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAX_UPLOAD = 3 * 1024 * 1024;

/** What a deployment refuses to take in: files larger than the upload limit. */
describe('limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { ROSTERSYNC_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) } });
  });
  afterAll(() => app.close());

  /** A CSV of exactly `size` bytes: a header, then lines of people padded with a long title. */
  function csvOfSize(size: number): Buffer {
    const header = 'id,title\n';
    const line = (n: number): string => `${n},${'t'.repeat(90)}\n`;
    let text = header;
    for (let n = 1; text.length + line(n).length <= size; n++) text += line(n);
    return Buffer.from(text + 'x'.repeat(size - text.length));
  }

  it('refuses an upload over ROSTERSYNC_MAX_UPLOAD_BYTES with 413, and keeps nothing of it', async () => {
    const api = new Api(app.baseUrl, await app.createKey('upload-limit'));
    const tooLarge = await api.upload(csvOfSize(MAX_UPLOAD + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({
      code: 'payload_too_large',
      message: `The file is larger than the upload limit of ${MAX_UPLOAD} bytes (ROSTERSYNC_MAX_UPLOAD_BYTES).`,
    });
    const [{ n }] = await app.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM files f JOIN workspaces w ON w.id = f.workspace_id WHERE w.name = 'upload-limit'`,
    );
    expect(Number(n)).toBe(0);

    const atLimit = await api.upload(csvOfSize(MAX_UPLOAD));
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.file).toMatchObject({ size: MAX_UPLOAD });
  });
});
