import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SSHD = '/usr/sbin/sshd';
const SETPRIV = '/usr/bin/setpriv';
const USERNAME = 'rostersync-sftp';
const PASSPHRASE = 'correct horse battery staple';
/**
 * Where the servers' files live (each server gets a fresh directory in it). Not os.tmpdir(): sshd
 * refuses a ChrootDirectory with any component that is group- or world-writable, and /tmp is 1777.
 * /run is root-owned 0755 and emptied at boot, which suits throw-away servers.
 */
const BASE_DIR = '/run/rostersync-sftp';
/** The SFTP user's password, made once per boot and readable by root only. */
const PASSWORD_FILE = path.join(BASE_DIR, 'password');
/** Held with flock(1) while the machine is prepared: Jest's workers may start servers at the same time. */
const LOCK_FILE = path.join(BASE_DIR, 'setup.lock');

export interface SftpServer {
  host: '127.0.0.1';
  port: number;
  /** The server's host key fingerprint as OpenSSH prints it: 'SHA256:<base64 without padding>'. */
  hostKeyFingerprint: string;
  /**
   * The folder on local disk the SFTP user sees as '/' (its chroot). It is root-owned, as sshd
   * demands; its subfolder 'drop' belongs to the SFTP user: write test files there, e.g.
   * path.join(root, 'drop', 'people.csv').
   */
  root: string;
  username: string;
  password: string;
  /** OpenSSH-format private keys whose public keys are authorised for `username`. */
  privateKey: string;
  encryptedPrivateKey: string;
  passphrase: string;
  /** What sshd logged (it explains refused logins), for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH sshd on loopback that serves only SFTP, chrooted, to one system user who may log
 * in with a password or either key. Needs root; installs openssh-server on first use if missing.
 */
export async function startSftpServer(): Promise<SftpServer> {
  const password = await prepareMachine();
  await removeStaleServers();
  const dir = await fs.mkdtemp(path.join(BASE_DIR, 'server-'));
  try {
    // sshd reads authorized_keys as the user, and the chroot must be root-owned 0755 all the way up.
    await fs.chmod(dir, 0o755);
    const root = path.join(dir, 'root');
    const drop = path.join(root, 'drop');
    await fs.mkdir(drop, { recursive: true });
    await fs.chmod(root, 0o755);
    await fs.chmod(drop, 0o755);
    const { uid, gid } = await userIds(USERNAME);
    await fs.chown(drop, uid, gid);

    const hostKey = path.join(dir, 'host_key');
    const userKey = path.join(dir, 'user_key');
    const encryptedKey = path.join(dir, 'user_key_encrypted');
    await Promise.all([keygen(hostKey, ''), keygen(userKey, ''), keygen(encryptedKey, PASSPHRASE)]);
    const [hostPublicKey, userPublicKey, encryptedPublicKey] = await Promise.all(
      [hostKey, userKey, encryptedKey].map((key) => fs.readFile(`${key}.pub`, 'utf8')),
    );
    await fs.writeFile(path.join(dir, 'authorized_keys'), userPublicKey + encryptedPublicKey, { mode: 0o644 });

    const sshd = await launchSshd(dir, root);
    // Normally stop() ends sshd; should the test process exit without it, don't leave sshd behind.
    const killOnExit = (): void => {
      sshd.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.on('exit', killOnExit);

    return {
      host: '127.0.0.1',
      port: sshd.port,
      hostKeyFingerprint: fingerprintOf(hostPublicKey),
      root,
      username: USERNAME,
      password,
      privateKey: await fs.readFile(userKey, 'utf8'),
      encryptedPrivateKey: await fs.readFile(encryptedKey, 'utf8'),
      passphrase: PASSPHRASE,
      log: () => sshd.output(),
      async stop(): Promise<void> {
        process.off('exit', killOnExit);
        await terminate(sshd.child);
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The fingerprint OpenSSH prints for a public key line ('ssh-ed25519 AAAA... comment'). */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`not a public key line: ${publicKeyLine}`);
  return fingerprintOfBlob(Buffer.from(blob, 'base64'));
}

/** The same from the raw key blob, which is what ssh2 hands a hostVerifier. */
export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Installs sshd if missing, and makes sure of its privilege separation directory, the SFTP user
 * and that user's password; returns the password. Runs under a machine-wide lock, and sets the
 * same password every time, so one server's setup never breaks another's logins. (The password
 * must be set even for key logins: with UsePAM no, sshd refuses an account whose password is
 * locked, as useradd leaves it.)
 */
async function prepareMachine(): Promise<string> {
  await fs.mkdir(BASE_DIR, { recursive: true });
  await fs.chmod(BASE_DIR, 0o755);
  const script = `
    set -eu
    if [ ! -x "$SSHD" ]; then
      apt-get update
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server
    fi
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
    id -u "$SFTP_USER" >/dev/null 2>&1 || useradd --system -M -d / -s /usr/sbin/nologin "$SFTP_USER"
    if [ ! -s "$PASSWORD_FILE" ]; then
      (umask 077 && head -c 18 /dev/urandom | base64 > "$PASSWORD_FILE.new" && mv "$PASSWORD_FILE.new" "$PASSWORD_FILE")
    fi
    echo "$SFTP_USER:$(cat "$PASSWORD_FILE")" | chpasswd
  `;
  try {
    await run('flock', [LOCK_FILE, 'sh', '-c', script], {
      env: { ...process.env, SSHD, SFTP_USER: USERNAME, PASSWORD_FILE },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`could not prepare the machine for sshd: ${String(error)}\n${stdout ?? ''}${stderr ?? ''}`);
  }
  return (await fs.readFile(PASSWORD_FILE, 'utf8')).trim();
}

/**
 * Removes what servers of test processes that died without stop() left behind: their sshd is gone
 * (the kernel ends it, see spawnSshd) but not their files. A directory only just made may belong to
 * a server another process is starting, hence the minute's grace.
 */
async function removeStaleServers(): Promise<void> {
  for (const entry of await fs.readdir(BASE_DIR)) {
    if (!entry.startsWith('server-')) continue;
    const dir = path.join(BASE_DIR, entry);
    const pid = Number(await fs.readFile(path.join(dir, 'sshd.pid'), 'utf8').catch(() => ''));
    if (pid && isAlive(pid)) continue;
    const { mtimeMs } = await fs.stat(dir).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > 60_000) await fs.rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function userIds(username: string): Promise<{ uid: number; gid: number }> {
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  const fields = passwd.split('\n').find((line) => line.startsWith(`${username}:`))?.split(':');
  if (!fields) throw new Error(`no user ${username} in /etc/passwd`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A new ed25519 key in OpenSSH's format (bcrypt-KDF encrypted if there is a passphrase, which ssh2 reads). */
async function keygen(file: string, passphrase: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'rostersync-test', '-f', file]);
}

function sshdConfig(dir: string, root: string, port: number): string {
  return `
ListenAddress 127.0.0.1:${port}
HostKey ${path.join(dir, 'host_key')}
PidFile ${path.join(dir, 'sshd.pid')}
AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers ${USERNAME}
AllowTcpForwarding no
AllowStreamLocalForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PrintMotd no
Subsystem sftp internal-sftp

Match User ${USERNAME}
  ForceCommand internal-sftp
  ChrootDirectory ${root}
`;
}

interface RunningSshd {
  child: ChildProcess;
  port: number;
  output(): string;
}

/** Starts sshd on a free port, trying another port if something took the chosen one meanwhile. */
async function launchSshd(dir: string, root: string): Promise<RunningSshd> {
  const config = path.join(dir, 'sshd_config');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await fs.writeFile(config, sshdConfig(dir, root, port));
    try {
      return await spawnSshd(config, port);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 5) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function spawnSshd(config: string, port: number): Promise<RunningSshd> {
  // -D keeps sshd in the foreground as our child, -e logs to stderr. setpriv (util-linux) makes the
  // kernel send sshd SIGTERM when this process dies, even by SIGKILL, when no 'exit' handler runs.
  const command = [SSHD, '-D', '-e', '-f', config];
  const hasSetpriv = await fs.access(SETPRIV).then(() => true, () => false);
  const child = hasSetpriv
    ? spawn(SETPRIV, ['--pdeathsig', 'TERM', ...command], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (data: Buffer): void => {
    output += data.toString();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start listening:\n${output}`)), 15_000);
      const onOutput = (): void => {
        if (!output.includes(`Server listening on 127.0.0.1 port ${port}`)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', onOutput);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const message = `sshd exited with ${code ?? signal}:\n${output}`;
        reject(output.includes('Address already in use') ? new PortTakenError(message) : new Error(message));
      });
    });
    await waitForConnection(port);
  } catch (error) {
    await terminate(child);
    throw error;
  }
  return { child, port, output: () => output };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForConnection(port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
      return;
    } catch (error) {
      if (attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** SIGTERM, then SIGKILL if sshd has not exited within 5 seconds. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
