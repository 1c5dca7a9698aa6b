import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, openAsBlob, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main.js');

export const BENCH_MAPPING = {
  employee_id: 'externalId', email: 'email', first_name: 'firstName', last_name: 'lastName', display_name: 'displayName',
  title: 'title', department: 'department', store: 'location', region: 'custom.region', country_code: 'custom.countryCode',
  mobile: 'phone', manager_id: 'custom.managerId', group: 'custom.group',
};

export interface Processes {
  baseUrl: string;
  api: ChildProcess;
  /** The first worker. */
  worker: ChildProcess;
  workers: ChildProcess[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Worker processes to start (1 unless said). */
  workers?: number;
  /** Where each process's log goes (api.log, worker.log or worker-<n>.log); bench/out/logs unless said. */
  logDir?: string;
}

/** The API and its workers as separate processes of the built app, as an operator runs them. */
export async function startRostersync(databaseUrl: string, port: number, env: Record<string, string>, options: StartOptions = {}): Promise<Processes> {
  const common = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...env };
  const logDir = options.logDir ?? path.resolve('bench', 'out', 'logs');
  const count = options.workers ?? 1;
  const api = await launch({ ...common, ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' }, 'listening', path.join(logDir, 'api.log'));
  const workers: ChildProcess[] = [];
  for (let n = 1; n <= count; n++) {
    workers.push(await launch({ ...common, ROLE: 'worker' }, 'worker is taking import jobs', path.join(logDir, workerLogName(n, count))));
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    api,
    worker: workers[0],
    workers,
    async stop(): Promise<void> {
      for (const child of [api, ...workers]) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
  };
}

/** worker.log when there is one, worker-<n>.log when there are several. */
export function workerLogName(n: number, count: number): string {
  return count === 1 ? 'worker.log' : `worker-${n}.log`;
}

/** The Node flags `npm start` gives the app (package.json's start script), so the benchmark runs what users run. */
const START_FLAGS = (() => {
  const scripts = (JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = /node((?: --[^\s]+)*) dist\/src\/main\.js/.exec(scripts.start);
  if (!command) throw new Error('package.json start script does not run node … dist/src/main.js');
  return command[1].split(' ').filter(Boolean);
})();

/** Each process's log is kept (appended) in `logFile`, to see where the time went. */
function launch(env: NodeJS.ProcessEnv, ready: string, logFile: string): Promise<ChildProcess> {
  // As `npm start` runs it (its Node flags: heap sizes), plus BENCH_WORKER_NODE_FLAGS for the worker,
  // e.g. "--cpu-prof --cpu-prof-dir=bench/out/profiles" to profile it.
  const flags = [...START_FLAGS, ...(env.ROLE === 'worker' ? (env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean) : [])];
  const child = spawn(process.execPath, [...flags, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (output.includes(ready)) resolve(child);
      if (output.length > 1e6) output = output.slice(-1e5);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`rostersync exited with ${code}:\n${output.slice(-4000)}`)));
  });
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export interface RunTimings {
  upload: number;
  preview: number;
  apply: number;
  total: number;
  counts: Record<string, number>;
}

/** The custom fields the benchmark's mapping names, defined through the API (once per workspace). */
export async function defineBenchFields(baseUrl: string, key: string): Promise<void> {
  for (const target of Object.values(BENCH_MAPPING).filter((field) => field.startsWith('custom.'))) {
    const response = await fetch(`${baseUrl}/v1/fields`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ key: target.slice('custom.'.length), type: 'string' }),
    });
    if (response.status !== 201 && response.status !== 409) throw new Error(`POST /v1/fields: ${response.status} ${await response.text()}`);
  }
}

/** Upload → PREVIEW_PENDING → PREVIEW_READY → IMPORT_PENDING → COMPLETED, through the HTTP API. */
export async function importThroughApi(baseUrl: string, key: string, file: string): Promise<RunTimings> {
  const started = performance.now();
  const id = await uploadFile(baseUrl, key, file);
  const uploaded = performance.now();
  await requestState(baseUrl, key, id, 'PREVIEW_PENDING');
  await waitForState(baseUrl, key, id, 'PREVIEW_READY');
  const previewed = performance.now();
  await requestState(baseUrl, key, id, 'IMPORT_PENDING');
  const done = await waitForState(baseUrl, key, id, 'COMPLETED');
  const finished = performance.now();
  return {
    upload: (uploaded - started) / 1000,
    preview: (previewed - uploaded) / 1000,
    apply: (finished - previewed) / 1000,
    total: (finished - started) / 1000,
    counts: done.counts as Record<string, number>,
  };
}

/** POST /v1/imports with the benchmark's mapping: the import's id, in DRAFT. */
export async function uploadFile(baseUrl: string, key: string, file: string): Promise<string> {
  const form = new FormData();
  form.append('file', await openAsBlob(file), path.basename(file));
  form.append('config', JSON.stringify({ mapping: BENCH_MAPPING }));
  return (await call(baseUrl, key, 'POST', '/v1/imports', form)).id as string;
}

/** PATCH /v1/imports/<id> {state}. */
export async function requestState(baseUrl: string, key: string, id: string, state: string): Promise<void> {
  await call(baseUrl, key, 'PATCH', `/v1/imports/${id}`, JSON.stringify({ state }));
}

async function call(baseUrl: string, key: string, method: string, route: string, body?: FormData | string): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'x-api-key': key };
  if (typeof body === 'string') headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + route, { method, body, headers });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls the import until it is in `state`; throws when it ends otherwise. */
export async function waitForState(baseUrl: string, key: string, id: string, state: string): Promise<Record<string, unknown>> {
  for (;;) {
    const current = await call(baseUrl, key, 'GET', `/v1/imports/${id}`);
    if (current.state === state) return current;
    if (current.state === 'FAILED' || current.state === 'CANCELLED') throw new Error(`import ${id} ended ${current.state}: ${current.failureReason}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
