import { parse, type CsvError } from 'csv-parse';
import { describeProblem, describeTooLong } from './csv-problem-text.js';
import { RecordSkipper } from './record-skipper.js';

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

/** Bytes csv-parse could not read as a record (a quoting error), or a record longer than the limit. */
export interface CsvProblem {
  kind: 'problem';
  /** csv-parse's error code, or LINE_TOO_LONG. */
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
  /** A record longer than this (bytes, without its line break) is not kept: it becomes a LINE_TOO_LONG problem. */
  maxRecordBytes: number;
}

interface PendingProblem {
  code: string;
  column: number | null;
  errorByte: number;
}

interface ParserApi {
  /** csv-parse's running counters; `bytes` is the end of the record being pushed. */
  info: { bytes: number };
  /** `recordHasError`: the record being read has had an error (it will be skipped at its end). */
  state: { recordHasError: boolean };
  parse(buf: Buffer | undefined, end: boolean, push: (record: unknown) => void, close: () => void): Error | undefined;
}

/**
 * Line breaks that end a record, for csv-parse: any of them, as countBreaks and the RecordSkipper
 * count them. CRLF first, so that it is one break, not a CR and an LF.
 */
export const RECORD_BREAKS = ['\r\n', '\n', '\r'];

/** Longest original text kept for an error report. */
const RAW_LIMIT = 4096;

/**
 * Bytes past a record's end that csv-parse may still hold before handing the record out: the
 * line break, and a few bytes it looks ahead (a closing quote is one when a delimiter or a line
 * break follows). A record is over the limit by its bytes without the line break; a finished one
 * is checked as it comes out, so an unfinished one is handed to the skipper only past this margin.
 */
const HELD_BACK = 16;

/**
 * Reads CSV records from consecutive chunks with their exact byte range and starting line.
 * csv-parse does the RFC 4180 work; line numbers are counted here from the bytes, because
 * csv-parse counts a CRLF inside a quoted field as two lines. Blank lines are skipped.
 *
 * A record longer than `maxRecordBytes` is not kept: once the bytes since the record's start pass
 * the limit, a RecordSkipper follows it to its end keeping only its first bytes, and a new
 * csv-parse reads on from there. (csv-parse's own `max_record_size` cannot be used: with
 * `skip_records_with_error` it drops the rest of the chunk and never finds the next record.)
 */
export class CsvRecordReader {
  private api: ParserApi;
  /** csv-parse counts bytes from the first byte it was fed. */
  private origin: number;
  private readonly delimiter: string;
  private readonly max: number;
  /** Set while a record over the limit is being followed to its end. */
  private skipper: RecordSkipper | undefined;
  private window: Buffer = Buffer.alloc(0);
  private windowStart: number;
  /** End of the last record or problem handed out: where the next one starts. */
  private position: number;
  private line: number;
  private pending: PendingProblem | undefined;
  private out: CsvItem[] = [];

  constructor(start: ReaderStart) {
    this.delimiter = start.delimiter;
    this.max = start.maxRecordBytes;
    this.origin = start.fromByte;
    this.windowStart = start.fromByte;
    this.position = start.fromByte;
    this.line = start.fromLine;
    this.api = this.parser(start.fromByte === 0);
  }

  /** Feeds the next chunk; returns the items it completed. */
  push(chunk: Buffer): CsvItem[] {
    let rest: Buffer | undefined = chunk;
    while (rest?.length) rest = this.skipper ? this.skip(rest) : this.parse(rest);
    return this.drain();
  }

  /** After the last chunk: the final record, and any problem left open. */
  end(): CsvItem[] {
    if (this.skipper) {
      this.endSkipping();
      return this.drain();
    }
    this.run(undefined, true);
    if (this.pending) this.resolvePending(this.windowStart + this.window.length, true);
    return this.drain();
  }

  /** The line of a record being skipped because it is over the limit (none: undefined). */
  get skippingLine(): number | undefined {
    return this.skipper ? this.line : undefined;
  }

  /** Where the next record starts: the checkpoint after the items handed out so far. */
  get next(): { byte: number; line: number } {
    return { byte: this.position, line: this.line };
  }

  /** The line a byte offset is on, for an offset in `upcoming` (bytes not yet pushed). */
  lineAt(offset: number, upcoming: Buffer): number {
    if (this.skipper) return this.line + this.skipper.breaks + countBreaks(upcoming.subarray(0, offset - this.position - this.skipper.length));
    const pushedEnd = this.windowStart + this.window.length;
    const before = countBreaks(this.slice(this.position, offset));
    const inUpcoming = offset > pushedEnd ? countBreaks(upcoming.subarray(0, offset - pushedEnd)) : 0;
    return this.line + before + inUpcoming;
  }

  private parser(bom: boolean): ParserApi {
    const parser = parse({
      delimiter: this.delimiter,
      // Not `info: true`: that copies the counters into a new object per record. The running
      // `api.info.bytes` already holds the record's end when the record is pushed.
      // Left to itself, csv-parse takes the first break it meets as the only one: a file with
      // mixed breaks would become records that run on over several lines.
      record_delimiter: RECORD_BREAKS,
      relax_column_count: true,
      skip_records_with_error: true,
      bom,
    });
    parser.on('skip', (error: CsvError) => this.onSkip(error));
    return (parser as unknown as { api: ParserApi }).api;
  }

  /** Bytes for csv-parse; what is left for the next step when a record passes the limit. */
  private parse(bytes: Buffer): Buffer | undefined {
    this.window = this.window.length ? Buffer.concat([this.window, bytes]) : bytes;
    this.run(bytes, false);
    if (this.unfinished() > this.max + HELD_BACK) {
      // A quoting problem whose record has ended is resolved as usual; the long record comes after it.
      if (this.pending && !this.api.state.recordHasError) this.resolvePending(this.windowStart + this.window.length);
      if (this.unfinished() > this.max + HELD_BACK) {
        // The long record is itself the bad one: LINE_TOO_LONG says it all.
        this.pending = undefined;
        const record = this.slice(this.position, this.windowStart + this.window.length);
        this.window = Buffer.alloc(0);
        this.windowStart = this.position;
        this.skipper = new RecordSkipper(this.delimiter.charCodeAt(0), RAW_LIMIT, this.position === 0);
        return this.skip(record);
      }
    }
    this.trimWindow();
    return undefined;
  }

  /** Bytes of the record not yet handed out: since the last item's end. */
  private unfinished(): number {
    return this.windowStart + this.window.length - this.position;
  }

  /** Bytes for the skipper; what follows the long record's end, for a new csv-parse. */
  private skip(bytes: Buffer): Buffer | undefined {
    const end = this.skipper!.push(bytes);
    if (end < 0) return undefined;
    this.endSkipping();
    this.api = this.parser(false);
    return bytes.subarray(end);
  }

  private endSkipping(): void {
    const skipper = this.skipper!;
    this.skipper = undefined;
    const startByte = this.position;
    const endByte = startByte + skipper.length;
    this.out.push(this.tooLong(startByte, endByte, skipper.head, skipper.breaks, skipper.unclosedQuote));
    this.origin = endByte;
    this.windowStart = endByte;
  }

  /** The problem for a record over the limit; moves past it. */
  private tooLong(startByte: number, endByte: number, head: Buffer, breaks: number, unclosedQuote: boolean): CsvProblem {
    const line = this.line;
    this.line += breaks;
    this.position = endByte;
    return {
      kind: 'problem', code: 'LINE_TOO_LONG', message: describeTooLong(this.max, unclosedQuote), line, column: null, startByte, endByte,
      nextLine: this.line, raw: firstLines(head),
    };
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
    const bytes = this.slice(startByte, endByte);
    if (bytes.length - breakLength(bytes) > this.max) {
      this.out.push(this.tooLong(startByte, endByte, bytes, countBreaks(bytes), false));
      return;
    }
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
      kind: 'problem', code: problem.code, message: describeProblem(problem.code), line, column: problem.column, startByte, endByte,
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

/** The length of the line break the bytes end with (0, 1 or 2). */
function breakLength(bytes: Buffer): number {
  const last = bytes[bytes.length - 1];
  if (last === 0x0d) return 1;
  if (last !== 0x0a) return 0;
  return bytes[bytes.length - 2] === 0x0d ? 2 : 1;
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
