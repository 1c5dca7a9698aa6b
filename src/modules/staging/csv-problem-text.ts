/** Why a record over the limit was not read, and what to do. */
export function describeTooLong(max: number, unclosedQuote: boolean): string {
  const over = `the record that starts on this line is longer than the limit of ${max} bytes (ROSTERSYNC_MAX_LINE_BYTES), so it was not read`;
  return unclosedQuote
    ? `${over}: a quoted field on it is never closed, so it runs to the end of the file and no line after it could be read. ` +
        'Add the closing quote (a quote inside a quoted field is written twice: "")'
    : `${over}: shorten it, check its quotes (a quoted field can hold line breaks, so one stray quote joins lines), or raise the limit`;
}

/** What a csv-parse error means for the person who made the file, and what to do. */
export function describeProblem(code: string): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts on this line is never closed, so the rest of the file could not be read: add the closing quote (a quote inside a quoted field is written twice: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote appears inside a field that does not start with a quote: enclose the whole field in quotes and write the inner quote twice ("")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows the closing quote of a field: a quote inside a quoted field must be written twice ("")';
    default:
      return `the line could not be read as CSV (${code})`;
  }
}
