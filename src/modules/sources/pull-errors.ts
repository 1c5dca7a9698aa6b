import { SourceError } from '../http/domain-errors.js';
import type { PullLimits } from './source-connection.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN']);

/** A connection's failure as a SourceError a person can act on; SourceErrors pass through. */
export function pullError(error: unknown, where: string, limits: PullLimits): SourceError {
  if (error instanceof SourceError) return error;
  const { code, message, name } = error as NodeJS.ErrnoException;
  if (limits.deadline.aborted || name === 'AbortError') {
    return new SourceError('timeout', `${where} did not finish within ${limits.timeoutSeconds} s (ROSTERSYNC_DOWNLOAD_TIMEOUT_SECONDS).`);
  }
  if (code && UNREACHABLE.has(code)) return new SourceError('host_unreachable', `${where} cannot be reached (${code}): check the host, the port and the firewall.`);
  if (code && (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))) {
    return new SourceError('tls_error', `TLS with ${where} failed: ${message} (${code}). If the server uses a private CA or a self-signed certificate, give it as caCertificate.`);
  }
  return new SourceError('source_failed', `${where} failed: ${message}`);
}

export function tooLarge(where: string, maxBytes: number): SourceError {
  return new SourceError('too_large', `The file at ${where} is larger than ${maxBytes} bytes (ROSTERSYNC_MAX_DOWNLOAD_BYTES).`);
}

/** The bytes of a download, failing past the size limit; `release` runs however it ends. */
export async function* limitedBytes(chunks: AsyncIterable<Buffer>, where: string, limits: PullLimits, release: () => void): AsyncIterable<Buffer> {
  let total = 0;
  try {
    for await (const chunk of chunks) {
      total += chunk.length;
      if (total > limits.maxBytes) throw tooLarge(where, limits.maxBytes);
      yield chunk;
    }
  } catch (error) {
    throw pullError(error, where, limits);
  } finally {
    release();
  }
}
