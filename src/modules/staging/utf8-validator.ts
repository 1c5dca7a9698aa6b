import { isUtf8 } from 'node:buffer';

/**
 * Checks a byte stream is UTF-8, across chunk edges, without decoding it. A multi-byte character
 * split by a chunk edge is carried to the next chunk.
 */
export class Utf8Validator {
  private carry: Buffer = Buffer.alloc(0);
  /** Absolute offset of the first byte of `carry`. */
  private carryStart = 0;

  constructor(private offset = 0) {}

  /** The absolute offset of the first invalid byte, or -1 when all is well so far. */
  push(chunk: Buffer): number {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const start = this.carry.length ? this.carryStart : this.offset;
    this.offset += chunk.length;
    const cut = completeLength(bytes);
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) return start + firstInvalid(whole);
    this.carry = Buffer.from(bytes.subarray(cut));
    this.carryStart = start + cut;
    return -1;
  }

  /** At the end of the stream: a character cut off by the end of the file is invalid. */
  end(): number {
    return this.carry.length ? this.carryStart : -1;
  }
}

/** Length of the prefix of `bytes` that ends on a character boundary. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = bytes[n - back];
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return need > back ? n - back : n;
    }
  }
  return n;
}

function firstInvalid(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (need === 0 || !isUtf8(bytes.subarray(i, i + need))) return i;
    i += need;
  }
  return bytes.length;
}
