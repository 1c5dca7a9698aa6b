import { describe, expect, it } from '@jest/globals';
import { CopyTextBuffer, copyTextRow } from './copy-text.js';

describe('copyTextRow', () => {
  it('escapes what COPY text treats specially and writes NULL as \\N', () => {
    expect(copyTextRow(['a\tb', 'line\nbreak', 'back\\slash', null, 7])).toBe('a\\tb\tline\\nbreak\tback\\\\slash\t\\N\t7\n');
  });
});

describe('CopyTextBuffer', () => {
  it('keeps every byte when it grows past its first capacity, multi-byte characters included', () => {
    const buffer = new CopyTextBuffer(8);
    const rows = Array.from({ length: 50 }, (_, i) => `${i}\tZoë Ångström ${'é'.repeat(i)}\n`);
    rows.forEach((row) => buffer.write(row));
    expect(Buffer.from(buffer.take()).toString('utf8')).toBe(rows.join(''));
  });

  it('writes a row as copyTextRow encodes it, after its prefix, across growth', () => {
    const buffer = new CopyTextBuffer(4);
    const rows: (string | number | null)[][] = [['a\tb', 'Zoë\nÅngström', null, 7], ['𝄞 clef', '', 'back\\slash', 'x'.repeat(40)]];
    rows.forEach((row) => buffer.writeRow('w\ti\t', row));
    expect(Buffer.from(buffer.take()).toString('utf8')).toBe(rows.map((row) => `w\ti\t${copyTextRow(row)}`).join(''));
  });

  it('starts again empty after take, and the taken bytes stay intact', () => {
    const buffer = new CopyTextBuffer(16);
    buffer.write('first\n');
    const first = buffer.take();
    buffer.write('second\n');
    expect(Buffer.from(first).toString()).toBe('first\n');
    expect(Buffer.from(buffer.take()).toString()).toBe('second\n');
    expect(buffer.take().byteLength).toBe(0);
  });
});
