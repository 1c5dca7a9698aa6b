import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from './test-app.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'src', 'main.js');

/** A readiness wait, not a speed check: on a loaded 2-core CI machine a cold start (Node, migrations, pg-boss) can take a while. */
const WORKER_START_TIMEOUT_MS = 90_000;

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote, for a failing test's message. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** A real `ROLE=worker` process (the built app), as an operator would run one. */
export async function startWorkerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...testEnv(databaseUrl), LOG_LEVEL: 'info', ROLE: 'worker', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left behind to poll a database the test drops.
      child.kill('SIGKILL');
      reject(new Error(`worker did not start:\n${output}`));
    }, WORKER_START_TIMEOUT_MS);
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (output.includes('worker is taking import jobs')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
  return {
    child,
    output: () => output,
    async kill(signal: NodeJS.Signals): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
