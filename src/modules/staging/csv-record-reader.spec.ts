import { describe, expect, it } from '@jest/globals';
import { CsvRecordReader, type CsvItem } from './csv-record-reader.js';

/** Every item of `text`, fed in chunks of `size` bytes (the whole text when 0), from a checkpoint. */
function read(text: string | Buffer, max: number, size = 0, from = { byte: 0, line: 1 }): CsvItem[] {
  const bytes = (typeof text === 'string' ? Buffer.from(text) : text).subarray(from.byte);
  const reader = new CsvRecordReader({ delimiter: ',', fromByte: from.byte, fromLine: from.line, maxRecordBytes: max });
  const items: CsvItem[] = [];
  const step = size || bytes.length || 1;
  for (let at = 0; at < bytes.length; at += step) items.push(...reader.push(bytes.subarray(at, at + step)));
  return [...items, ...reader.end()];
}

/** What a test compares: records by their fields, problems by their code; each with its place. */
const brief = (items: CsvItem[]): unknown[] =>
  items.map((item) => [item.line, item.kind === 'record' ? item.fields.join('|') : item.code, item.startByte, item.endByte, item.nextLine]);

describe('CsvRecordReader with a record size limit', () => {
  const long = 'x'.repeat(50);
  const text = ['id,name', '1,Ada', `2,${long}`, '3,"Grace', 'Hopper"', '4,Alan', ''].join('\r\n');

  it('turns a record longer than the limit into LINE_TOO_LONG at its line, and reads the records around it, in any chunking', () => {
    const whole = read(text, 20);
    expect(brief(whole)).toEqual([
      [1, 'id|name', 0, 9, 2],
      [2, '1|Ada', 9, 16, 3],
      [3, 'LINE_TOO_LONG', 16, 70, 4],
      [4, '3|Grace\r\nHopper', 70, 89, 6],
      [6, '4|Alan', 89, 97, 7],
    ]);
    const problem = whole[2] as Extract<CsvItem, { kind: 'problem' }>;
    expect(problem.raw).toBe(`2,${long}`);
    expect(problem.message).toContain('longer than the limit of 20 bytes (ROSTERSYNC_MAX_LINE_BYTES)');
    for (const size of [1, 2, 3, 7, 19, 23]) expect(brief(read(text, 20, size))).toEqual(brief(whole));
  });

  it('keeps a record exactly as long as the limit, line break not counted', () => {
    expect(brief(read('1,abc\r\n2,abcd\r\n3,abcde', 6, 1)).map((item) => (item as unknown[])[1])).toEqual(['1|abc', '2|abcd', 'LINE_TOO_LONG']);
  });

  it('follows a long record by its quotes: a line break inside quotes does not end it, the closing quote does', () => {
    const quoted = `1,"${long}\n${long}\n""${long}",x\n2,after\n`;
    const items = read(quoted, 40, 16);
    expect(brief(items)).toEqual([
      [1, 'LINE_TOO_LONG', 0, quoted.indexOf('2,after'), 4],
      [4, '2|after', quoted.indexOf('2,after'), quoted.length, 5],
    ]);
    // Without the limit the same text is the same records: the limit changes where none begins or ends.
    expect(brief(read(quoted, 1000, 16)).map((item) => (item as unknown[])[0])).toEqual([1, 4]);
  });

  it('reads a quote that is never closed to the end of the file, keeping only the first bytes of it', () => {
    const tail = Array.from({ length: 20_000 }, (_, i) => `${i},name ${i}`).join('\n');
    const runaway = `id,name\n1,Ada\n2,"Unclosed\n${tail}\n`;
    const items = read(runaway, 1024, 64 * 1024);
    expect(brief(items)).toEqual([
      [1, 'id|name', 0, 8, 2],
      [2, '1|Ada', 8, 14, 3],
      [3, 'LINE_TOO_LONG', 14, Buffer.byteLength(runaway), 20_004],
    ]);
    const problem = items[2] as Extract<CsvItem, { kind: 'problem' }>;
    expect(problem.message).toContain('never closed');
    expect(problem.raw.length).toBe(4096);
    expect(problem.raw.startsWith('2,"Unclosed\n0,name 0\n')).toBe(true);
  });

  it('resumes from the checkpoint after a long record as if it had read on', () => {
    const whole = read(text, 20, 5);
    const problem = whole[2];
    expect(brief(read(text, 20, 5, { byte: problem.endByte, line: problem.nextLine }))).toEqual(brief(whole.slice(3)));
  });

  it('tells the line of a byte in a long record it is following', () => {
    const reader = new CsvRecordReader({ delimiter: ',', fromByte: 0, fromLine: 1, maxRecordBytes: 16 });
    const pushed = Buffer.from(`a,b\n1,"open\n${long}\n`);
    reader.push(pushed);
    expect(reader.skippingLine).toBe(2);
    // "x\ny\nz" comes next: its z is on line 6.
    expect(reader.lineAt(pushed.length + 4, Buffer.from('x\ny\nz'))).toBe(6);
  });
});

describe('CsvRecordReader with mixed line breaks', () => {
  // An export edited by hand: CRLF from the HR system, LF and a lone CR from an editor, and a CRLF inside quotes.
  const text = 'id,name\r\n1,Ada\n2,"Grace\r\nHopper"\r3,Alan\r\n4,Edsger\n';

  it('ends a record at any line break, whichever came first in the file, in any chunking', () => {
    const whole = read(text, 1000);
    expect(brief(whole)).toEqual([
      [1, 'id|name', 0, 9, 2],
      [2, '1|Ada', 9, 15, 3],
      [3, '2|Grace\r\nHopper', 15, 33, 5],
      [5, '3|Alan', 33, 41, 6],
      [6, '4|Edsger', 41, 50, 7],
    ]);
    for (const size of [1, 2, 3, 8, 9, 10]) expect(brief(read(text, 1000, size))).toEqual(brief(whole));
    expect(brief(read(text.replace('id,name\r\n', 'id,name\n'), 1000, 1)).map((item) => (item as unknown[])[1])).toEqual(
      brief(whole).map((item) => (item as unknown[])[1]),
    );
  });

  it('reads on after a record over the limit with the same breaks the skipper ended it at', () => {
    const long = `9,${'x'.repeat(40)}\n`;
    const items = read(`id,name\r\n${long}1,Ada\r\n2,Grace\n`, 20, 4);
    expect(brief(items).map((item) => (item as unknown[]).slice(0, 2))).toEqual([[1, 'id|name'], [2, 'LINE_TOO_LONG'], [3, '1|Ada'], [4, '2|Grace']]);
  });
});
