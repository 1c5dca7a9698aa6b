import { parse } from 'csv-parse/sync';
import type { CustomFieldDefinition } from '../directory/custom-field-types.js';
import { detectEncoding, NotInEncodingError, ToUtf8, type Encoding, type SourceEncoding } from '../files/to-utf8.js';
import { resolveMapping, normaliseConfig, type ImportConfig } from '../imports/import-config.js';
import { RECORD_BREAKS } from './csv-record-reader.js';
import { sniffDelimiter } from './dialect-sniffer.js';

/** How much of a file a sample reads. */
export const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_ROWS = 10;

/** What a first look at a file finds: its dialect, its columns and its first rows. */
export interface FileSample {
  encoding: SourceEncoding;
  delimiter: string;
  /** Whether the first row is (or is taken as) a header row. */
  header: boolean;
  columns: string[];
  /** The first rows after the header, as the file has them. */
  rows: string[][];
  /** Column → field, as an import with this config would map them. */
  mapping: { column: string; field: string }[];
  /** A reason the sample could not be read in full (an encoding error, a quote never closed). */
  problem: string | null;
}

/**
 * Reads the first bytes of a file as an import would: the encoding (declared or detected), the
 * delimiter (declared or sniffed), the header (declared; without a config, guessed from whether the
 * first row names known fields or looks unlike the rows under it) and the first rows.
 */
export function sampleFile(bytes: Buffer, truncated: boolean, input?: ImportConfig, customFields: readonly CustomFieldDefinition[] = []): Promise<FileSample> {
  return sample(bytes, truncated, input ?? normaliseConfig({ parsing: { encoding: 'auto' } }), input === undefined, customFields);
}

/** Samples the start of a byte stream: reads at most one chunk past SAMPLE_BYTES, then stops it. */
export async function sampleStream(chunks: AsyncIterable<Buffer>, input?: ImportConfig, customFields: readonly CustomFieldDefinition[] = []): Promise<FileSample> {
  const read: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    read.push(chunk);
    size += chunk.length;
    if (size > SAMPLE_BYTES) break;
  }
  return sampleFile(Buffer.concat(read).subarray(0, SAMPLE_BYTES), size > SAMPLE_BYTES, input, customFields);
}

async function sample(bytes: Buffer, truncated: boolean, config: ImportConfig, guessHeader: boolean, customFields: readonly CustomFieldDefinition[]): Promise<FileSample> {
  // A cut sample ends at its last line break, so no character or row is cut in two.
  const end = truncated ? Math.max(bytes.lastIndexOf(0x0a), bytes.lastIndexOf(0x0d), 0) : bytes.length;
  const whole = bytes.subarray(0, end || bytes.length);
  const encoding = await encodingOf(whole, config.parsing.encoding);
  let text = '';
  let problem: string | null = null;
  try {
    const converter = new ToUtf8(encoding);
    text = Buffer.concat([converter.push(whole), truncated ? Buffer.alloc(0) : converter.end()]).toString('utf8');
  } catch (error) {
    if (!(error instanceof NotInEncodingError)) throw error;
    problem = error.message;
  }
  const delimiter = config.parsing.delimiter ?? sniffDelimiter(Buffer.from(text));
  let records: string[][] = [];
  try {
    records = parse(text, { delimiter, record_delimiter: RECORD_BREAKS, relax_column_count: true, skip_empty_lines: true, to: SAMPLE_ROWS + 1, bom: true }) as string[][];
  } catch (error) {
    problem ??= (error as Error).message;
  }
  const header = guessHeader ? looksLikeHeader(records) : config.parsing.header;
  const columns = header ? (records[0] ?? []) : (config.parsing.columns ?? (records[0] ?? []).map((_, i) => `column ${i + 1}`));
  const rows = (header ? records.slice(1) : records).slice(0, SAMPLE_ROWS);
  const resolved = resolveMapping(config, columns, customFields);
  return { encoding, delimiter, header, columns, rows, mapping: resolved.columns.map(({ column, field }) => ({ column, field })), problem };
}

async function encodingOf(bytes: Buffer, declared: Encoding): Promise<SourceEncoding> {
  if (declared !== 'auto') return declared;
  return detectEncoding((async function* () {
    yield bytes;
  })());
}

/** A first row whose cells name known fields, or that has no cell shaped like data when the rows under it do. */
function looksLikeHeader(records: string[][]): boolean {
  const [first, ...rest] = records;
  if (!first?.length) return true;
  if (first.some((cell) => !cell.trim()) || new Set(first).size !== first.length) return false;
  if (resolveMapping(normaliseConfig(), first).columns.length) return true;
  const dataLike = (cell: string) => /@|^[+\d][\d\s().-]*$/.test(cell.trim());
  return !first.some(dataLike) && rest.some((row) => row.some(dataLike));
}
