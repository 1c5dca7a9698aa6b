import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { SourceError } from '../http/domain-errors.js';
import { pinnedLookup } from './host-guard.js';
import { limitedBytes, pullError, tooLarge } from './pull-errors.js';
import type { Puller, PullLimits, SourceConnection } from './source-connection.js';
import type { SourceWithSecrets } from './sources.repository.js';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Pulls a file over HTTPS. Every hop (the first request and each redirect) resolves its host once,
 * checks it against the HostGuard and connects to that address; redirects must stay on https, and
 * credentials are only sent to the source's own origin.
 */
@Injectable()
export class HttpsPuller implements Puller {
  async connect(source: SourceWithSecrets, limits: PullLimits): Promise<SourceConnection> {
    const origin = new URL(source.uri).origin;
    let url = new URL(source.uri);
    for (let hop = 0; ; hop++) {
      const response = await this.get(url, source, limits, url.origin === origin);
      try {
        const status = response.statusCode ?? 0;
        if (REDIRECTS.has(status) && response.headers.location) {
          response.destroy();
          if (hop === MAX_REDIRECTS) throw new SourceError('too_many_redirects', `${source.uri} redirected more than ${MAX_REDIRECTS} times.`);
          const next = new URL(response.headers.location, url);
          if (next.protocol !== 'https:') throw new SourceError('insecure_redirect', `${url.href} redirects to ${next.href}, which is not https: refused.`);
          url = next;
          continue;
        }
        if (status !== 200) throw statusError(status, url);
        const length = Number(response.headers['content-length']);
        if (Number.isFinite(length) && length > limits.maxBytes) throw tooLarge(url.href, limits.maxBytes);
        const modified = Date.parse(response.headers['last-modified'] ?? '');
        return {
          file: {
            name: fileName(response, url),
            location: url.href,
            size: Number.isFinite(length) ? length : null,
            modifiedAt: Number.isNaN(modified) ? null : new Date(modified).toISOString(),
          },
          read: () => capped(response, url.href, limits),
          afterImport: async () => null,
          close: async () => {
            response.destroy();
          },
        };
      } catch (error) {
        // Whatever the server sent is not read further: no body drains after the clock stops.
        response.destroy();
        throw error instanceof SourceError ? error : new SourceError('http_error', `${url.href} sent a response that cannot be used: ${(error as Error).message}`);
      }
    }
  }

  private async get(url: URL, source: SourceWithSecrets, limits: PullLimits, ownOrigin: boolean): Promise<IncomingMessage> {
    const where = url.host;
    const address = await limits.guard.resolve(url.hostname);
    const headers: Record<string, string> = { 'user-agent': 'rostersync', accept: 'text/csv, text/plain, */*' };
    if (ownOrigin && source.auth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${source.username}:${source.secrets.password}`).toString('base64')}`;
    }
    if (ownOrigin && source.auth === 'bearer') headers.authorization = `Bearer ${source.secrets.token}`;
    return new Promise((resolve, reject) => {
      const request = https.get(url, {
        headers,
        lookup: pinnedLookup(address),
        ca: source.caCertificate ? [...rootCertificates, source.caCertificate] : undefined,
        signal: limits.deadline,
        agent: false,
      });
      request.on('response', resolve);
      request.on('error', (error) => reject(pullError(error, where, limits)));
    });
  }
}

async function* capped(response: IncomingMessage, where: string, limits: PullLimits): AsyncIterable<Buffer> {
  yield* limitedBytes(response, where, limits, () => response.destroy());
  if (!response.complete) throw new SourceError('source_failed', `${where} ended the download before the whole file was sent.`);
}

function statusError(status: number, url: URL): SourceError {
  if (status === 401 || status === 403) return new SourceError('auth_failed', `${url.host} refused the credentials (HTTP ${status}): check the username and password or the token.`);
  if (status === 404) return new SourceError('file_not_found', `${url.href} does not exist (HTTP 404).`);
  return new SourceError('http_error', `${url.href} answered HTTP ${status}.`);
}

/** The name from Content-Disposition, else the last segment of the URL's path. */
function fileName(response: IncomingMessage, url: URL): string {
  const disposition = response.headers['content-disposition'] ?? '';
  const quoted = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const name = (quoted ? decoded(quoted) : decoded(url.pathname.split('/').filter(Boolean).pop() ?? '')).replace(/[/\\]/g, '_');
  return name || 'download.csv';
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
