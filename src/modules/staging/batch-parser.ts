import { CopyTextBuffer } from './copy-text.js';
import { CsvRecordReader, type CsvItem } from './csv-record-reader.js';
import { notUtf8 } from './header-reader.js';
import type { LineError } from './line-error.js';
import type { ParsedBatch, ParseSetup } from './parse-protocol.js';
import { FatalImportError } from './pipeline-errors.js';
import { RowMapper } from './row-mapper.js';
import { Utf8Validator } from './utf8-validator.js';

/**
 * Turns file chunks into batches of staged rows (as COPY text) and line errors, each batch
 * ending on a record boundary with the checkpoint it reaches. Pure CPU work: it runs in a worker
 * thread while the main thread writes the previous batch to PostgreSQL.
 */
export class BatchParser {
  private readonly reader: CsvRecordReader;
  private readonly mapper: RowMapper;
  private readonly utf8: Utf8Validator;
  private fed: number;
  private readonly copyText: CopyTextBuffer;
  private rows = 0;
  private errors: LineError[] = [];

  constructor(private readonly setup: ParseSetup) {
    this.reader = new CsvRecordReader({ delimiter: setup.delimiter, fromByte: setup.fromByte, fromLine: setup.fromLine, maxRecordBytes: setup.maxLineBytes });
    this.mapper = new RowMapper(setup.mapping, setup.key, setup.headers.length, setup.delimiter);
    this.utf8 = new Utf8Validator(setup.fromByte);
    // Every staged row starts with its workspace and import.
    this.copyText = new CopyTextBuffer(`${setup.workspaceId}\t${setup.importId}\t`);
    this.fed = setup.fromByte;
  }

  /** The batches this chunk completes. Throws FatalImportError on bytes that are not UTF-8. */
  push(chunk: Buffer): ParsedBatch[] {
    const bad = this.utf8.push(chunk);
    if (bad >= 0) throw notUtf8(this.reader.lineAt(bad, chunk), bad, chunk[bad - this.fed]);
    this.fed += chunk.length;
    const batches: ParsedBatch[] = [];
    for (const item of this.reader.push(chunk)) {
      this.take(item);
      if (this.rows + this.errors.length >= this.setup.batchSize) {
        batches.push(this.cut({ byte: item.endByte, line: item.nextLine }, false));
      }
    }
    return batches;
  }

  /** The last batch (possibly empty), marked final. */
  end(): ParsedBatch {
    const cut = this.utf8.end();
    if (cut >= 0) {
      throw new FatalImportError(`The file ends in the middle of a character (byte ${cut}): it is not valid UTF-8. Save it as UTF-8 and upload it again.`);
    }
    this.reader.end().forEach((item) => this.take(item));
    return this.cut(this.reader.next, true);
  }

  private take(item: CsvItem): void {
    if (item.kind === 'problem') {
      const column = item.column === null ? null : (this.setup.headers[item.column] ?? null);
      this.errors.push({
        line: item.line, column, code: item.code === 'LINE_TOO_LONG' ? 'LINE_TOO_LONG' : 'CSV_SYNTAX', raw: item.raw, startByte: item.startByte, endByte: item.endByte,
        message: `Line ${item.line}${column ? `, column "${column}"` : ''}: ${item.message}.`,
      });
      return;
    }
    const result = this.mapper.map(item);
    if (result.row) {
      this.copyText.writeRow(result.row);
      this.rows++;
    }
    if (result.errors.length) this.errors.push(...result.errors);
  }

  private cut(next: { byte: number; line: number }, final: boolean): ParsedBatch {
    const batch = { copyText: this.copyText.take(), rows: this.rows, errors: this.errors, next, final };
    this.rows = 0;
    this.errors = [];
    return batch;
  }
}
