import type { FileStore } from '../files/file-store.js';

/** Most bytes of an original line shown with its error. */
const SHOWN_BYTES = 4096;

/** An error's original line, read from the stored file by its byte range, without its line break. */
export async function originalLine(files: FileStore, workspaceId: string, fileId: string, start: string | null, end: string | null): Promise<string> {
  if (start === null || end === null) return '';
  const bytes = await files.readRange(workspaceId, fileId, Number(start), Math.min(Number(end), Number(start) + SHOWN_BYTES));
  // A NUL byte cannot be stored in PostgreSQL text (the line is reported for it): shown as U+FFFD.
  return bytes.toString('utf8').replace(/(\r\n|\r|\n)$/, '').replaceAll('\u0000', '\ufffd');
}
