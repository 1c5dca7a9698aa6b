import { TextDecoder } from 'node:util';
import { Utf8Validator } from '../staging/utf8-validator.js';

/** The encodings a file may come in; `auto` detects one (BOM, else UTF-8 if valid, else windows-1252). */
export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'iso-8859-1', 'windows-1252', 'auto'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export type SourceEncoding = Exclude<Encoding, 'auto'>;

/** A byte sequence the declared encoding cannot have: where it is, as a person finds it. */
export class NotInEncodingError extends Error {
  constructor(
    readonly encoding: SourceEncoding,
    readonly line: number,
    readonly offset: number,
    detail: string,
  ) {
    super(`Line ${line} is not valid ${encoding.toUpperCase()} (${detail}, byte offset ${offset}). Save the file in that encoding, or declare its real one in parsing.encoding.`);
  }
}

/** The encoding of a file from its first bytes and, without a BOM, whether all of it is UTF-8. */
export async function detectEncoding(chunks: AsyncIterable<Buffer>): Promise<SourceEncoding> {
  const utf8 = new Utf8Validator(0);
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      if (chunk[0] === 0xff && chunk[1] === 0xfe) return 'utf-16le';
      if (chunk[0] === 0xfe && chunk[1] === 0xff) return 'utf-16be';
    }
    if (utf8.push(chunk) >= 0) return 'windows-1252';
  }
  return utf8.end() >= 0 ? 'windows-1252' : 'utf-8';
}

/**
 * Turns consecutive chunks of a file in `encoding` into UTF-8, once, when the file is stored: the
 * stored copy is what every checkpoint and byte offset refers to. A BOM is dropped. windows-1252
 * follows the WHATWG table (0x80 is €; Node 22's decoder); ISO-8859-1 maps each byte to the code
 * point of the same number. UTF-16 with an unpaired surrogate, or an odd number of bytes, is an
 * error naming the line — never a U+FFFD in the directory.
 */
export class ToUtf8 {
  private readonly decoder: TextDecoder | null;
  private carry: Buffer = Buffer.alloc(0);
  private line = 1;
  /** The last character emitted: a CR there makes an LF starting the next text part of its CRLF. */
  private last = '';
  private offset = 0;

  constructor(private readonly encoding: SourceEncoding) {
    this.decoder = encoding === 'windows-1252' ? new TextDecoder('windows-1252') : null;
  }

  push(chunk: Buffer): Buffer {
    return this.emit(this.decode(chunk, false));
  }

  end(): Buffer {
    return this.emit(this.decode(Buffer.alloc(0), true));
  }

  private decode(chunk: Buffer, last: boolean): string {
    switch (this.encoding) {
      case 'utf-8':
        return chunk.toString('utf8');
      case 'iso-8859-1':
        return chunk.toString('latin1');
      case 'windows-1252':
        return this.decoder!.decode(chunk, { stream: !last });
      default:
        return this.utf16(chunk, last);
    }
  }

  private utf16(chunk: Buffer, last: boolean): string {
    let bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
    const start = this.offset - this.carry.length;
    if (start === 0 && bytes.length >= 2 && ((this.encoding === 'utf-16le' && bytes[0] === 0xff && bytes[1] === 0xfe) || (this.encoding === 'utf-16be' && bytes[0] === 0xfe && bytes[1] === 0xff))) {
      bytes = bytes.subarray(2);
      this.offset += 2;
      this.carry = Buffer.alloc(0);
      return this.utf16(bytes, last);
    }
    let usable = bytes.length - (bytes.length % 2);
    // A high surrogate at the end waits for its partner in the next chunk.
    if (!last && usable >= 2 && isHigh(unit(bytes, usable - 2, this.encoding))) usable -= 2;
    if (last && usable !== bytes.length) this.fail(start + usable, 'an odd number of bytes: the last character is cut');
    for (let i = 0; i < usable; i += 2) {
      const code = unit(bytes, i, this.encoding);
      if (isHigh(code)) {
        if (i + 2 >= usable || !isLow(unit(bytes, i + 2, this.encoding))) this.fail(start + i, 'a high surrogate without its low surrogate', bytes.subarray(0, i));
        i += 2;
      } else if (isLow(code)) {
        this.fail(start + i, 'a low surrogate without its high surrogate', bytes.subarray(0, i));
      }
    }
    const body = Buffer.from(bytes.subarray(0, usable));
    if (this.encoding === 'utf-16be') body.swap16();
    this.carry = Buffer.from(bytes.subarray(usable));
    this.offset = start + bytes.length;
    return body.toString('utf16le');
  }

  private emit(text: string): Buffer {
    this.line += breaksIn(text, this.last);
    if (text) this.last = text[text.length - 1];
    return Buffer.from(text, 'utf8');
  }

  private fail(offset: number, detail: string, before?: Buffer): never {
    let line = this.line;
    if (before) {
      const text = before.length % 2 ? before.subarray(0, before.length - 1) : before;
      const decoded = (this.encoding === 'utf-16be' ? Buffer.from(text).swap16() : text).toString('utf16le');
      line += breaksIn(decoded, this.last);
    }
    throw new NotInEncodingError(this.encoding, line, offset, detail);
  }
}

/** Line breaks in decoded text as the staging reader counts them in bytes: LF, CRLF and a lone CR once each. */
function breaksIn(text: string, before: string): number {
  let count = 0;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) count++;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if ((i ? text[i - 1] : before) !== '\r') count++;
  return count;
}

function unit(bytes: Buffer, at: number, encoding: SourceEncoding): number {
  return encoding === 'utf-16be' ? (bytes[at] << 8) | bytes[at + 1] : bytes[at] | (bytes[at + 1] << 8);
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
