import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Api } from './support/api-client.js';
import { startTestApp, testEnv, type TestApp } from './support/test-app.js';

const run = promisify(execFile);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'keys-cli.js');

describe('npm run keys', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function keys(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...testEnv(app.db.url) } });
    return stdout;
  }

  it('creates a workspace and an admin key that works, and a viewer key that may only read', async () => {
    const adminOut = await keys('create', '--workspace', 'initech', '--name', 'hr-middleware', '--role', 'admin');
    expect(adminOut).toContain('Workspace "initech" created.');
    const admin = new Api(app.baseUrl, adminOut.match(/rsk_\S+/)![0]);
    const viewerOut = await keys('create', '--workspace', 'initech', '--name', 'auditor', '--role', 'viewer');
    expect(viewerOut).not.toContain('created.');
    const viewer = new Api(app.baseUrl, viewerOut.match(/rsk_\S+/)![0]);

    const { body, status } = await admin.upload('employee_id\n1\n');
    expect(status).toBe(201);
    expect(body.requestedBy).toBe('hr-middleware');
    expect((await viewer.getImport(body.id)).status).toBe(200);
    expect((await viewer.request(body.id, 'CANCELLED')).status).toBe(403);
    // Only the hash is stored.
    const stored = await app.db.query<{ key_hash: Buffer }>('SELECT key_hash FROM api_keys');
    expect(stored.every((row) => !row.key_hash.toString('latin1').includes(admin.key))).toBe(true);
  });

  it('refuses a bad role with the usage', async () => {
    await expect(keys('create', '--workspace', 'initech', '--name', 'x', '--role', 'owner')).rejects.toMatchObject({
      stderr: expect.stringContaining('--role must be admin or viewer'),
    });
  });
});
