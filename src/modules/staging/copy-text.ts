/** Encodes one row for COPY … FROM STDIN in PostgreSQL's text format. */
export function copyTextRow(values: readonly (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += '\t';
    line += copyTextValue(values[i]);
  }
  return `${line}\n`;
}

const SPECIAL = /[\\\n\r\t]/;

function copyTextValue(value: string | number | null): string {
  return value === null ? '\\N' : typeof value === 'number' ? String(value) : escapeCopy(value);
}

function escapeCopy(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
}

/** Bytes a string can take in UTF-8, at most: 3 per UTF-16 unit (a surrogate pair is 4 for 2). */
const MAX_BYTES_PER_UNIT = 3;

/**
 * COPY text accumulated off the JavaScript heap: a batch of rows lives in one growing buffer
 * instead of a string that survives every young-generation collection (that alone made a third of
 * the parse thread's time garbage collection). Rows are encoded straight into it, value by value,
 * without building a string per row. `take()` hands the bytes over, ready to transfer to another
 * thread without a copy.
 */
export class CopyTextBuffer {
  private buffer: Buffer;
  private length = 0;

  constructor(private readonly initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  write(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.length += this.buffer.write(text, this.length);
  }

  /** One row: `prefix` as it is (already COPY text), then the values, tab-separated, and a line break. */
  writeRow(prefix: string, values: readonly (string | number | null)[]): void {
    this.write(prefix);
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
