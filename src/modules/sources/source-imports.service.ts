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
  /** A scheduled run: skip a file equal to the last one imported, and start the import at once. */
  schedule?: { id: string; onCreated(tx: Tx, importId: string, file: RemoteFile): Promise<void> };
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

  async pull(request: PullRequest): Promise<PullOutcome> {
    const ws = request.workspaceId;
    const source = await this.sources.findWithSecrets(ws, request.sourceId);
    if (!source) throw new NotFoundError('Source not found.');
    const profile = await this.profiles.find(ws, request.profileId);
    if (!profile) throw new ValidationError(`No profile ${request.profileId} in this workspace.`, [{ field: 'profileId', message: 'not found: see GET /v1/profiles' }]);
    await this.settings.assertImportAllowed(ws);
    return this.pulls.download<{ outcome: 'imported'; importId: string; file: RemoteFile } | { outcome: 'unchanged'; file: RemoteFile; sha256: string }>(source, async (download) => {
      if (request.schedule && download.sha256 === (await this.lastImportedSha256(ws, source.id))) {
        return { used: false, result: { outcome: 'unchanged', file: download.file, sha256: download.sha256 } };
      }
      const importId = await this.db.transaction(async (tx) => {
        const stored = await this.files.put(tx, ws, download.file.name, download.bytes(), this.env.maxDownloadBytes);
        const file = await storeAsUtf8(this.files, tx, ws, stored, profile.config.parsing.encoding, this.env.maxDownloadBytes);
        const id = await this.imports.insert(tx, {
          workspaceId: ws,
          fileId: file.id,
          config: profile.config,
          profileId: profile.id,
          requestedBy: request.requestedBy,
          requestedByKey: request.requestedByKey,
          idempotencyKey: null,
          initial: initialImport(),
          pulled: { sourceId: source.id, scheduleId: request.schedule?.id ?? null, sha256: download.sha256 },
        });
        if (request.schedule) {
          const ref: ImportRef = { workspaceId: ws, importId: id };
          await this.driver.sendWithin(tx, ref, { type: 'REQUEST_IMPORT' });
          await request.schedule.onCreated(tx, id, download.file);
        }
        return id;
      });
      return { used: true, result: { outcome: 'imported', importId, file: download.file } };
    }) as Promise<PullOutcome>;
  }

  /** The sha256 of the file last pulled from the source into an import that did not fail. */
  private async lastImportedSha256(workspaceId: string, sourceId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ sha: string }>(
      `SELECT fetched_sha256 AS sha FROM imports
        WHERE workspace_id = $1 AND source_id = $2 AND state <> 'FAILED' AND fetched_sha256 IS NOT NULL
        ORDER BY created_at DESC LIMIT 1`,
      [workspaceId, sourceId],
    );
    return row?.sha;
  }
}
