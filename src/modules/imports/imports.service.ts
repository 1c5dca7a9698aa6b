import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { ImportEvent } from '../../state/import.machine.js';
import { allowedEvents, initialImport } from '../../state/import-snapshot.js';
import type { Principal } from '../auth/principal.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { pgErrorCode } from '../database/pg-error-code.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import { readMultipart } from '../files/multipart-upload.js';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../http/domain-errors.js';
import { storeAsUtf8 } from '../files/file-encoding.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { sampleStream, type FileSample } from '../staging/file-sample.js';
import { WorkspaceSettingsRepository } from '../settings/workspace-settings.repository.js';
import { parseWorkspaceConfig } from './dto/import-config.dto.js';
import type { RequestableState } from './dto/import-requests.dto.js';
import type { ImportConfig } from './import-config.js';
import { awaitsApproval } from '../approval/approval-gates.js';
import { ApprovalRepository } from '../approval/approval.repository.js';
import { ImportDriver } from './import-driver.js';
import { ImportEventsRepository } from './import-events.repository.js';
import type { ImportRecord, ImportRef } from './import-record.js';
import { purgedError } from './purged-error.js';
import { ImportsRepository } from './imports.repository.js';

/** The requests a client can make of an import, as the event each one sends. */
const REQUESTS: { event: ImportEvent; label: string }[] = [
  { event: { type: 'REQUEST_PREVIEW' }, label: 'PATCH state=PREVIEW_PENDING' },
  { event: { type: 'REQUEST_IMPORT' }, label: 'PATCH state=IMPORT_PENDING' },
  { event: { type: 'CANCEL' }, label: 'PATCH state=CANCELLED' },
  { event: { type: 'CHANGE_CONFIG' }, label: 'PUT config' },
];

const EVENT_FOR_STATE: Record<RequestableState, ImportEvent> = {
  PREVIEW_PENDING: { type: 'REQUEST_PREVIEW' },
  IMPORT_PENDING: { type: 'REQUEST_IMPORT' },
  CANCELLED: { type: 'CANCEL' },
};

export interface Created {
  record: ImportRecord;
  /** False when an Idempotency-Key matched an import made before. */
  created: boolean;
}

@Injectable()
export class ImportsService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(FILE_STORE) private readonly files: FileStore,
    private readonly db: Database,
    private readonly imports: ImportsRepository,
    private readonly driver: ImportDriver,
    private readonly customFields: CustomFieldsRepository,
    private readonly profiles: ProfilesRepository,
    private readonly settings: WorkspaceSettingsRepository,
    private readonly approvals: ApprovalRepository,
    private readonly history: ImportEventsRepository,
  ) {}

  /** A config from a request, checked against the workspace's custom fields too. */
  private async config(workspaceId: string, input: unknown): Promise<ImportConfig> {
    return parseWorkspaceConfig(input, await this.customFields.list(workspaceId));
  }

  /** The config of an upload: inline, or copied from a saved profile (`profileId`). */
  private async uploadConfig(workspaceId: string, fields: Record<string, string>): Promise<{ config: ImportConfig; profileId: string | null }> {
    const profileId = fields.profileId?.trim();
    if (!profileId) return { config: await this.config(workspaceId, fields.config), profileId: null };
    if (fields.config?.trim()) {
      throw new ValidationError('Send either config or profileId, not both.', [{ field: 'config', message: 'remove it to use the profile, or remove profileId' }]);
    }
    const profile = UUID.test(profileId) ? await this.profiles.find(workspaceId, profileId) : undefined;
    if (!profile) throw new ValidationError(`No profile ${profileId} in this workspace.`, [{ field: 'profileId', message: 'not found: see GET /v1/profiles' }]);
    return { config: profile.config, profileId: profile.id };
  }

  /** Stores the uploaded file and creates the import in DRAFT, all in one transaction. */
  async create(principal: Principal, request: Request, idempotencyKey: string | undefined): Promise<Created> {
    const ws = principal.workspaceId;
    if (idempotencyKey) {
      const existing = await this.imports.findIdByIdempotencyKey(ws, idempotencyKey);
      if (existing) {
        request.resume();
        return { record: await this.get({ workspaceId: ws, importId: existing }), created: false };
      }
    }
    try {
      await this.settings.assertImportAllowed(ws);
    } catch (error) {
      request.resume();
      throw error;
    }
    try {
      const importId = await this.db.transaction(async (tx) => {
        const upload = await readMultipart(request, this.env.maxUploadBytes, (name, bytes) =>
          this.files.put(tx, ws, name, bytes, this.env.maxUploadBytes),
        );
        if (!upload.file) {
          throw new ValidationError('The request has no file: send the CSV as the multipart part "file".', [{ field: 'file', message: 'required' }]);
        }
        const { config, profileId } = await this.uploadConfig(ws, upload.fields);
        const file = await storeAsUtf8(this.files, tx, ws, upload.file.stored, config.parsing.encoding, this.env.maxUploadBytes);
        return this.imports.insert(tx, {
          workspaceId: ws,
          fileId: file.id,
          config,
          profileId,
          requestedBy: principal.keyName,
          requestedByKey: principal.keyId,
          idempotencyKey: idempotencyKey ?? null,
          initial: initialImport(),
        });
      });
      return { record: await this.get({ workspaceId: ws, importId }), created: true };
    } catch (error) {
      // Two requests with one Idempotency-Key at once: the loser returns the winner's import.
      const existing = idempotencyKey && isUniqueViolation(error) ? await this.imports.findIdByIdempotencyKey(ws, idempotencyKey) : undefined;
      if (existing) return { record: await this.get({ workspaceId: ws, importId: existing }), created: false };
      throw error;
    }
  }

  async get(ref: ImportRef): Promise<ImportRecord> {
    const record = await this.imports.find(ref);
    if (!record) throw new NotFoundError(`Import ${ref.importId} not found.`);
    return record;
  }

  list(workspaceId: string, state: ImportRecord['state'] | undefined, page: number, pageSize: number) {
    return this.imports.list(workspaceId, state, page, pageSize);
  }

  /** PUT config: allowed in DRAFT and PREVIEW_READY; the import goes back to DRAFT. */
  async replaceConfig(principal: Principal, ref: ImportRef, input: unknown): Promise<ImportRecord> {
    const config = await this.config(ref.workspaceId, input);
    const outcome = await this.driver.send(
      ref,
      { type: 'CHANGE_CONFIG' },
      async (tx, before) => {
        // Lines already applied are counted by the plan's positions: a new config would skip some.
        if (before.applyStartedAt) throw new IllegalStateError(ref.importId, before.state, 'PUT config (it has started applying)', ['PATCH state=IMPORT_PENDING', 'PATCH state=CANCELLED']);
        if (before.config.approval.fourEyes && !config.approval.fourEyes) {
          throw new ValidationError('config is invalid: approval.fourEyes cannot be turned off on an import that has it', [{ field: 'approval.fourEyes', message: 'keep it true, or make a new import' }]);
        }
        await this.imports.replaceConfig(tx, ref, config, principal.keyId);
      },
      { actor: principal.keyName },
    );
    if (!outcome.result.accepted) throw this.illegal(outcome.before, 'PUT config');
    return this.get(ref);
  }

  /**
   * PATCH state: preview, import, or cancel. On an import waiting for approval, IMPORT_PENDING
   * approves and CANCELLED rejects it: the decision (who, when, the comment) is recorded with the
   * state change, and with `approval.fourEyes` the key that created the import cannot approve it.
   */
  async request(principal: Principal, ref: ImportRef, state: RequestableState, comment: string | null = null): Promise<ImportRecord> {
    // Starting an import is where the workspace's minimum interval counts (a DRAFT may be old).
    if (state === 'IMPORT_PENDING') await this.settings.assertImportAllowed(ref.workspaceId);
    const actor = principal.keyName;
    const outcome = await this.driver.send(
      ref,
      EVENT_FOR_STATE[state],
      async (tx, before) => {
        if (!awaitsApproval(before) || state === 'PREVIEW_PENDING') return;
        if (state === 'IMPORT_PENDING' && before.config.approval.fourEyes && (before.requestedByKey === principal.keyId || before.configEditors.includes(principal.keyId))) {
          throw new ForbiddenError('This import needs four eyes (approval.fourEyes): another API key than the one that created it or changed its config must approve it.');
        }
        const kind = state === 'IMPORT_PENDING' ? 'approved' : 'rejected';
        await this.approvals.decide(tx, ref, { kind, by: actor, keyId: principal.keyId, at: new Date().toISOString(), comment, plannedAt: before.plannedAt });
        await this.history.append(tx, ref, { type: kind, actor, comment, details: { reasons: before.approval!.reasons } });
      },
      { actor, comment },
    );
    if (!outcome.result.accepted) throw this.illegal(outcome.before, `PATCH state=${state}`);
    return this.get(ref);
  }

  async sample(ref: ImportRef): Promise<FileSample> {
    const record = await this.get(ref);
    if (record.purgedAt) throw purgedError(record.purgedAt, 'its stored file was');
    // The stored copy is UTF-8 whatever the upload's encoding was.
    const stored = { ...record.config, parsing: { ...record.config.parsing, encoding: 'utf-8' as const } };
    const sample = await sampleStream(this.files.open(ref.workspaceId, record.file.id, 0), stored, await this.customFields.list(ref.workspaceId));
    return { ...sample, encoding: record.config.parsing.encoding === 'auto' ? sample.encoding : record.config.parsing.encoding };
  }

  events(ref: ImportRef) {
    return this.history.list(ref);
  }

  private illegal(record: ImportRecord, request: string): IllegalStateError {
    const allowed = allowedEvents(record.persisted, REQUESTS.map((r) => r.event));
    const labels = REQUESTS.filter((r) => allowed.includes(r.event)).map((r) => r.label);
    return new IllegalStateError(record.importId, record.state, request, labels);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUniqueViolation(error: unknown): boolean {
  return pgErrorCode(error) === '23505';
}
