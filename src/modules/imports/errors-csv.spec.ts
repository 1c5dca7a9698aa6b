import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { corpus } from '../../../test/support/corpora.js';
import { csvLine } from './errors-csv.js';

interface FormulaCase {
  description: string;
  input: Record<string, string>[];
  config?: { escapeFormulae?: boolean; quotes?: boolean; quoteChar?: string };
  expected: string;
}

const CASES = (JSON.parse(fs.readFileSync(corpus('papaparse', 'extracted', 'unparse_escape_formulae_tests.json'), 'utf8')) as FormulaCase[])
  // errors.csv quotes every cell with '"' and always escapes: Papa Parse's cases with the same options.
  .filter((c) => c.config?.escapeFormulae && c.config.quotes && (c.config.quoteChar ?? '"') === '"');

describe('errors.csv cells against spreadsheet formula injection (Papa Parse escapeFormulae cases)', () => {
  it('has the cases', () => expect(CASES.length).toBe(2));

  it.each(CASES.map((c) => [c.description, c] as const))('%s', (_, c) => {
    const header = Object.keys(c.input[0]);
    const lines = [header, ...c.input.map((row) => header.map((column) => row[column]))].map(csvLine);
    expect(lines.join('')).toBe(c.expected + '\r\n');
  });
});
