import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ImportState } from '../../state/import.machine.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { Database, type Tx } from '../database/database.js';
import { FILE_STORE, type FileStore } from '../files/file-store.js';
import type { ImportRecord, ImportRef } from '../imports/import-record.js';
import { ImportsRepository } from '../imports/imports.repository.js';
import { CsvRecordReader, type CsvItem } from './csv-record-reader.js';
import { notUtf8, readHeader } from './header-reader.js';
import type { LineError } from './line-error.js';
import { FatalImportError, ImportInterrupted, WorkerStopping } from './pipeline-errors.js';
import { RowMapper, type StagedRow } from './row-mapper.js';
import { StagingRepository } from './staging.repository.js';
import { Utf8Validator } from './utf8-validator.js';

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
  ) {}

  async stage(ref: ImportRef, running: ImportState[], attempt: string, stopping: () => boolean): Promise<void> {
    let current = await this.mustFind(ref);
    if (current.stagedAt) return;
    if (!current.headers) {
      const start = await readHeader(this.files, current);
      await this.db.transaction(async (tx) => {
        await this.claim(tx, ref, running, attempt, 0);
        await this.staging.start(tx, ref, start);
        await this.staging.writeErrors(tx, ref, start.errors, 'stage');
      });
      current = await this.mustFind(ref);
    }
    this.logger.log({ workspaceId: ref.workspaceId, importId: ref.importId, fromByte: current.stagedBytes, fromLine: current.stagedLines + 1 }, 'staging');
    await this.readFrom(current, running, attempt, stopping);
  }

  private async readFrom(current: ImportRecord, running: ImportState[], attempt: string, stopping: () => boolean): Promise<void> {
    const ref: ImportRef = { workspaceId: current.workspaceId, importId: current.importId };
    const delimiter = current.delimiter!;
    const mapper = new RowMapper(current.resolvedMapping!, current.config.key, current.headers!.length, delimiter);
    const reader = new CsvRecordReader({ delimiter, fromByte: current.stagedBytes, fromLine: current.stagedLines + 1 });
    const utf8 = new Utf8Validator(current.stagedBytes);
    let checkpoint = current.stagedBytes;
    let rows: StagedRow[] = [];
    let errors: LineError[] = [];

    const take = (item: CsvItem): void => {
      if (item.kind === 'problem') {
        const column = item.column === null ? null : (current.headers![item.column] ?? null);
        errors.push({
          line: item.line, column, code: 'CSV_SYNTAX', raw: item.raw, startByte: item.startByte, endByte: item.endByte,
          message: `Line ${item.line}${column ? `, column "${column}"` : ''}: ${item.message}.`,
        });
        return;
      }
      const result = mapper.map(item);
      if (result.row) rows.push(result.row);
      errors.push(...result.errors);
    };
    /**
     * Hands what was read up to `next` (a record boundary) to the database as one batch with its
     * checkpoint, and returns while it commits: the next batch is parsed meanwhile. Batches commit
     * strictly in order; a failed one fails the next await.
     */
    let committing: Promise<void> = Promise.resolve();
    const flush = async (next: { byte: number; line: number }, finished: boolean): Promise<void> => {
      const batch = { rows, errors, expected: checkpoint };
      rows = [];
      errors = [];
      checkpoint = next.byte;
      await committing;
      committing = this.db.transaction(async (tx) => {
        await this.claim(tx, ref, running, attempt, batch.expected);
        await this.staging.writeRows(tx, ref, batch.rows);
        await this.staging.writeErrors(tx, ref, batch.errors, 'stage');
        await this.staging.saveCheckpoint(tx, ref, { bytes: next.byte, lines: next.line - 1 }, batch.rows.length, finished);
      });
      committing.catch(() => undefined); // observed by the next await
    };

    let fed = current.stagedBytes;
    for await (const chunk of this.files.open(ref.workspaceId, current.file.id, current.stagedBytes)) {
      const bad = utf8.push(chunk);
      if (bad >= 0) throw notUtf8(reader.lineAt(bad, chunk), bad, chunk[bad - fed]);
      fed += chunk.length;
      for (const item of reader.push(chunk)) {
        take(item);
        if (rows.length + errors.length >= this.env.batchSize) {
          await flush({ byte: item.endByte, line: item.nextLine }, false);
          if (stopping()) {
            await committing;
            throw new WorkerStopping();
          }
        }
      }
    }
    const cut = utf8.end();
    if (cut >= 0) throw new FatalImportError(`The file ends in the middle of a character (byte ${cut}): it is not valid UTF-8. Save it as UTF-8 and upload it again.`);
    reader.end().forEach(take);
    await flush(reader.next, true);
    await committing;
    this.logger.log({ workspaceId: ref.workspaceId, importId: ref.importId, bytes: reader.next.byte }, 'staged');
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
