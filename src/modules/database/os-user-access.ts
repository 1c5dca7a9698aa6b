import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OS account PostgreSQL runs as: PostgreSQL refuses to run as root. */
export interface OsUser {
  uid: number;
  gid: number;
  /** True when this process is root and PostgreSQL must run as another account. */
  switched: boolean;
}

/** Where root keeps what the `postgres` account must reach when the checkout is private. */
const ROOT_STATE_DIR = '/var/lib/rostersync';

export async function postgresOsUser(): Promise<OsUser> {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 0, switched: false };
  let ids = await lookupIds('postgres');
  if (!ids) {
    // A fresh machine may have no postgres account; create a system one, as a package would.
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    ids = await lookupIds('postgres');
    if (!ids) throw new Error('could not create the OS user "postgres" that the embedded PostgreSQL runs as');
  }
  return { ...ids, switched: true };
}

async function lookupIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return undefined;
  }
}

/** Whether `user` can walk down to `target` (execute permission on every folder above it). */
export async function reachableBy(user: OsUser, target: string): Promise<boolean> {
  if (!user.switched) return true;
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const stat = await fs.stat(dir).catch(() => undefined);
    if (stat) {
      const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
      if ((stat.mode & bit) === 0) return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * The PostgreSQL binaries as `user` can run them. A checkout in a private folder (root's home is
 * 0700) hides node_modules from the postgres account, so root copies them once to a shared place.
 */
export async function reachableBinaries(user: OsUser, nativeDir: string, version: string): Promise<string> {
  if (await reachableBy(user, path.join(nativeDir, 'bin', 'postgres'))) return nativeDir;
  const copy = path.join(ROOT_STATE_DIR, `postgresql-${version}`);
  const marker = path.join(copy, '.complete');
  if (!(await exists(marker))) {
    await fs.rm(copy, { recursive: true, force: true });
    await fs.mkdir(ROOT_STATE_DIR, { recursive: true, mode: 0o755 });
    await fs.chmod(ROOT_STATE_DIR, 0o755);
    await fs.cp(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    await fs.writeFile(marker, '');
  }
  return copy;
}

/**
 * The folder for the cluster's files. Inside the data folder when the postgres account can reach
 * it; otherwise a folder under /var/lib/rostersync named after the data folder, so each data
 * folder keeps its own cluster.
 */
export async function reachableClusterRoot(user: OsUser, dataDir: string): Promise<string> {
  const inside = path.join(dataDir, 'postgres');
  if (await reachableBy(user, path.join(inside, 'data'))) return inside;
  const real = await fs.realpath(dataDir);
  const id = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const clusters = path.join(ROOT_STATE_DIR, 'clusters');
  await fs.mkdir(clusters, { recursive: true, mode: 0o755 });
  await fs.chmod(ROOT_STATE_DIR, 0o755);
  await fs.chmod(clusters, 0o755);
  return path.join(clusters, id);
}

export async function ensureOwnedDir(user: OsUser, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (user.switched) await fs.chown(dir, user.uid, user.gid);
  await fs.chmod(dir, 0o700);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
