import type { Tx } from '../database/database.js';

export interface StoredFile {
  id: string;
  name: string;
  size: number;
  sha256: string;
}

/**
 * Where uploaded and fetched files live. Jobs read a file only through `open`, from any byte,
 * so a resumed job continues where its checkpoint says.
 */
export interface FileStore {
  /** Stores the bytes within the caller's transaction; throws (and stores nothing) past `maxBytes`. */
  put(tx: Tx, workspaceId: string, name: string, bytes: AsyncIterable<Buffer>, maxBytes: number): Promise<StoredFile>;
  describe(workspaceId: string, fileId: string): Promise<StoredFile>;
  /** With `tx`, reads within that transaction (a file stored by it and not yet committed). */
  open(workspaceId: string, fileId: string, fromByte?: number, tx?: Tx): AsyncIterable<Buffer>;
  remove(tx: Tx, workspaceId: string, fileId: string): Promise<void>;
  /** The bytes of each range, `start` up to `end` (exclusive), in one read; throws for bytes no longer stored. */
  readRanges(workspaceId: string, fileId: string, ranges: readonly ByteRange[]): Promise<Buffer[]>;
}

export interface ByteRange {
  start: number;
  end: number;
}

export const FILE_STORE = Symbol('FILE_STORE');

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than the limit of ${maxBytes} bytes`);
  }
}
