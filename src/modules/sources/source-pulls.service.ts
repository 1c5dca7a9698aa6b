import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import type { CustomFieldDefinition } from '../directory/custom-field-types.js';
import type { ImportConfig } from '../imports/import-config.js';
import { sampleStream, type FileSample } from '../staging/file-sample.js';
import { HostGuard } from './host-guard.js';
import { HttpsPuller } from './https-puller.js';
import { SftpPuller } from './sftp-puller.js';
import type { Puller, PullLimits, RemoteFile, SourceConnection } from './source-connection.js';
import type { SourceWithSecrets } from './sources.repository.js';

/** Moving or deleting the remote file may take this long; then the connection is closed. */
const AFTER_IMPORT_SECONDS = 60;

/** `work`'s result, or a rejection after `seconds` (when `giveUp` runs). */
async function withinSeconds<T>(seconds: number, work: Promise<T>, giveUp: () => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void giveUp();
      reject(new Error(`no answer within ${seconds} s`));
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A pulled file on local disk, read back once into the file store and then removed. */
export interface Download {
  file: RemoteFile;
  localPath: string;
  size: number;
  sha256: string;
  /** Opens the local copy. */
  bytes(): AsyncIterable<Buffer>;
}

/**
 * Connects to sources under the deployment's limits (allowed hosts, size, time): a test that
 * samples the file, or a download to local disk with its sha256, the connection held open until
 * the caller is done (so the remote file can be moved or deleted once the import is stored).
 */
@Injectable()
export class SourcePulls {
  private readonly logger = new Logger('sources');
  private readonly guard: HostGuard;

  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly https: HttpsPuller,
    private readonly sftp: SftpPuller,
  ) {
    this.guard = new HostGuard(env.allowHosts);
  }

  /** The file the source would give now, its dialect and its first rows. */
  async test(source: SourceWithSecrets, config: ImportConfig | undefined, customFields: readonly CustomFieldDefinition[]): Promise<{ file: RemoteFile; sample: FileSample }> {
    return this.connected(source, async (connection) => ({ file: connection.file, sample: await sampleStream(connection.read(), config, customFields) }));
  }

  /**
   * Downloads the source's file to local disk and hands it to `work` while the connection is still
   * open; `work` returns whether the file was used (imported), and then the source's afterImport
   * rule runs. The local copy is always removed.
   */
  async download<T>(source: SourceWithSecrets, work: (download: Download) => Promise<{ used: boolean; result: T }>): Promise<T & { afterImport: string | null }> {
    return this.connected(source, async (connection, stopClock) => {
      const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'rostersync-pull-'));
      const localPath = path.join(folder, 'file');
      try {
        const hash = createHash('sha256');
        let size = 0;
        await pipeline(
          connection.read(),
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              hash.update(chunk);
              size += chunk.length;
              yield chunk;
            }
          },
          createWriteStream(localPath),
        );
        stopClock();
        const download: Download = { file: connection.file, localPath, size, sha256: hash.digest('hex'), bytes: () => createReadStream(localPath, { highWaterMark: 1024 * 1024 }) };
        const { used, result } = await work(download);
        let afterImport: string | null = null;
        if (used) {
          // The import is committed: a failure here leaves the remote file where it was, nothing more.
          afterImport = await withinSeconds(AFTER_IMPORT_SECONDS, connection.afterImport(), () => connection.close()).catch((error: Error) => {
            this.logger.warn({ source: source.id, err: error }, 'the after-import rule failed');
            return `${source.afterImport} failed: ${error.message}`;
          });
        }
        return { ...result, afterImport };
      } finally {
        await fs.rm(folder, { recursive: true, force: true });
      }
    });
  }

  /** Connects under the time limit, which covers connecting and reading; `work` stops the clock when the bytes are in. */
  private async connected<T>(source: SourceWithSecrets, work: (connection: SourceConnection, stopClock: () => void) => Promise<T>): Promise<T> {
    const clock = new AbortController();
    const timer = setTimeout(() => clock.abort(), this.env.downloadTimeoutSeconds * 1000);
    const limits: PullLimits = { guard: this.guard, maxBytes: this.env.maxDownloadBytes, deadline: clock.signal, timeoutSeconds: this.env.downloadTimeoutSeconds };
    try {
      const connection = await this.puller(source).connect(source, limits);
      try {
        return await work(connection, () => clearTimeout(timer));
      } finally {
        await connection.close();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private puller(source: SourceWithSecrets): Puller {
    return source.uri.startsWith('sftp:') ? this.sftp : this.https;
  }
}
