import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Job } from 'pg-boss';
import type { NotifyJobData } from '../../jobs/queues.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { ERRORS_CSV_HEADER, csvLine } from '../imports/errors-csv.js';
import type { ImportRecord, ImportRef } from '../imports/import-record.js';
import { statusLabel } from '../imports/import-status.js';
import { keyJoin } from '../planning/mapped-fields.js';
import { ImportsRepository } from '../imports/imports.repository.js';
import { PreviewRepository } from '../imports/preview.repository.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { SECRET_BOX } from '../secrets/secrets.tokens.js';
import { invitation } from './invitation-text.js';
import { Mailer } from './mailer.js';

const BATCH = 500;
const STATE_OF = { 'import.completed': 'COMPLETED', 'import.failed': 'FAILED', 'import.waiting_for_approval': 'PREVIEW_READY' } as const;
/** The errors CSV attached to a report stops here (the whole file is at GET …/errors.csv). */
const ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** A code for a person without e-mail: 12 characters of Crockford base32 in three groups, 60 bits. */
export function recoveryCode(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(12);
  const chars = [...bytes].map((byte) => alphabet[byte & 31]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/** How a code is stored: keyed by the deployment's secret key and bound to its person (no offline guessing). */
export function recoveryCodeHash(box: SecretBox, userId: string, code: string): string {
  return box.mac('recovery-code', `${userId}:${code.replace(/-/g, '').toUpperCase()}`);
}

/**
 * What follows an import: after it completes, recovery codes for the people it created without
 * an e-mail and invitations (new people, and pending people in the file); and a report to the
 * config's recipients when it completes, fails or waits for approval. Every step records what it
 * did (a code's hash, a person's invitation time, a report per event), so a retried job goes on
 * where the last one stopped instead of doing it twice.
 */
@Injectable()
export class ImportFollowup {
  private readonly logger = new Logger('notifications');

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly db: Database,
    private readonly imports: ImportsRepository,
    private readonly preview: PreviewRepository,
    private readonly mailer: Mailer,
  ) {}

  async run(job: Job<NotifyJobData>): Promise<void> {
    const ref: ImportRef = { workspaceId: job.data.workspaceId, importId: job.data.importId };
    const record = await this.imports.find(ref);
    if (!record) return;
    const { config } = record;
    if (job.data.event === 'import.completed') {
      if (config.recoveryCodes) await this.recoveryCodes(record);
      if (config.invite.newUsers || config.invite.pendingUsers) await this.invite(record);
    }
    if (config.notify.email.length) await this.report(record, job.data.event);
  }

  /** One code per created person without an e-mail, stored hashed on the person and sealed until handed out. */
  private async recoveryCodes(record: ImportRecord): Promise<void> {
    for (;;) {
      const made = await this.db.transaction(async (tx) => {
        const people = await tx.query<{ id: string }>(
          `SELECT u.id FROM import_changes c JOIN users u ON u.workspace_id = c.workspace_id AND u.id = c.user_id
            WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.op = 'create' AND u.email IS NULL AND u.recovery_code_hash IS NULL
            ORDER BY u.id LIMIT ${BATCH} FOR UPDATE OF u`,
          [record.workspaceId, record.importId],
        );
        if (!people.length) return 0;
        // Two statements per batch, not two per person.
        const ids = people.map((person) => person.id);
        const codes = ids.map(() => recoveryCode());
        await tx.query(
          `UPDATE users u SET recovery_code_hash = v.hash FROM unnest($2::bigint[], $3::text[]) AS v(id, hash) WHERE u.workspace_id = $1 AND u.id = v.id`,
          [record.workspaceId, ids, ids.map((id, i) => recoveryCodeHash(this.box, id, codes[i]))],
        );
        await tx.query(
          `INSERT INTO recovery_codes (workspace_id, import_id, user_id, code) SELECT $1, $2, v.id, v.code FROM unnest($3::bigint[], $4::text[]) AS v(id, code)`,
          [record.workspaceId, record.importId, ids, ids.map((id, i) => this.box.seal({ code: codes[i] }, `recovery:${record.workspaceId}:${record.importId}:${id}`))],
        );
        return people.length;
      });
      if (made < BATCH) break;
    }
    await this.db.query('UPDATE imports SET recovery_codes_ready_at = coalesce(recovery_codes_ready_at, now()) WHERE workspace_id = $1 AND id = $2', [record.workspaceId, record.importId]);
  }

  private async invite(record: ImportRecord): Promise<void> {
    if (!this.mailer.configured) {
      this.logger.warn({ importId: record.importId }, 'invitations asked for, but SMTP_URL is not set: none sent');
      return;
    }
    const [{ name: workspace }] = await this.db.query<{ name: string }>('SELECT name FROM workspaces WHERE id = $1', [record.workspaceId]);
    for (let after = '0'; ; ) {
      const people = await this.db.query<{ id: string; email: string; name: string; language: string | null }>(
        `SELECT u.id, u.email, coalesce(u.display_name, nullif(concat_ws(' ', u.first_name, u.last_name), ''), u.email) AS name, u.language
           FROM users u
          WHERE u.workspace_id = $1 AND u.id > $6 AND u.email IS NOT NULL AND u.activated_at IS NULL AND u.status = 'active'
            AND (u.invited_at IS NULL OR u.invited_at < $3)
            AND (($4 AND EXISTS (SELECT 1 FROM import_changes c WHERE c.workspace_id = $1 AND c.import_id = $2 AND c.op = 'create' AND c.user_id = u.id))
              OR ($5 AND EXISTS (SELECT 1 FROM staged_rows s WHERE s.workspace_id = $1 AND s.import_id = $2 AND ${keyJoin(record.config.key)})))
          ORDER BY u.id LIMIT ${BATCH}`,
        [record.workspaceId, record.importId, record.createdAt, record.config.invite.newUsers, record.config.invite.pendingUsers, after],
      );
      for (const person of people) {
        const message = invitation(person.language, person.name, workspace);
        await this.mailer.send({ to: person.email, subject: message.subject, text: message.text, headers: { 'Content-Language': message.language } });
        await this.db.query('UPDATE users SET invited_at = now() WHERE workspace_id = $1 AND id = $2', [record.workspaceId, person.id]);
        after = person.id;
      }
      if (people.length < BATCH) return;
    }
  }

  private async report(record: ImportRecord, event: NotifyJobData['event']): Promise<void> {
    // One report per time the import entered the state (a second hold or failure is reported too);
    // none when it has moved on since (the report would describe another state).
    const state = STATE_OF[event];
    if (record.state !== state) return;
    const occurrence = `${event}@${record.stateTimes[state]}`;
    const [{ notified }] = await this.db.query<{ notified: Record<string, string> }>('SELECT notified FROM imports WHERE workspace_id = $1 AND id = $2', [record.workspaceId, record.importId]);
    if (notified[occurrence]) return;
    if (!this.mailer.configured) {
      this.logger.warn({ importId: record.importId }, 'a report is asked for, but SMTP_URL is not set: none sent');
      return;
    }
    const status = statusLabel(record);
    const { counts, applied } = record;
    const link = `${this.env.publicUrl}/v1/imports/${record.importId}`;
    const lines = [
      `Import of ${record.file.name}: ${status}`,
      '',
      event === 'import.completed'
        ? `Applied: ${applied.create} created, ${applied.update} updated, ${applied.deactivate} deactivated, ${applied.delete} deleted; ${counts.unchanged} unchanged; ${counts.error} line errors.`
        : `Planned: ${counts.create} to create, ${counts.update} to update, ${counts.deactivate} to deactivate, ${counts.delete} to delete; ${counts.error} line errors.`,
      ...(event === 'import.waiting_for_approval' ? ['', 'It waits for approval because:', ...(record.approval?.reasons ?? []).map((r) => `- ${r.message}`)] : []),
      ...(event === 'import.failed' ? ['', `Reason: ${record.failureReason}`] : []),
      '',
      `Details: ${link}`,
      `Requested by ${record.requestedBy}.`,
    ];
    const attachments = counts.error > 0 ? [{ filename: `import-${record.importId}-errors.csv`, content: await this.errorsCsv(record), contentType: 'text/csv; charset=utf-8' }] : [];
    await this.mailer.send({ to: record.config.notify.email, subject: `rostersync: ${record.file.name} — ${status}`, text: lines.join('\n'), attachments });
    await this.db.query(`UPDATE imports SET notified = notified || jsonb_build_object($3::text, now()) WHERE workspace_id = $1 AND id = $2`, [record.workspaceId, record.importId, occurrence]);
  }

  private async errorsCsv(record: ImportRecord): Promise<string> {
    let csv = ERRORS_CSV_HEADER;
    for (let page = 1; ; page++) {
      const rows = await this.preview.errors(record, page, 1000);
      for (const row of rows) {
        const line = csvLine(row);
        if (csv.length + line.length > ATTACHMENT_BYTES) return `${csv}${csvLine(['', '', 'TRUNCATED', `the report is cut here: the whole list is at ${this.env.publicUrl}/v1/imports/${record.importId}/errors.csv`, ''])}`;
        csv += line;
      }
      if (rows.length < 1000) return csv;
    }
  }
}
