/** A problem with one line of a file: stored, counted and reported; the rest of the file goes on. */
export interface LineError {
  line: number;
  /** The CSV column's header, when the problem is in one column. */
  column: string | null;
  code: LineErrorCode;
  message: string;
  /** The original text of the line; null when it is read back from the file on demand. */
  raw: string | null;
  startByte: number | null;
  endByte: number | null;
  /** The person's key when the line has a readable one: a full import must not treat them as absent. */
  key?: string | null;
}

export type LineErrorCode =
  | 'CSV_SYNTAX'
  | 'LINE_TOO_LONG'
  | 'WRONG_FIELD_COUNT'
  | 'MISSING_KEY'
  | 'INVALID_EMAIL'
  | 'INVALID_STATUS'
  | 'INVALID_VALUE'
  | 'INVALID_PHONE'
  | 'VALUE_TOO_LONG'
  | 'INVALID_CHARACTER'
  | 'UNKNOWN_COLUMN'
  | 'DUPLICATE_KEY'
  | 'EMAIL_IN_USE'
  | 'EXTERNAL_ID_IN_USE';
