import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { corpus } from '../../../test/support/corpora.js';
import { detectEncoding, NotInEncodingError, ToUtf8, type SourceEncoding } from './to-utf8.js';

function convert(encoding: SourceEncoding, bytes: Buffer, chunkSize = 3): string {
  const converter = new ToUtf8(encoding);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) out.push(converter.push(bytes.subarray(i, i + chunkSize)));
  out.push(converter.end());
  return Buffer.concat(out).toString('utf8');
}

async function* chunks(bytes: Buffer): AsyncIterable<Buffer> {
  yield bytes;
}

const bench = (name: string): Buffer => fs.readFileSync(corpus('mafintosh-csv-parser', 'fixtures', 'bench', name));

describe('ToUtf8', () => {
  it('reads UTF-16LE and UTF-16BE with their BOM, split anywhere, surrogate pairs included', () => {
    expect(convert('utf-16le', bench('utf16.csv'))).toBe('a,b,c\n1,2,3\n4,5,ʤ');
    expect(convert('utf-16be', bench('utf16-big.csv'), 1)).toBe(convert('utf-16le', bench('utf16.csv'), 5));
    const pair = Buffer.from('\ufeffid\n😀\n', 'utf16le');
    for (const size of [1, 2, 3, 5]) expect(convert('utf-16le', pair, size)).toBe('id\n😀\n');
  });

  it('reads ISO-8859-1 byte for byte, and windows-1252 by the WHATWG table (0x80 is €)', () => {
    expect(convert('iso-8859-1', bench('latin.csv'))).toBe('a,b,c\n1,2,3\n4,5,©');
    const index = fs.readFileSync(corpus('whatwg-encoding-indexes', 'index-windows-1252.txt'), 'utf8');
    for (const [, pointer, codePoint] of index.matchAll(/^\s*(\d+)\s+0x([0-9A-F]+)/gm)) {
      expect(convert('windows-1252', Buffer.from([0x80 + Number(pointer)])).codePointAt(0)).toBe(parseInt(codePoint, 16));
    }
  });

  it('names the line of an unpaired surrogate or a cut last character, and never writes U+FFFD', () => {
    const bad = Buffer.concat([Buffer.from('id\nok\n', 'utf16le'), Buffer.from([0x00, 0xd8, 0x41, 0x00])]);
    expect(() => convert('utf-16le', bad)).toThrow(NotInEncodingError);
    expect(() => convert('utf-16le', bad)).toThrow(/^Line 3 is not valid UTF-16LE \(a high surrogate without its low surrogate, byte offset 12\)/);
    expect(() => convert('utf-16le', Buffer.from([0x61, 0x00, 0x62]))).toThrow(/odd number of bytes/);
  });

  it('counts lines as an editor does: CRLF, LF and a lone CR once each, a CRLF split between chunks too', () => {
    const bad = Buffer.concat([Buffer.from('id\r\nok\rok\nok\r\n', 'utf16le'), Buffer.from([0x00, 0xd8, 0x41, 0x00])]);
    for (const size of [1, 2, 3, 4, 6, 64]) expect(() => convert('utf-16le', bad, size)).toThrow(/^Line 5 is not valid UTF-16LE/);
  });

  it('detects an encoding by BOM, else UTF-8 when every byte is, else windows-1252', async () => {
    expect(await detectEncoding(chunks(bench('utf16.csv')))).toBe('utf-16le');
    expect(await detectEncoding(chunks(bench('utf16-big.csv')))).toBe('utf-16be');
    expect(await detectEncoding(chunks(bench('utf8.csv')))).toBe('utf-8');
    expect(await detectEncoding(chunks(bench('latin.csv')))).toBe('windows-1252');
  });
});
