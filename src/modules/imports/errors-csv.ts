import type { ErrorRow } from './preview.repository.js';

const HEADER = ['line', 'column', 'code', 'message', 'raw'];

/** One CSV line (errors.csv, recovery codes), each cell quoted and guarded against formula injection. */
export function csvLine(row: ErrorRow | string[]): string {
  const cells = Array.isArray(row) ? row : [String(row.line), row.column ?? '', row.code, row.message, row.raw];
  return `${cells.map(cell).join(',')}\r\n`;
}

export const ERRORS_CSV_HEADER = csvLine(HEADER);

/** Spreadsheets run a cell starting with = + - @ (or tab/CR) as a formula: prefix a quote. */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}
