/** Encodes one row for COPY … FROM STDIN in PostgreSQL's text format. */
export function copyTextRow(values: readonly (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += '\t';
    const value = values[i];
    line += value === null ? '\\N' : typeof value === 'number' ? String(value) : escapeCopy(value);
  }
  return `${line}\n`;
}

const SPECIAL = /[\\\n\r\t]/;

function escapeCopy(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
}

/**
 * COPY text accumulated off the JavaScript heap: a batch of rows lives in one growing buffer
 * instead of a string that survives every young-generation collection (that alone made a third of
 * the parse thread's time garbage collection). `take()` hands the bytes over, ready to transfer
 * to another thread without a copy.
 */
export class CopyTextBuffer {
  private buffer: Buffer;
  private length = 0;

  constructor(private readonly initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  write(text: string): void {
    const needed = this.length + Buffer.byteLength(text);
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length);
  }

  /** The bytes written so far, in a buffer of their own; starts again empty. */
  take(): Uint8Array {
    const taken = new Uint8Array(this.buffer.buffer, 0, this.length);
    this.buffer = Buffer.allocUnsafeSlow(Math.max(this.initialBytes, this.length));
    this.length = 0;
    return taken;
  }
}
