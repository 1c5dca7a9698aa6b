import { describe, expect, it } from '@jest/globals';
import { CopyTextBuffer } from './copy-text.js';

const text = (buffer: CopyTextBuffer): string => Buffer.from(buffer.take()).toString('utf8');

describe('CopyTextBuffer', () => {
  it('writes each row after its prefix, escaping what COPY text treats specially and NULL as \\N', () => {
    const buffer = new CopyTextBuffer('w\ti\t');
    buffer.writeRow(['a\tb', 'line\nbreak', 'back\\slash', 'cr\r', null, 7]);
    expect(text(buffer)).toBe('w\ti\ta\\tb\tline\\nbreak\tback\\\\slash\tcr\\r\t\\N\t7\n');
  });

  it('keeps every byte when it grows past its first capacity, multi-byte characters included', () => {
    const buffer = new CopyTextBuffer('Zoë\t', 4);
    const rows = Array.from({ length: 50 }, (_, i) => [i, `Ångström 𝄞 ${'é'.repeat(i)}`]);
    rows.forEach((row) => buffer.writeRow(row));
    expect(text(buffer)).toBe(rows.map(([i, name]) => `Zoë\t${i}\t${name}\n`).join(''));
  });

  it('starts again empty after take, and the taken bytes stay intact', () => {
    const buffer = new CopyTextBuffer('', 16);
    buffer.writeRow(['first']);
    const first = buffer.take();
    buffer.writeRow(['second']);
    expect(Buffer.from(first).toString()).toBe('first\n');
    expect(text(buffer)).toBe('second\n');
    expect(buffer.take().byteLength).toBe(0);
  });
});
