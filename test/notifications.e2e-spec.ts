import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from './support/until.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SecretBox } from '../src/modules/secrets/secret-box.js';
import { SECRET_BOX } from '../src/modules/secrets/secrets.tokens.js';
import { Api, type ImportBody } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** E-mail through a real SMTP server on loopback: reports, invitations, and recovery codes handed out once. */
describe('notifications', () => {
  let smtp: SMTPServer;
  let app: TestApp;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          mails.push(mail);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    app = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'rostersync <hr-sync@example.com>', ROSTERSYNC_PUBLIC_URL: 'https://rostersync.example.com' } });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  const to = (address: string) => mails.filter((mail) => JSON.stringify(mail.to).includes(address));
  async function imported(api: Api, csv: string, config: Record<string, unknown>): Promise<ImportBody> {
    const upload = await api.upload(csv, { config });
    await api.request(upload.body.id, 'IMPORT_PENDING');
    return api.waitFor(upload.body.id, (b) => ['COMPLETED', 'PREVIEW_READY', 'FAILED'].includes(b.state));
  }

  it('reports to the recipients when an import completes (errors attached), waits for approval, or fails', async () => {
    const api = new Api(app.baseUrl, await app.createKey('notify-reports', 'alice'));
    const notify = { email: ['hr-ops@example.com'] };
    const done = await imported(api, 'externalId,email\nR1,r1@example.com\nR2,not-an-email\n', { notify });
    const [completed] = await until(() => to('hr-ops@example.com'), (list) => list.length >= 1);
    expect(completed.subject).toBe('rostersync: people.csv — Completed');
    expect(completed.text).toContain('Applied: 1 created, 0 updated, 0 deactivated, 0 deleted; 0 unchanged; 1 line errors.');
    expect(completed.text).toContain(`https://rostersync.example.com/v1/imports/${done.id}`);
    expect(completed.attachments.map((a) => a.filename)).toEqual([`import-${done.id}-errors.csv`]);
    expect(completed.attachments[0].content.toString()).toContain('"3","email","INVALID_EMAIL"');

    await imported(api, 'externalId,email\n', { notify, mode: 'full', approval: { maxDeactivations: 0 } });
    const waiting = await until(() => to('hr-ops@example.com'), (list) => list.length >= 2);
    expect(waiting[1].subject).toBe('rostersync: people.csv — Waiting for Approval');
    expect(waiting[1].text).toContain('1 person would be deactivated: more than the maxDeactivations limit of 0.');

    const failed = await imported(api, 'no key\n1\n', { notify });
    expect(failed.state).toBe('FAILED');
    const all = await until(() => to('hr-ops@example.com'), (list) => list.length >= 3);
    expect(all[2].subject).toMatch(/— Error while processing: /);
    expect(all[2].text).toContain('Reason: ');
  });

  it('invites new people in their language, and pending people again; an activated person is not pending', async () => {
    const api = new Api(app.baseUrl, await app.createKey('notify-invites'));
    const csv = 'externalId,email,displayName,language\nI1,ina@example.com,Ina,de\nI2,ivo@example.com,Ivo,\nI3,,Ida,fr\n';
    await imported(api, csv, { invite: { newUsers: true } });
    await until(() => to('@example.com').filter((m) => /ina@|ivo@/.test(JSON.stringify(m.to))), (list) => list.length >= 2);
    expect(to('ina@example.com')[0]).toMatchObject({ subject: 'Einladung zu notify-invites' });
    expect(to('ina@example.com')[0].text).toContain('Hallo Ina');
    expect(to('ivo@example.com')[0]).toMatchObject({ subject: 'You are invited to notify-invites' });
    expect((await api.get('/v1/users/I1')).body).toMatchObject({ pending: true });

    const activated = await api.post('/v1/users/I1/activate', {});
    expect(activated).toMatchObject({ status: 200, body: { pending: false } });
    expect((await api.post('/v1/users/nobody/activate', {})).status).toBe(404);

    // Pending people in the next file are invited again; the activated one is not; nobody new is created.
    const again = await imported(api, csv.replace('Ivo,', 'Ivo V,'), { invite: { pendingUsers: true } });
    expect(again.state).toBe('COMPLETED');
    await until(() => to('ivo@example.com'), (list) => list.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(to('ina@example.com')).toHaveLength(1);
    expect(to('ivo@example.com')).toHaveLength(2);
  });

  it('makes a recovery code for each created person without an e-mail, stored hashed, handed out once', async () => {
    const api = new Api(app.baseUrl, await app.createKey('notify-codes'));
    const done = await imported(api, 'externalId,email,displayName\nC1,,Cem\nC2,,Cleo\nC3,c3@example.com,Cora\n', { recoveryCodes: true });
    expect(done.state).toBe('COMPLETED');
    const download = async () => api.text(`/v1/imports/${done.id}/recovery-codes.csv`);
    // The codes are made by the follow-up job the completion queued: until all are made, 409.
    let first = await download();
    for (let i = 0; i < 100 && first.status === 409; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      first = await download();
    }
    expect(first.status).toBe(200);
    const lines = first.text.trim().split('\r\n');
    expect(lines[0]).toBe('"externalId","displayName","firstName","lastName","recoveryCode"');
    const codes = lines.slice(1).map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
    expect(codes.map((row) => row[0])).toEqual(['C1', 'C2']);
    const box = app.app.get<SecretBox>(SECRET_BOX);
    for (const [externalId, , , , code] of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      const [{ id, hash }] = await app.db.query<{ id: string; hash: string }>(
        `SELECT id, recovery_code_hash AS hash FROM users WHERE external_id = $1 AND workspace_id = (SELECT id FROM workspaces WHERE name = 'notify-codes')`,
        [externalId],
      );
      // Stored keyed and bound to the person: not the bare SHA-256 of the code.
      expect(hash).toBe(box.mac('recovery-code', `${id}:${code.replace(/-/g, '')}`));
      expect(hash).not.toBe(createHash('sha256').update(code.replace(/-/g, '')).digest('hex'));
    }
    const [{ stored }] = await app.db.query<{ stored: number }>(`SELECT count(*)::int AS stored FROM recovery_codes WHERE import_id = $1`, [done.id]);
    expect(stored).toBe(0);
    const second = await download();
    expect(second.status).toBe(410);
    // Who took them is in the audit log, with how many; no code is.
    const audit = await api.get<{ items: { action: string; actor: string; targetId: string; details: unknown }[] }>('/v1/audit?action=import.recovery-codes-downloaded');
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: 'test-admin', targetId: done.id, details: { codes: 2 } })]);
    const everything = JSON.stringify(await app.db.query(`SELECT * FROM audit_log WHERE target_id = $1`, [done.id]));
    for (const [, , , , code] of codes) expect(everything).not.toContain(code);
  });

  it('counts in the audit log only the codes the download hands out: not one of a person deleted since', async () => {
    const api = new Api(app.baseUrl, await app.createKey('notify-codes-deleted'));
    const done = await imported(api, 'externalId,displayName\nD1,Dana\nD2,Dario\n', { recoveryCodes: true });
    await until(async () => (await app.db.query<{ ready: Date | null }>('SELECT recovery_codes_ready_at AS ready FROM imports WHERE id = $1', [done.id]))[0].ready, (ready) => ready !== null);
    expect((await imported(api, 'externalId,delete\nD2,y\n', {})).counts).toMatchObject({ delete: 1 });
    const download = await api.text(`/v1/imports/${done.id}/recovery-codes.csv`);
    expect(download.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[0])).toEqual(['"D1"']);
    const audit = await api.get<{ items: { details: unknown }[] }>('/v1/audit?action=import.recovery-codes-downloaded');
    expect(audit.body.items).toEqual([expect.objectContaining({ details: { codes: 1 } })]);
  });
});
