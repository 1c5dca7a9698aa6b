import type { HostGuard } from './host-guard.js';
import type { SourceWithSecrets } from './sources.repository.js';

/** What every pull is held to. */
export interface PullLimits {
  guard: HostGuard;
  maxBytes: number;
  /** The whole connection (connect, choose, download) must end by then. */
  deadline: AbortSignal;
  timeoutSeconds: number;
}

/** The file a source offers now. */
export interface RemoteFile {
  name: string;
  /** Where it is: the remote path (SFTP) or the final URL after redirects (HTTPS). */
  location: string;
  size: number | null;
  modifiedAt: string | null;
}

/**
 * An open connection to a source, positioned on the file it would take. `read` streams its bytes
 * (at most the limit, or fails); `afterImport` does what the source says with the remote file once
 * it is stored; `close` always ends the connection.
 */
export interface SourceConnection {
  file: RemoteFile;
  read(): AsyncIterable<Buffer>;
  afterImport(): Promise<string | null>;
  close(): Promise<void>;
}

export interface Puller {
  connect(source: SourceWithSecrets, limits: PullLimits): Promise<SourceConnection>;
}
