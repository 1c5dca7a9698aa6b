import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ImportState } from '../../state/import.machine.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { ASYNC_COMMIT, Database, type Tx } from '../database/database.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import type { ImportRecord, ImportRef } from '../imports/import-record.js';
import { ImportsRepository } from '../imports/imports.repository.js';
import { Metrics } from '../metrics/metrics.js';
import { readHeader } from './header-reader.js';
import { ParseThread } from './parse-thread.js';
import { FatalImportError, ImportInterrupted, WorkerStopping } from './pipeline-errors.js';
import { StagingRepository } from './staging.repository.js';

/**
 * Stage: reads the stored file from its checkpoint, maps and checks each record, and writes staged
 * rows and line errors in batches, each batch in one transaction with the checkpoint it reaches.
 */
@Injectable()
export class Stager {
  private readonly logger = new Logger('staging');

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(FILE_STORE) private readonly files: FileStore,
    private readonly db: Database,
    private readonly imports: ImportsRepository,
    private readonly staging: StagingRepository,
    private readonly customFields: CustomFieldsRepository,
    private readonly metrics: Metrics,
  ) {}

  async stage(ref: ImportRef, running: ImportState[], attempt: string, stopping: () => boolean): Promise<void> {
    let current = await this.mustFind(ref);
    if (current.stagedAt) return;
    if (!current.headers) {
      const start = await readHeader(this.files, current, await this.customFields.list(ref.workspaceId), this.env);
      await this.db.transaction(async (tx) => {
        await this.claim(tx, ref, running, attempt, 0);
        await this.staging.start(tx, ref, start);
        await this.staging.writeErrors(tx, ref, start.errors, 'stage');
        if (start.empty) await this.staging.saveCheckpoint(tx, ref, { bytes: start.bytes, lines: start.lines }, 0, true);
      });
      if (start.empty) return;
      current = await this.mustFind(ref);
    }
    this.logger.log({ workspaceId: ref.workspaceId, importId: ref.importId, fromByte: current.stagedBytes, fromLine: current.stagedLines + 1 }, 'staging');
    await this.readFrom(current, running, attempt, stopping);
  }

  /**
   * Parses in a worker thread while this thread commits: batch k+1 is being parsed while batch k
   * is written. Batches commit strictly in order, each with the checkpoint it reaches.
   */
  private async readFrom(current: ImportRecord, running: ImportState[], attempt: string, stopping: () => boolean): Promise<void> {
    const ref: ImportRef = { workspaceId: current.workspaceId, importId: current.importId };
    const source = this.files.open(ref.workspaceId, current.file.id, current.stagedBytes)[Symbol.asyncIterator]();
    const thread = new ParseThread(
      {
        ...ref,
        delimiter: current.delimiter!,
        fromByte: current.stagedBytes,
        fromLine: current.stagedLines + 1,
        headers: current.headers!,
        mapping: current.resolvedMapping!,
        key: current.config.key,
        batchSize: this.env.batchSize,
        maxLineBytes: this.env.maxLineBytes,
      },
      source,
    );
    let checkpoint = current.stagedBytes;
    for await (const batch of thread.batches()) {
      await this.db.transaction(async (tx) => {
        await tx.query(ASYNC_COMMIT);
        await this.claim(tx, ref, running, attempt, checkpoint);
        await this.staging.writeCopyText(tx, batch.copyText);
        await this.staging.writeErrors(tx, ref, batch.errors, 'stage');
        await this.staging.saveCheckpoint(tx, ref, { bytes: batch.next.byte, lines: batch.next.line - 1 }, batch.rows, batch.final);
      });
      checkpoint = batch.next.byte;
      this.metrics.rowsStaged(batch.rows);
      if (!batch.final && stopping()) throw new WorkerStopping();
    }
    this.logger.log({ ...ref, bytes: checkpoint }, 'staged');
  }

  /** Every batch: this attempt still owns the running import, and the checkpoint is where it left it. */
  private async claim(tx: Tx, ref: ImportRef, running: ImportState[], attempt: string, expectedBytes: number): Promise<void> {
    const claimed = await this.imports.claim(tx, ref, running, attempt);
    if (claimed.stagedBytes !== expectedBytes) throw new ImportInterrupted('another worker moved the checkpoint');
  }

  private async mustFind(ref: ImportRef): Promise<ImportRecord> {
    const found = await this.imports.find(ref);
    if (!found) throw new FatalImportError('the import no longer exists');
    return found;
  }
}
