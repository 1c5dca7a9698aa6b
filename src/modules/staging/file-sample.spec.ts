import { describe, expect, it } from '@jest/globals';
import { normaliseConfig } from '../imports/import-config.js';
import { sampleFile } from './file-sample.js';

describe('sampleFile', () => {
  it('detects the delimiter, the encoding and a header row naming known fields', async () => {
    const bytes = Buffer.concat([Buffer.from('Employee ID;E-mail;Name\n1;a@example.com;"Caf'), Buffer.from([0xe9]), Buffer.from('; Bar"\n')]);
    expect(await sampleFile(bytes, false)).toEqual({
      encoding: 'windows-1252',
      delimiter: ';',
      header: true,
      columns: ['Employee ID', 'E-mail', 'Name'],
      rows: [['1', 'a@example.com', 'Café; Bar']],
      mapping: [
        { column: 'Employee ID', field: 'externalId' },
        { column: 'E-mail', field: 'email' },
        { column: 'Name', field: 'displayName' },
      ],
      problem: null,
    });
  });

  it('takes a first row of data for data: no header, numbered columns', async () => {
    const sample = await sampleFile(Buffer.from('1001,ada@example.com,Ada\n1002,alan@example.com,Alan\n'), false);
    expect(sample).toMatchObject({ header: false, columns: ['column 1', 'column 2', 'column 3'], rows: [['1001', 'ada@example.com', 'Ada'], ['1002', 'alan@example.com', 'Alan']] });
  });

  it('drops the cut last line of a truncated sample, so no row or character is cut in two', async () => {
    const text = Buffer.from('id,name\n1,Zoë\n2,Zoë\n');
    const cut = text.subarray(0, text.length - 3); // inside the second "ë"
    expect(await sampleFile(cut, true)).toMatchObject({ encoding: 'utf-8', rows: [['1', 'Zoë']], problem: null });
  });

  it('reads rows with mixed line breaks, and cuts a truncated sample at its last break of any kind', async () => {
    const rows = [['1', 'Ada'], ['2', 'Grace'], ['3', 'Alan'], ['4', 'Edsger']];
    const text = Buffer.from('id,name\r\n1,Ada\n2,Grace\r3,Alan\r\n4,Edsger\r');
    expect(await sampleFile(text, false)).toMatchObject({ columns: ['id', 'name'], rows });
    expect(await sampleFile(text.subarray(0, text.length - 1), true)).toMatchObject({ rows: rows.slice(0, 3) });
    expect(await sampleFile(Buffer.from('id,name\r1,Ada\r2,Gra'), true)).toMatchObject({ rows: [['1', 'Ada']] });
  });

  it('reads with a config: its encoding, delimiter, header and column names', async () => {
    const config = normaliseConfig({ mapping: { id: 'externalId', mail: 'email' }, parsing: { header: false, columns: ['id', 'mail'], delimiter: '|', encoding: 'iso-8859-1' } });
    const sample = await sampleFile(Buffer.from('7|x@example.com\n'), false, config);
    expect(sample).toMatchObject({ encoding: 'iso-8859-1', delimiter: '|', header: false, columns: ['id', 'mail'], rows: [['7', 'x@example.com']] });
    expect(sample.mapping).toEqual([{ column: 'id', field: 'externalId' }, { column: 'mail', field: 'email' }]);
  });

  it('names a file invalid in its declared encoding instead of showing replacement characters', async () => {
    const config = normaliseConfig({ parsing: { encoding: 'utf-16le' } });
    const sample = await sampleFile(Buffer.from([0x61, 0x00, 0x00, 0xdc]), false, config);
    expect(sample.problem).toMatch(/^Line 1 is not valid UTF-16LE/);
    expect(sample.rows).toEqual([]);
  });
});
