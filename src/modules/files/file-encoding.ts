import type { Tx } from '../database/database.js';
import { ValidationError } from '../http/domain-errors.js';
import type { FileStore, StoredFile } from './file-store.js';
import { detectEncoding, NotInEncodingError, ToUtf8, type Encoding } from './to-utf8.js';

/**
 * A stored file in UTF-8, once: a file in another encoding (declared, or detected with `auto`) is
 * converted into a new stored copy, in the caller's transaction, and the original removed. The
 * copy's size and sha256 are those of the UTF-8 bytes every checkpoint refers to.
 */
export async function storeAsUtf8(files: FileStore, tx: Tx, workspaceId: string, file: StoredFile, encoding: Encoding, maxBytes: number): Promise<StoredFile> {
  const source = encoding === 'auto' ? await detectEncoding(files.open(workspaceId, file.id, 0, tx)) : encoding;
  if (source === 'utf-8') return file;
  const converter = new ToUtf8(source);
  async function* converted(): AsyncIterable<Buffer> {
    for await (const chunk of files.open(workspaceId, file.id, 0, tx)) yield converter.push(chunk);
    yield converter.end();
  }
  try {
    // UTF-16 text grows by at most half in UTF-8 (3 bytes for 2); single-byte encodings at most double.
    const stored = await files.put(tx, workspaceId, file.name, converted(), maxBytes * 2);
    await files.remove(tx, workspaceId, file.id);
    return stored;
  } catch (error) {
    if (error instanceof NotInEncodingError) throw new ValidationError(error.message, [{ field: 'file', message: error.message }]);
    throw error;
  }
}
