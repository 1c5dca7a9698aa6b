import { afterAll, beforeAll } from '@jest/globals';
import { startTestApp, type TestApp } from './test-app.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/** The API in the test process and the work in real worker processes, as an operator runs them. */
export interface WorkerRig {
  readonly app: TestApp;
  /** The worker started last. */
  readonly worker: WorkerProcess;
  startWorker(): Promise<WorkerProcess>;
}

/** Registers the describe block's set-up and tear-down; every worker started is killed at the end. */
export function useApiWithWorkerProcesses(workerEnv: Record<string, string>): WorkerRig {
  let app: TestApp;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    app = await startTestApp({ env: { ROLE: 'api' } });
  });
  afterAll(async () => {
    for (const worker of workers) {
      worker.child.kill('SIGCONT');
      await worker.kill('SIGKILL');
    }
    await app.close();
  });
  return {
    get app(): TestApp {
      return app;
    },
    get worker(): WorkerProcess {
      return workers[workers.length - 1];
    },
    async startWorker(): Promise<WorkerProcess> {
      const worker = await startWorkerProcess(app.db.url, workerEnv);
      workers.push(worker);
      return worker;
    },
  };
}
