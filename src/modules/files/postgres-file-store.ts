import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '../database/database.js';
import { NotFoundError } from '../http/domain-errors.js';
import { FileTooLargeError, type ByteRange, type FileStore, type StoredFile } from './file-store.js';

/** 1 MiB rows: large enough for few statements, small enough to seek without reading much. */
const CHUNK_SIZE = 1024 * 1024;

/** Files kept in PostgreSQL, so every worker on every machine reads the same bytes. */
@Injectable()
export class PostgresFileStore implements FileStore {
  constructor(private readonly db: Database) {}

  async put(tx: Tx, workspaceId: string, name: string, bytes: AsyncIterable<Buffer>, maxBytes: number): Promise<StoredFile> {
    const [{ id }] = await tx.query<{ id: string }>(
      `INSERT INTO files (workspace_id, name, size, sha256, chunk_size) VALUES ($1, $2, 0, '', $3) RETURNING id`,
      [workspaceId, name, CHUNK_SIZE],
    );
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (all: boolean): Promise<void> => {
      let buffer = Buffer.concat(pending);
      while (buffer.length >= CHUNK_SIZE || (all && buffer.length > 0)) {
        const chunk = buffer.subarray(0, CHUNK_SIZE);
        await tx.query('INSERT INTO file_chunks (workspace_id, file_id, seq, data) VALUES ($1, $2, $3, $4)', [
          workspaceId, id, seq++, chunk,
        ]);
        buffer = buffer.subarray(chunk.length);
      }
      pending = buffer.length ? [buffer] : [];
      pendingBytes = buffer.length;
    };
    for await (const piece of bytes) {
      size += piece.length;
      if (size > maxBytes) throw new FileTooLargeError(maxBytes);
      hash.update(piece);
      pending.push(piece);
      pendingBytes += piece.length;
      if (pendingBytes >= CHUNK_SIZE) await flush(false);
    }
    await flush(true);
    const sha256 = hash.digest('hex');
    await tx.query('UPDATE files SET size = $3, sha256 = $4 WHERE workspace_id = $1 AND id = $2', [workspaceId, id, size, sha256]);
    return { id, name, size, sha256 };
  }

  async describe(workspaceId: string, fileId: string): Promise<StoredFile> {
    const [row] = await this.db.query<{ id: string; name: string; size: string; sha256: string }>(
      'SELECT id, name, size, sha256 FROM files WHERE workspace_id = $1 AND id = $2',
      [workspaceId, fileId],
    );
    if (!row) throw new NotFoundError(`file ${fileId} not found`);
    return { id: row.id, name: row.name, size: Number(row.size), sha256: row.sha256 };
  }

  async readRanges(workspaceId: string, fileId: string, ranges: readonly ByteRange[]): Promise<Buffer[]> {
    if (!ranges.some((range) => range.end > range.start)) return ranges.map(() => Buffer.alloc(0));
    // substring on the server sends only the slices, not the 1 MiB chunks around them.
    const rows = await this.db.query<{ i: number; part: Buffer }>(
      `SELECT r.i::int AS i,
              string_agg(substring(c.data FROM greatest(r.s - c.seq::bigint * f.chunk_size, 0)::int + 1
                                          FOR least(r.e - c.seq::bigint * f.chunk_size, f.chunk_size)::int
                                              - greatest(r.s - c.seq::bigint * f.chunk_size, 0)::int), ''::bytea ORDER BY c.seq) AS part
         FROM unnest($3::bigint[], $4::bigint[]) WITH ORDINALITY AS r (s, e, i)
         JOIN files f ON f.workspace_id = $1 AND f.id = $2
         JOIN file_chunks c ON c.workspace_id = f.workspace_id AND c.file_id = f.id AND c.seq BETWEEN r.s / f.chunk_size AND (r.e - 1) / f.chunk_size
        WHERE r.e > r.s
        GROUP BY r.i`,
      [workspaceId, fileId, ranges.map((range) => range.start), ranges.map((range) => range.end)],
    );
    const parts = new Map(rows.map((row) => [row.i, row.part]));
    return ranges.map(({ start, end }, index) => {
      const bytes = parts.get(index + 1) ?? Buffer.alloc(0);
      // Short only when chunks are gone (retention removed them): never an empty or cut line instead.
      if (bytes.length < end - start) throw new Error(`file ${fileId}: bytes ${start}–${end} are no longer stored`);
      return bytes;
    });
  }

  async remove(tx: Tx, workspaceId: string, fileId: string): Promise<void> {
    await tx.query('DELETE FROM files WHERE workspace_id = $1 AND id = $2', [workspaceId, fileId]);
  }

  /** The bytes from `fromByte` on, one chunk per query: a read holds one chunk (and its hex text) in memory. */
  async *open(workspaceId: string, fileId: string, fromByte = 0, tx?: Tx): AsyncIterable<Buffer> {
    const db = tx ?? this.db;
    const [file] = await db.query<{ chunk_size: number; size: string }>(
      'SELECT chunk_size, size FROM files WHERE workspace_id = $1 AND id = $2',
      [workspaceId, fileId],
    );
    if (!file) throw new NotFoundError(`file ${fileId} not found`);
    // Every chunk but the last is chunk_size long.
    const chunks = Math.ceil(Number(file.size) / file.chunk_size);
    let skip = fromByte % file.chunk_size;
    for (let seq = Math.floor(fromByte / file.chunk_size); seq < chunks; seq++) {
      const [chunk] = await db.query<{ data: Buffer }>(
        'SELECT data FROM file_chunks WHERE workspace_id = $1 AND file_id = $2 AND seq = $3',
        [workspaceId, fileId, seq],
      );
      if (!chunk) throw new Error(`file ${fileId}: chunk ${seq} is missing`);
      yield skip ? chunk.data.subarray(skip) : chunk.data;
      skip = 0;
    }
  }
}
