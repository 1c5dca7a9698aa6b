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
