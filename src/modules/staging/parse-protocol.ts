import type { KeyField, MappedColumn } from '../imports/import-config.js';
import type { LineError } from './line-error.js';

/** What the parse thread needs to read a file from a checkpoint. */
export interface ParseSetup {
  workspaceId: string;
  importId: string;
  delimiter: string;
  fromByte: number;
  fromLine: number;
  headers: string[];
  mapping: MappedColumn[];
  key: KeyField;
  batchSize: number;
  /** A record longer than this is a LINE_TOO_LONG error. */
  maxLineBytes: number;
}

/** A batch ready to commit: staged rows as COPY text (UTF-8), line errors, and the checkpoint it reaches. */
export interface ParsedBatch {
  copyText: Uint8Array;
  rows: number;
  errors: LineError[];
  next: { byte: number; line: number };
  final: boolean;
}

export type ToParser = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };

export type FromParser =
  | { type: 'need' }
  | ({ type: 'batch' } & ParsedBatch)
  | { type: 'fatal'; message: string }
  | { type: 'crash'; message: string };
