import type { FileStore } from '../files/file-store.js';
import type { CustomFieldDefinition } from '../directory/custom-field-types.js';
import { resolveMapping, undefinedCustomFields } from '../imports/import-config.js';
import type { ImportRecord } from '../imports/import-record.js';
import { describeTooLong } from './csv-problem-text.js';
import { CsvRecordReader, type CsvItem, type CsvRecord } from './csv-record-reader.js';
import { sniffDelimiter } from './dialect-sniffer.js';
import type { LineError } from './line-error.js';
import { FatalImportError } from './pipeline-errors.js';
import type { StagingStart } from './staging.repository.js';
import { Utf8Validator } from './utf8-validator.js';

const SNIFF_BYTES = 64 * 1024;

export interface HeaderStart extends StagingStart {
  /** Mapping entries naming columns the file lacks, reported on the header line. */
  errors: LineError[];
  /** The file holds nothing at all (no bytes, or only blank lines): there is nothing to import. */
  empty: boolean;
}

/** How long a header row may be, and how many columns it may name. */
export interface HeaderLimits {
  maxLineBytes: number;
  maxColumns: number;
}

/**
 * Reads what the rest of the file is read with: the delimiter, the header row (or the configured
 * column names) and the mapping of those columns to fields. A file the import cannot work with at
 * all fails here, with a reason that says what to change.
 */
export async function readHeader(files: FileStore, current: ImportRecord, customFields: readonly CustomFieldDefinition[], limits: HeaderLimits): Promise<HeaderStart> {
  const { config } = current;
  const chunks = files.open(current.workspaceId, current.file.id, 0)[Symbol.asyncIterator]();
  const sample: Buffer[] = [];
  let sampled = 0;
  while (sampled < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) break;
    sample.push(next.value);
    sampled += next.value.length;
  }
  if (!sampled) return nothingToImport(0, config.parsing.delimiter ?? ',');
  const delimiter = config.parsing.delimiter ?? sniffDelimiter(Buffer.concat(sample).subarray(0, SNIFF_BYTES));

  let header: CsvRecord | undefined;
  if (config.parsing.header) {
    const reader = new CsvRecordReader({ delimiter, fromByte: 0, fromLine: 1, maxRecordBytes: limits.maxLineBytes });
    const utf8 = new Utf8Validator(0);
    let fed = 0;
    const feed = (piece: Buffer): void => {
      const bad = utf8.push(piece);
      if (bad >= 0) throw notUtf8(reader.lineAt(bad, piece), bad, piece[bad - fed]);
      fed += piece.length;
      header ??= firstRecord(reader.push(piece));
      // A header over the limit fails at once: no need to follow it to its end first.
      const skipping = reader.skippingLine;
      if (!header && skipping !== undefined) {
        throw new FatalImportError(`The header row (line ${skipping}) could not be read: ${describeTooLong(limits.maxLineBytes, false)}.`);
      }
    };
    sample.forEach(feed);
    while (!header) {
      const next = await chunks.next();
      if (next.done) break;
      feed(next.value);
    }
    header ??= firstRecord(reader.end());
    if (!header) return nothingToImport(reader.next.byte, delimiter);
  }
  await chunks.return?.();

  const headers = header ? header.fields.map((field) => field.trim()) : config.parsing.columns!;
  if (headers.length > limits.maxColumns) {
    throw new FatalImportError(
      `The ${header ? `header row (line ${header.line})` : 'config'} names ${headers.length} columns: at most ${limits.maxColumns} are allowed (ROSTERSYNC_MAX_COLUMNS). ` +
        'Export only the columns the import needs, or raise the limit.',
    );
  }
  const undefinedFields = undefinedCustomFields(config, customFields);
  if (undefinedFields.length) {
    throw new FatalImportError(
      `The mapping names ${undefinedFields.map((f) => `"${f}"`).join(', ')}, which the workspace does not define (any more). ` +
        'Define the field with POST /v1/fields, or map the column to another field.',
    );
  }
  const mapping = resolveMapping(config, headers, customFields);
  const listed = headers.map((h) => `"${h}"`).join(', ');
  if (!mapping.columns.some((column) => column.field === config.key)) {
    throw new FatalImportError(
      `No column maps to the key field "${config.key}". The file's columns are: ${listed}. ` +
        `Map one in the config ({"mapping": {"<column>": "${config.key}"}}) or rename the column to "${config.key}".`,
    );
  }
  for (const column of mapping.columns) {
    const other = headers.findIndex((name, index) => name === column.column && index !== column.index);
    if (other >= 0) {
      const [a, b] = [other, column.index].sort((x, y) => x - y);
      throw new FatalImportError(
        `The column "${column.column}" appears twice in the header (columns ${a + 1} and ${b + 1}): rename one so the mapping is unambiguous.`,
      );
    }
  }
  const errors: LineError[] = mapping.missing.map((column) => ({
    line: 1, column, code: 'UNKNOWN_COLUMN', raw: null, startByte: header?.startByte ?? null, endByte: header?.endByte ?? null,
    message: `The mapping names the column "${column}", which the file does not have, so it was left out. The file's columns are: ${listed}.`,
  }));
  return {
    headers,
    delimiter,
    mapping: mapping.columns,
    bytes: header?.endByte ?? 0,
    lines: header ? header.nextLine - 1 : 0,
    errors,
    empty: false,
  };
}

/** An empty file changes nothing: it is staged at once, with no rows. */
function nothingToImport(bytes: number, delimiter: string): HeaderStart {
  return { headers: [], delimiter, mapping: [], bytes, lines: 0, errors: [], empty: true };
}

function firstRecord(items: CsvItem[]): CsvRecord | undefined {
  const item = items[0];
  if (item?.kind === 'problem') throw new FatalImportError(`The header row (line ${item.line}) could not be read: ${item.message}.`);
  return item;
}

export function notUtf8(line: number, offset: number, byte: number | undefined): FatalImportError {
  const shown = byte === undefined ? '' : ` (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')})`;
  return new FatalImportError(
    `Line ${line} is not valid UTF-8${shown} at byte offset ${offset}: the file seems to be in another encoding ` +
      '(such as windows-1252). Save it as UTF-8, or upload it again with its encoding in the config ' +
      '({"parsing": {"encoding": "windows-1252"}}, or "auto" to detect it).',
  );
}
