import { Inject, Injectable } from '@nestjs/common';
import { initialImport } from '../../state/import-snapshot.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { storeAsUtf8 } from '../files/file-encoding.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import { NotFoundError, ValidationError } from '../http/domain-errors.js';
import { ImportDriver } from '../imports/import-driver.js';
import type { ImportRef } from '../imports/import-record.js';
import { ImportsRepository } from '../imports/imports.repository.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { WorkspaceSettingsRepository } from '../settings/workspace-settings.repository.js';
import type { Tx } from '../database/database.js';
import { pgErrorCode } from '../database/pg-error-code.js';
import type { Principal } from '../auth/principal.js';
import { SourcePulls } from './source-pulls.service.js';
import type { RemoteFile } from './source-connection.js';
import { SourcesRepository } from './sources.repository.js';

export interface PullRequest {
  workspaceId: string;
  sourceId: string;
  profileId: string;
  /** Who asked: an API key's name, or the schedule. */
  requestedBy: string;
  requestedByKey: string | null;
  /** A client's Idempotency-Key: a retried request returns the import the first one made. */
  idempotencyKey?: string;
  /** A scheduled run: skip a file equal to the last one imported, and start the import at once. */
  schedule?: { id: string; onCreated(tx: Tx, importId: string, file: RemoteFile): Promise<void> };
}

export interface PulledNow {
  importId: string;
  /** False when an Idempotency-Key matched an import made before (nothing was pulled). */
  created: boolean;
  pulled: { file: RemoteFile; afterImport: string | null } | null;
}

export type PullOutcome =
  | { outcome: 'imported'; importId: string; file: RemoteFile; afterImport: string | null }
  | { outcome: 'unchanged'; file: RemoteFile; sha256: string; afterImport: null };

/**
 * Creates imports from sources: the file is pulled, stored (converted to UTF-8 once, hashed) and
 * an import made of it in one transaction, as an upload is; the import never reads the source again.
 */
@Injectable()
export class SourceImports {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(FILE_STORE) private readonly files: FileStore,
    private readonly db: Database,
    private readonly sources: SourcesRepository,
    private readonly profiles: ProfilesRepository,
    private readonly imports: ImportsRepository,
    private readonly driver: ImportDriver,
    private readonly settings: WorkspaceSettingsRepository,
    private readonly pulls: SourcePulls,
  ) {}

  /**
   * "Sync now" for a client: pulls and creates an import in DRAFT. With an Idempotency-Key seen
   * before, returns that import without pulling again (`created: false`).
   */
  async pullNow(principal: Principal, sourceId: string, profileId: string, idempotencyKey?: string): Promise<PulledNow> {
    const ws = principal.workspaceId;
    const earlier = async () => (idempotencyKey ? this.imports.findIdByIdempotencyKey(ws, idempotencyKey) : undefined);
    const existing = await earlier();
    if (existing) return { importId: existing, created: false, pulled: null };
    try {
      const outcome = await this.pull({ workspaceId: ws, sourceId, profileId, requestedBy: principal.keyName, requestedByKey: principal.keyId, idempotencyKey });
      if (outcome.outcome !== 'imported') throw new Error('a pull that is not scheduled always imports');
      return { importId: outcome.importId, created: true, pulled: { file: outcome.file, afterImport: outcome.afterImport } };
    } catch (error) {
      // Two requests with one key at once: the loser returns the winner's import.
      const winner = pgErrorCode(error) === '23505' ? await earlier() : undefined;
      if (winner) return { importId: winner, created: false, pulled: null };
      throw error;
    }
  }

  async pull(request: PullRequest): Promise<PullOutcome> {
    const ws = request.workspaceId;
    const source = await this.sources.findWithSecrets(ws, request.sourceId);
    if (!source) throw new NotFoundError('Source not found.');
    const profile = await this.profiles.find(ws, request.profileId);
    if (!profile) throw new ValidationError(`No profile ${request.profileId} in this workspace.`, [{ field: 'profileId', message: 'not found: see GET /v1/profiles' }]);
    await this.settings.assertImportAllowed(ws);
    return this.pulls.download<{ outcome: 'imported'; importId: string; file: RemoteFile } | { outcome: 'unchanged'; file: RemoteFile; sha256: string }>(source, async (download) => {
      const unchanged = { used: false, result: { outcome: 'unchanged' as const, file: download.file, sha256: download.sha256 } };
      if (request.schedule && download.sha256 === (await this.lastImportedSha256(this.db, ws, source.id))) return unchanged;
      const importId = await this.db.transaction(async (tx) => {
        if (request.schedule) {
          // Two runs pulling the same source at once: the second sees the first's import here.
          await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`source:${ws}:${source.id}`]);
          if (download.sha256 === (await this.lastImportedSha256(tx, ws, source.id))) return undefined;
        }
        const stored = await this.files.put(tx, ws, download.file.name, download.bytes(), this.env.maxDownloadBytes);
        const file = await storeAsUtf8(this.files, tx, ws, stored, profile.config.parsing.encoding, this.env.maxDownloadBytes);
        const id = await this.imports.insert(tx, {
          workspaceId: ws,
          fileId: file.id,
          config: profile.config,
          profileId: profile.id,
          requestedBy: request.requestedBy,
          requestedByKey: request.requestedByKey,
          idempotencyKey: request.idempotencyKey ?? null,
          initial: initialImport(),
          pulled: { sourceId: source.id, scheduleId: request.schedule?.id ?? null, sha256: download.sha256 },
        });
        if (request.schedule) {
          const ref: ImportRef = { workspaceId: ws, importId: id };
          await this.driver.sendWithin(tx, ref, { type: 'REQUEST_IMPORT' }, undefined, { actor: request.requestedBy });
          await request.schedule.onCreated(tx, id, download.file);
        }
        return id;
      });
      if (importId === undefined) return unchanged;
      return { used: true, result: { outcome: 'imported', importId, file: download.file } };
    }) as Promise<PullOutcome>;
  }

  /**
   * The sha256 of the file last pulled from the source into an import that completed or is under
   * way (a DRAFT nobody started, a cancelled or a failed import does not count).
   */
  private async lastImportedSha256(db: Pick<Tx, 'query'>, workspaceId: string, sourceId: string): Promise<string | undefined> {
    const [row] = await db.query<{ sha: string }>(
      `SELECT fetched_sha256 AS sha FROM imports
        WHERE workspace_id = $1 AND source_id = $2 AND fetched_sha256 IS NOT NULL AND state NOT IN ('DRAFT', 'CANCELLED', 'FAILED')
        ORDER BY created_at DESC LIMIT 1`,
      [workspaceId, sourceId],
    );
    return row?.sha;
  }
}
