const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Follows a record too long to keep to its end, by the RFC 4180 rules csv-parse reads records
 * with: a quote opens a field only at the field's start, `""` inside quotes is a quote, a quote
 * followed by the delimiter or a line break closes the field, and a line break outside quotes ends
 * the record. Only the record's first bytes are kept (for the error report), so memory stays the
 * same however far the record runs: a quote that is never closed runs to the end of the file.
 */
export class RecordSkipper {
  private quoting = false;
  private fieldStart = true;
  /** Inside quotes, the last byte was a quote: the next one says whether it closed the field. */
  private quoteOpen = false;
  /** Outside quotes, the last byte was a CR: the record ends there, or after an LF that follows. */
  private crEnds = false;
  private previous = -1;
  /** Line breaks in the record so far (LF, CRLF and a lone CR each once, as countBreaks counts). */
  breaks = 0;
  /** Bytes of the record so far. */
  length = 0;
  private readonly kept: Buffer[] = [];
  private keptLength = 0;

  constructor(
    private readonly delimiter: number,
    private readonly keep: number,
    /** The record starts the file: a byte order mark before it is not part of its first field. */
    private readonly fileStart: boolean,
  ) {}

  /** Takes the next bytes: how many of them end the record, or -1 when it goes on past them. */
  push(bytes: Buffer): number {
    const bom = this.fileStart && this.length === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const end = this.scan(bytes, bom ? 3 : 0);
    const taken = end < 0 ? bytes.length : end;
    if (this.keptLength < this.keep) {
      const piece = bytes.subarray(0, Math.min(taken, this.keep - this.keptLength));
      this.kept.push(Buffer.from(piece));
      this.keptLength += piece.length;
    }
    this.length += taken;
    return end;
  }

  /** At the end of the file: whether the record ends inside a quoted field (one never closed). */
  get unclosedQuote(): boolean {
    return this.quoting && !this.quoteOpen;
  }

  /** The record's first bytes, at most `keep` of them. */
  get head(): Buffer {
    return Buffer.concat(this.kept);
  }

  private scan(bytes: Buffer, from: number): number {
    for (let i = from; i < bytes.length; i++) {
      const byte = bytes[i];
      if (this.crEnds) return byte === LF ? i + 1 : i;
      if (byte === CR || (byte === LF && this.previous !== CR)) this.breaks++;
      this.previous = byte;
      if (this.quoting) {
        if (!this.quoteOpen) {
          this.quoteOpen = byte === QUOTE;
          continue;
        }
        this.quoteOpen = false;
        // `""` is a quote; text right after a closing quote is an error csv-parse reads on from inside the quotes.
        if (byte !== this.delimiter && byte !== LF && byte !== CR) continue;
        this.quoting = false;
      }
      if (byte === LF) return i + 1;
      if (byte === CR) this.crEnds = true;
      else if (byte === QUOTE && this.fieldStart) this.quoting = true;
      this.fieldStart = byte === this.delimiter;
    }
    return -1;
  }
}
