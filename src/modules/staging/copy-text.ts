const SPECIAL = /[\\\n\r\t]/;

/** One value in PostgreSQL's COPY text format: NULL as \N, the special characters escaped. */
function copyTextValue(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
}

/** Bytes a string can take in UTF-8, at most: 3 per UTF-16 unit (a surrogate pair is 4 for 2). */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Rows for COPY … FROM STDIN (text format), accumulated off the JavaScript heap: a batch of rows
 * lives in one growing buffer instead of a string that survives every young-generation collection
 * (that alone made a third of the parse thread's time garbage collection). Rows are encoded
 * straight into it, value by value, after a prefix encoded once (the columns every row shares).
 * `take()` hands the bytes over, ready to transfer to another thread without a copy.
 */
export class CopyTextBuffer {
  private readonly prefix: Buffer;
  private buffer: Buffer;
  private length = 0;

  /** `prefix`: COPY text written before each row's values, tab included. */
  constructor(prefix = '', private readonly initialBytes = 1 << 20) {
    this.prefix = Buffer.from(prefix, 'utf8');
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** One row: the prefix, then the values, tab-separated, and a line break. */
  writeRow(values: readonly (string | number | null)[]): void {
    this.reserve(this.prefix.length);
    this.length += this.prefix.copy(this.buffer, this.length);
    for (let i = 0; i < values.length; i++) {
      const text = copyTextValue(values[i]);
      this.reserve(text.length * MAX_BYTES_PER_UNIT + 1);
      this.length += this.buffer.write(text, this.length);
      this.buffer[this.length++] = i === values.length - 1 ? 0x0a : 0x09;
    }
  }

  /** The bytes written so far, in a buffer of their own; starts again empty. */
  take(): Uint8Array {
    const taken = new Uint8Array(this.buffer.buffer, 0, this.length);
    this.buffer = Buffer.allocUnsafeSlow(Math.max(this.initialBytes, this.length));
    this.length = 0;
    return taken;
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
