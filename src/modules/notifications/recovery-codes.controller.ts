import { Controller, Get, Inject, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Database } from '../database/database.js';
import { ApiCsv, ApiErrors } from '../http/api-docs.js';
import { GoneError, NotFoundError, NotReadyError } from '../http/domain-errors.js';
import { csvLine } from '../imports/errors-csv.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { SECRET_BOX } from '../secrets/secrets.tokens.js';

const importId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Import not found.') });

/**
 * The recovery codes an import made (config `recoveryCodes`), handed out once: the download
 * deletes them in the same transaction; a second one is 410 Gone.
 */
@Controller('v1/imports')
export class RecoveryCodesController {
  constructor(
    private readonly db: Database,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  @Get(':id/recovery-codes.csv')
  @AdminOnly()
  @ApiOperation({ summary: 'The recovery codes a completed import made, as CSV, once (the download deletes them)' })
  @ApiCsv('externalId, displayName, firstName, lastName and recoveryCode of each person created without an e-mail.', 'externalId,displayName,firstName,lastName,recoveryCode\r\n1003,Grace H,Grace,Hopper,…\r\n')
  @ApiErrors({
    404: 'no such import, it was not asked to make recovery codes (config recoveryCodes), or it has not completed.',
    409: 'not_ready: the codes are being made; ask again in a few seconds.',
    410: 'they were downloaded already (they are handed out once).',
    503: 'not_configured: the codes cannot be decrypted (ROSTERSYNC_SECRET_KEY missing or changed).',
  })
  async download(@CurrentPrincipal() principal: Principal, @Param('id', importId) id: string, @Res() response: Response): Promise<void> {
    const ws = principal.workspaceId;
    const csv = await this.db.transaction(async (tx) => {
      const [record] = await tx.query<{ state: string; recoveryCodes: boolean; takenAt: Date | null; readyAt: Date | null }>(
        `SELECT state, coalesce((config->>'recoveryCodes')::boolean, false) AS "recoveryCodes", recovery_codes_taken_at AS "takenAt", recovery_codes_ready_at AS "readyAt"
           FROM imports WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
        [ws, id],
      );
      if (!record) throw new NotFoundError('Import not found.');
      if (record.takenAt) throw new GoneError(`The recovery codes of this import were downloaded at ${record.takenAt.toISOString()}; they are handed out once.`);
      if (!record.recoveryCodes) throw new NotFoundError('This import was not asked to make recovery codes (config recoveryCodes).');
      if (record.state !== 'COMPLETED') throw new NotFoundError(`The import is ${record.state}: its recovery codes are made once it completes.`);
      if (!record.readyAt) throw new NotReadyError('The recovery codes are being made: ask again in a few seconds.');
      const codes = await tx.query<{ userId: string; code: string; externalId: string | null; displayName: string | null; firstName: string | null; lastName: string | null }>(
        `SELECT r.user_id AS "userId", r.code, u.external_id AS "externalId", u.display_name AS "displayName", u.first_name AS "firstName", u.last_name AS "lastName"
           FROM recovery_codes r JOIN users u ON u.workspace_id = r.workspace_id AND u.id = r.user_id
          WHERE r.workspace_id = $1 AND r.import_id = $2 ORDER BY u.external_id, u.id`,
        [ws, id],
      );
      // Marked before the codes go: the audit log's trigger counts them (never records one).
      await tx.query('UPDATE imports SET recovery_codes_taken_at = now() WHERE workspace_id = $1 AND id = $2', [ws, id]);
      await tx.query('DELETE FROM recovery_codes WHERE workspace_id = $1 AND import_id = $2', [ws, id]);
      const lines = codes.map((row) => {
        const { code } = this.box.open<{ code: string }>(row.code, `recovery:${ws}:${id}:${row.userId}`);
        return csvLine([row.externalId ?? '', row.displayName ?? '', row.firstName ?? '', row.lastName ?? '', code]);
      });
      return csvLine(['externalId', 'displayName', 'firstName', 'lastName', 'recoveryCode']) + lines.join('');
    });
    response.status(200).type('text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="import-${id}-recovery-codes.csv"`);
    response.setHeader('Cache-Control', 'no-store');
    response.end(csv);
  }
}
