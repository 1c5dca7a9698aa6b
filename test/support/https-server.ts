import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export type FileAuth = { basic: { username: string; password: string } } | { bearer: string };

export interface HttpsFileServer {
  /** e.g. 'https://127.0.0.1:43123' (and the cert is valid for both 127.0.0.1 and localhost) */
  origin: string;
  port: number;
  /** The self-signed certificate (PEM), for a client's trusted CA list. */
  certificate: string;
  /** Serve `body` at `path` (replaces any earlier route for that path). */
  file(path: string, body: string | Buffer, options?: { auth?: FileAuth; contentType?: string }): void;
  /** A 302 (or the given status) from `path` to `location` (absolute URL or path). */
  redirect(path: string, location: string, status?: 301 | 302 | 303 | 307 | 308): void;
  /** Headers at once, then `body` in 16-byte chunks, each after `delayMs` (a slow server). */
  slow(path: string, body: string | Buffer, delayMs: number): void;
  /** Streams `bytes` bytes of CSV-like text chunked, or with a (true) Content-Length if asked (for size caps). */
  oversized(path: string, bytes: number, options?: { contentLength?: boolean }): void;
  /** Requests received, in order: method, path (with any query) and the Authorization header. */
  requests: { method: string; path: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTPS server on 127.0.0.1 with a fresh self-signed certificate; routes match the path without its query. */
export async function startHttpsFileServer(): Promise<HttpsFileServer> {
  const { key, certificate } = await selfSignedCertificate();
  const routes = new Map<string, Route>();
  const requests: HttpsFileServer['requests'] = [];
  const server = createServer({ key, cert: certificate }, (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const route = routes.get(new URL(req.url ?? '/', 'https://127.0.0.1').pathname);
    if (route) route(req, res);
    else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    certificate,
    requests,
    file(route, body, { auth, contentType = 'text/csv' } = {}) {
      routes.set(route, (req, res) => {
        if (auth && req.headers.authorization !== expectedAuthorization(auth)) {
          const scheme = 'basic' in auth ? 'Basic' : 'Bearer';
          res.writeHead(401, { 'WWW-Authenticate': `${scheme} realm="files"`, 'Content-Type': 'text/plain' }).end('unauthorized');
          return;
        }
        res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }).end(body);
      });
    },
    redirect(route, location, status = 302) {
      routes.set(route, (_req, res) => res.writeHead(status, { Location: location, 'Content-Length': 0 }).end());
    },
    slow(route, body, delayMs) {
      const bytes = Buffer.from(body);
      routes.set(route, (_req, res) => {
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': bytes.length }).flushHeaders();
        pipeline(trickle(bytes, delayMs, gone.signal), res, () => undefined);
      });
    },
    oversized(route, bytes, { contentLength = false } = {}) {
      routes.set(route, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/csv', ...(contentLength ? { 'Content-Length': bytes } : {}) });
        pipeline(csvText(bytes), res, () => undefined);
      });
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function expectedAuthorization(auth: FileAuth): string {
  if ('bearer' in auth) return `Bearer ${auth.bearer}`;
  return `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
}

/** `body` in 16-byte chunks, each after `delayMs`; stops when `signal` aborts (the response went away). */
async function* trickle(body: Buffer, delayMs: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  for (let at = 0; at < body.length; at += 16) {
    await sleep(delayMs, undefined, { signal });
    yield body.subarray(at, at + 16);
  }
}

/** Exactly `bytes` bytes of a header line and numbered rows, in chunks of about 64 KiB. */
function* csvText(bytes: number): Generator<Buffer> {
  let row = 0;
  let left = bytes;
  let chunk = 'id,name,email\n';
  while (left > 0) {
    while (chunk.length < 65_536) {
      row += 1;
      chunk += `${row},Person ${row},person${row}@example.com\n`;
    }
    const piece = Buffer.from(chunk.slice(0, left));
    left -= piece.length;
    chunk = '';
    yield piece;
  }
}

/** A throwaway key and self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
async function selfSignedCertificate(): Promise<{ key: string; certificate: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rostersync-https-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
    ]);
    return { key: await readFile(keyFile, 'utf8'), certificate: await readFile(certFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
