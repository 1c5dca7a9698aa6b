import type { FileStore } from '../files/file-store.js';

/** Most bytes of an original line shown with its error. */
const SHOWN_BYTES = 4096;

/** Where an error's line is in the stored file (null: the error has no line, e.g. a file-level one). */
export interface LineBytes {
  start: string | null;
  end: string | null;
}

/**
 * Errors' original lines, read from the stored file by their byte ranges in one query, without
 * their line break. A NUL byte (the line is reported for it) cannot be stored in PostgreSQL text:
 * it shows as U+FFFD.
 */
export async function originalLines(files: FileStore, workspaceId: string, fileId: string, lines: readonly LineBytes[]): Promise<string[]> {
  const ranges = lines.map(({ start, end }) =>
    start === null || end === null ? { start: 0, end: 0 } : { start: Number(start), end: Math.min(Number(end), Number(start) + SHOWN_BYTES) },
  );
  const bytes = await files.readRanges(workspaceId, fileId, ranges);
  return bytes.map((line) => line.toString('utf8').replace(/(\r\n|\r|\n)$/, '').replaceAll('\u0000', '\ufffd'));
}
