import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import path from 'node:path/posix';
import ssh2, { type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { SourceError } from '../http/domain-errors.js';
import { globMatcher } from './glob.js';
import { limitedBytes, pullError, tooLarge } from './pull-errors.js';
import type { Puller, PullLimits, RemoteFile, SourceConnection } from './source-connection.js';
import type { SourceWithSecrets } from './sources.repository.js';

/** The fingerprint OpenSSH prints for a host key (`ssh-keygen -lf`): SHA256 of the key blob, base64. */
export function sshFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Pulls a file over SFTP. The host key is checked against the pinned fingerprint during the key
 * exchange, before any credential is sent; a source without a pinned key is refused, and the
 * error carries the fingerprint the server offered so it can be checked and pinned. Files are
 * chosen inside the source's folder only: a name that resolves (symlinks included) outside it is
 * never read, moved or deleted.
 */
@Injectable()
export class SftpPuller implements Puller {
  async connect(source: SourceWithSecrets, limits: PullLimits): Promise<SourceConnection> {
    const url = new URL(source.uri);
    const port = Number(url.port || 22);
    const where = `sftp://${url.host}`;
    const address = await limits.guard.resolve(url.hostname);
    const client = new ssh2.Client();
    const abort = () => client.destroy();
    limits.deadline.addEventListener('abort', abort, { once: true });
    const close = async () => {
      limits.deadline.removeEventListener('abort', abort);
      client.end();
    };
    try {
      const sftp = await this.open(client, source, { host: address.address, port }, where, limits);
      const remotePath = decodeURIComponent(url.pathname);
      const folder = source.pattern ? remotePath : path.dirname(remotePath);
      const realFolder = await call<string>((cb) => sftp.realpath(folder, cb)).catch(() => {
        throw new SourceError('file_not_found', `The folder ${folder} does not exist on ${where}.`);
      });
      const file = source.pattern ? await newest(sftp, realFolder, source.pattern, where) : await single(sftp, remotePath, where);
      const real = await call<string>((cb) => sftp.realpath(file.location, cb));
      if (!inside(realFolder, real)) {
        throw new SourceError('path_outside_folder', `${file.location} leads to ${real}, outside the folder ${realFolder}: refused.`);
      }
      if (file.size !== null && file.size > limits.maxBytes) throw tooLarge(`${where}${file.location}`, limits.maxBytes);
      return {
        file,
        read: () => this.read(sftp, real, `${where}${file.location}`, limits),
        afterImport: () => this.afterImport(sftp, source.afterImport, realFolder, real, file.name),
        close,
      };
    } catch (error) {
      await close();
      throw pullError(error, where, limits);
    }
  }

  private open(client: ssh2.Client, source: SourceWithSecrets, target: { host: string; port: number }, where: string, limits: PullLimits): Promise<SFTPWrapper> {
    let offered: string | undefined;
    const config: ConnectConfig = {
      ...target,
      username: source.username ?? undefined,
      password: source.auth === 'password' ? source.secrets.password : undefined,
      privateKey: source.auth === 'privateKey' ? source.secrets.privateKey : undefined,
      passphrase: source.auth === 'privateKey' ? source.secrets.passphrase : undefined,
      readyTimeout: Math.min(limits.timeoutSeconds * 1000, 30_000),
      keepaliveInterval: 10_000,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        offered = sshFingerprint(key);
        return offered === source.hostKeyFingerprint;
      },
    };
    return new Promise((resolve, reject) => {
      // Ended before it was ready (the deadline destroyed it, or the server hung up): never left pending.
      const timedOut = () => reject(pullError(new Error('timed out'), where, limits));
      if (limits.deadline.aborted) return timedOut();
      limits.deadline.addEventListener('abort', timedOut, { once: true });
      client.once('close', () => reject(new SourceError('host_unreachable', `${where} closed the connection before the session was ready.`)));
      client.once('ready', () =>
        client.sftp((error, sftp) => {
          if (error) return reject(error);
          // Requests still pending when the connection closes (a sample read stops early) fail here.
          sftp.on('error', () => undefined);
          resolve(sftp);
        }),
      );
      client.on('error', (error: Error & { level?: string }) => {
        if (offered && offered !== source.hostKeyFingerprint) {
          reject(
            source.hostKeyFingerprint
              ? new SourceError('host_key_mismatch', `${where} presented the host key ${offered}, not the pinned ${source.hostKeyFingerprint}: refused before sending credentials. If the server's key really changed, check it with its administrator and pin the new one.`)
              : new SourceError('host_key_not_pinned', `${where} presented the host key ${offered}. Check it with the server's administrator (ssh-keygen -lf on the server's key) and set it as hostKeyFingerprint.`),
          );
        } else if (error.level === 'client-authentication') {
          reject(new SourceError('auth_failed', `${where} refused the login of "${source.username}": check the username, password, key or passphrase.`));
        } else if (error.level === 'client-timeout') {
          reject(new SourceError('host_unreachable', `${where} did not complete the SSH handshake in time.`));
        } else reject(error);
      });
      client.connect(config);
    });
  }

  private read(sftp: SFTPWrapper, file: string, where: string, limits: PullLimits): AsyncIterable<Buffer> {
    const stream = sftp.createReadStream(file, { highWaterMark: 256 * 1024 });
    return limitedBytes(stream, where, limits, () => {
      // Reads still in flight when a sample stops early fail once the connection closes: not an error.
      stream.on('error', () => undefined);
      stream.destroy();
    });
  }

  /** keep, delete, or move:<folder> (inside the source folder; a name taken there gets a time suffix). */
  private async afterImport(sftp: SFTPWrapper, rule: string, folder: string, file: string, name: string): Promise<string | null> {
    if (rule === 'keep') return null;
    if (rule === 'delete') {
      await call((cb) => sftp.unlink(file, cb));
      return `deleted ${file}`;
    }
    const wanted = path.join(folder, rule.slice('move:'.length));
    await call((cb) => sftp.mkdir(wanted, cb)).catch(() => undefined);
    // Checked where it really is: a symlinked folder must not carry the file out.
    const target = await call<string>((cb) => sftp.realpath(wanted, cb));
    if (!inside(folder, target)) throw new SourceError('path_outside_folder', `${rule} leads to ${target}, outside the source folder: refused.`);
    const moved = path.join(target, name);
    try {
      await call((cb) => sftp.rename(file, moved, cb));
      return `moved ${file} to ${moved}`;
    } catch {
      const stamped = path.join(target, `${path.basename(name, path.extname(name))}-${new Date().toISOString().replace(/[:.]/g, '-')}${path.extname(name)}`);
      await call((cb) => sftp.rename(file, stamped, cb));
      return `moved ${file} to ${stamped}`;
    }
  }
}

/** The newest regular file in `folder` whose name matches the glob (the later name on a tie). */
async function newest(sftp: SFTPWrapper, folder: string, pattern: string, where: string): Promise<RemoteFile> {
  const matches = globMatcher(pattern);
  const entries = await call<ssh2.FileEntryWithStats[]>((cb) => sftp.readdir(folder, cb));
  const files = entries.filter((entry) => !entry.filename.includes('/') && matches(entry.filename) && entry.attrs.isFile());
  if (!files.length) throw new SourceError('no_matching_file', `No file in ${where}${folder} matches "${pattern}".`);
  files.sort((a, b) => b.attrs.mtime - a.attrs.mtime || (b.filename < a.filename ? -1 : 1));
  const [chosen] = files;
  return { name: chosen.filename, location: path.join(folder, chosen.filename), size: chosen.attrs.size, modifiedAt: new Date(chosen.attrs.mtime * 1000).toISOString() };
}

async function single(sftp: SFTPWrapper, file: string, where: string): Promise<RemoteFile> {
  const stats = await call<ssh2.Stats>((cb) => sftp.stat(file, cb)).catch(() => {
    throw new SourceError('file_not_found', `${where}${file} does not exist.`);
  });
  if (!stats.isFile()) throw new SourceError('file_not_found', `${where}${file} is not a file.`);
  return { name: path.basename(file), location: file, size: stats.size, modifiedAt: new Date(stats.mtime * 1000).toISOString() };
}

function inside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function call<T = void>(run: (callback: (error: Error | undefined | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}
