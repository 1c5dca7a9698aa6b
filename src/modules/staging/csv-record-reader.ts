import { parse, type CsvError } from 'csv-parse';

/** A record as read: its fields and where it sits in the file. */
export interface CsvRecord {
  kind: 'record';
  fields: string[];
  /** The physical line the record starts on (1-based), as a text editor counts it. */
  line: number;
  startByte: number;
  endByte: number;
  /** The line the next record starts on. */
  nextLine: number;
}

/** Bytes csv-parse could not read as a record (a quoting error). */
export interface CsvProblem {
  kind: 'problem';
  code: string;
  message: string;
  line: number;
  /** 0-based index of the field where the problem is, when known. */
  column: number | null;
  startByte: number;
  endByte: number;
  /** The line the next record starts on. */
  nextLine: number;
  raw: string;
}

export type CsvItem = CsvRecord | CsvProblem;

export interface ReaderStart {
  delimiter: string;
  /** Byte offset the bytes fed in start at (a record boundary). */
  fromByte: number;
  /** Line number of the line starting at `fromByte`. */
  fromLine: number;
}

interface PendingProblem {
  code: string;
  column: number | null;
  errorByte: number;
}

interface ParserApi {
  /** csv-parse's running counters; `bytes` is the end of the record being pushed. */
  info: { bytes: number };
  parse(buf: Buffer | undefined, end: boolean, push: (record: unknown) => void, close: () => void): Error | undefined;
}

/** Longest original text kept for an error report. */
const RAW_LIMIT = 4096;

/**
 * Reads CSV records from consecutive chunks with their exact byte range and starting line.
 * csv-parse does the RFC 4180 work; line numbers are counted here from the bytes, because
 * csv-parse counts a CRLF inside a quoted field as two lines. Blank lines are skipped.
 */
export class CsvRecordReader {
  private readonly api: ParserApi;
  /** csv-parse counts bytes from the first byte it was fed. */
  private readonly origin: number;
  private window: Buffer = Buffer.alloc(0);
  private windowStart: number;
  /** End of the last record or problem handed out: where the next one starts. */
  private position: number;
  private line: number;
  private pending: PendingProblem | undefined;
  private out: CsvItem[] = [];

  constructor(start: ReaderStart) {
    this.origin = start.fromByte;
    this.windowStart = start.fromByte;
    this.position = start.fromByte;
    this.line = start.fromLine;
    const parser = parse({
      delimiter: start.delimiter,
      // Not `info: true`: that copies the counters into a new object per record. The running
      // `api.info.bytes` already holds the record's end when the record is pushed.
      relax_column_count: true,
      skip_records_with_error: true,
      bom: start.fromByte === 0,
    });
    parser.on('skip', (error: CsvError) => this.onSkip(error));
    this.api = (parser as unknown as { api: ParserApi }).api;
  }

  /** Feeds the next chunk; returns the items it completed. */
  push(chunk: Buffer): CsvItem[] {
    this.window = this.window.length ? Buffer.concat([this.window, chunk]) : chunk;
    this.run(chunk, false);
    this.trimWindow();
    return this.drain();
  }

  /** After the last chunk: the final record, and any problem left open. */
  end(): CsvItem[] {
    this.run(undefined, true);
    if (this.pending) this.resolvePending(this.windowStart + this.window.length, true);
    return this.drain();
  }

  /** Where the next record starts: the checkpoint after the items handed out so far. */
  get next(): { byte: number; line: number } {
    return { byte: this.position, line: this.line };
  }

  /** The line a byte offset is on, for an offset in `upcoming` (bytes not yet pushed). */
  lineAt(offset: number, upcoming: Buffer): number {
    const pushedEnd = this.windowStart + this.window.length;
    const before = countBreaks(this.slice(this.position, offset));
    const inUpcoming = offset > pushedEnd ? countBreaks(upcoming.subarray(0, offset - pushedEnd)) : 0;
    return this.line + before + inUpcoming;
  }

  private run(chunk: Buffer | undefined, end: boolean): void {
    const error = this.api.parse(chunk, end, (record) => this.onRecord(record as string[]), () => undefined);
    if (error) throw error;
  }

  private onRecord(record: string[]): void {
    const endByte = this.origin + this.api.info.bytes;
    if (this.pending) this.resolvePending(endByte);
    const startByte = this.position;
    const line = this.line;
    this.advance(endByte);
    if (record.every((field) => field.trim() === '')) return;
    this.out.push({ kind: 'record', fields: record, line, startByte, endByte, nextLine: this.line });
  }

  private onSkip(error: CsvError): void {
    const errorByte = this.origin + (error as unknown as { bytes: number }).bytes;
    const column = (error as unknown as { column?: number }).column;
    const problem = { code: error.code, column: typeof column === 'number' ? column : null, errorByte };
    if (this.pending && this.endOfLine(this.pending.errorByte) > errorByte) {
      // A second complaint about the same line: keep one, the graver if the quote never closes.
      if (problem.code === 'CSV_QUOTE_NOT_CLOSED') this.pending = problem;
      return;
    }
    if (this.pending) this.resolvePending(errorByte);
    this.pending = problem;
  }

  /**
   * The bad record runs to the end of the line where csv-parse stopped reading it, or, at the end
   * of the file, over everything csv-parse swallowed.
   */
  private resolvePending(limit: number, atEnd = false): void {
    const problem = this.pending!;
    this.pending = undefined;
    const from = Math.max(problem.errorByte, this.position);
    const endByte = atEnd ? limit : Math.max(this.position, Math.min(limit, this.endOfLine(from)));
    const startByte = this.position;
    const line = this.line;
    const raw = firstLines(this.slice(startByte, endByte));
    this.advance(endByte);
    this.out.push({
      kind: 'problem', code: problem.code, message: describe(problem.code), line, column: problem.column, startByte, endByte,
      nextLine: this.line, raw,
    });
  }

  private advance(to: number): void {
    this.line += countBreaks(this.slice(this.position, to));
    this.position = Math.max(this.position, to);
  }

  /** Offset just past the line break that ends the line containing `from` (or the window's end). */
  private endOfLine(from: number): number {
    const bytes = this.window;
    for (let i = Math.max(0, from - this.windowStart); i < bytes.length; i++) {
      if (bytes[i] === 0x0a) return this.windowStart + i + 1;
      if (bytes[i] === 0x0d) return this.windowStart + i + (bytes[i + 1] === 0x0a ? 2 : 1);
    }
    return this.windowStart + bytes.length;
  }

  private slice(from: number, to: number): Buffer {
    const a = Math.max(0, from - this.windowStart);
    const b = Math.max(a, Math.min(this.window.length, to - this.windowStart));
    return this.window.subarray(a, b);
  }

  /** Drops bytes before the current position; they belong to items already handed out. */
  private trimWindow(): void {
    const drop = this.position - this.windowStart;
    if (drop > 0) {
      this.window = this.window.subarray(drop);
      this.windowStart = this.position;
    }
  }

  private drain(): CsvItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }
}

/** The text of a bad record for a report: its bytes, without the final line break, capped. */
function firstLines(bytes: Buffer): string {
  return bytes.subarray(0, RAW_LIMIT).toString('utf8').replace(/(\r\n|\r|\n)$/, '');
}

/** Line breaks in a byte range: LF, CRLF and a lone CR each count once. */
export function countBreaks(bytes: Buffer): number {
  let count = 0;
  let i = bytes.indexOf(0x0a);
  while (i !== -1) {
    count++;
    i = bytes.indexOf(0x0a, i + 1);
  }
  let cr = bytes.indexOf(0x0d);
  while (cr !== -1) {
    if (bytes[cr + 1] !== 0x0a) count++;
    cr = bytes.indexOf(0x0d, cr + 1);
  }
  return count;
}

function describe(code: string): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts on this line is never closed, so the rest of the file could not be read: add the closing quote (a quote inside a quoted field is written twice: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote appears inside a field that does not start with a quote: enclose the whole field in quotes and write the inner quote twice ("")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows the closing quote of a field: a quote inside a quoted field must be written twice ("")';
    default:
      return `the line could not be read as CSV (${code})`;
  }
}
