import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { appliedImports, orderProblems, type AppliedImport } from './apply-order.js';
import { BENCH_WORKER_ENV, createKey, deltaFile, firstLoadFile, freshDatabase, OUT, openBenchServer, prepareOut, round, writeResults } from './bench-setup.js';
import { parentPid, sampleCpu, type CpuUsage } from './cpu-usage.js';
import { defineBenchFields, requestState, startRostersync, uploadFile, workerLogName, type Processes } from './rostersync-run.js';
import { importsAppliedInLog, milestonesInLog } from './worker-log.js';
import { printRuns, summarise, withCpuShares, type WorkersRun } from './workers-report.js';

/**
 * npm run bench:workers: four workspaces, each with three imports queued in order (a first load,
 * a delta, the first file again), run with one worker process and then with two, each run on a
 * fresh database with the same files. Measures the time from the first import request to the
 * last COMPLETED, and checks from the database that each workspace's imports applied one at a
 * time in request order and that every directory holds what the last file says.
 *
 * BENCH_WORKERS_ROWS rows per file (50000; a multiple of 100), BENCH_WORKERS=1,2 the numbers of
 * worker processes, BENCH_ROUNDS times over (1; alternating, so that a change in the machine's
 * load falls on both; medians compared), BENCH_WORKER_CONCURRENCY jobs each worker process runs
 * at once (1: one import per process).
 */
const ROWS = Number(process.env.BENCH_WORKERS_ROWS ?? 50_000);
const RUNS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '1';
const WORKSPACES = ['north', 'south', 'east', 'west'];
const PORT = Number(process.env.BENCH_PORT ?? 3917);

/** The three files in the order each workspace requests them, with the counts each plan must have. */
const ADDED = ROWS / 100;
const changedAmong = (from: number, to: number): number => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((i) => i % 10 === 3).length;
/** The delta changes the title of every tenth person (i % 10 = 3), its new people's included. */
const CHANGED = changedAmong(1, ROWS);
const ADDED_CHANGED = changedAmong(ROWS + 1, ROWS + ADDED);
const PLAN = [
  { file: () => firstLoadFile(ROWS), counts: { create: ROWS, update: 0, error: 0 } },
  { file: () => deltaFile(ROWS), counts: { create: ADDED, update: CHANGED, error: 0 } },
  { file: () => firstLoadFile(ROWS), counts: { create: 0, update: CHANGED, error: 0 } },
];

async function main(): Promise<void> {
  if (ROWS % 100 !== 0) throw new Error('BENCH_WORKERS_ROWS must be a multiple of 100');
  await prepareOut();
  const files = [];
  for (const step of PLAN) files.push(await step.file());
  const server = await openBenchServer();
  const runs: WorkersRun[] = [];
  try {
    for (let pass = 1; pass <= ROUNDS; pass++) {
      for (const workers of RUNS) runs.push(await measure(server.url, files, workers, `run-${runs.length + 1}-workers-${workers}`));
    }
  } finally {
    await server.stop();
  }
  const summary = summarise(runs);
  printRuns(runs, summary);
  const json = await writeResults('bench-workers', { rowsPerFile: ROWS, workspaces: WORKSPACES.length, summary, runs });
  console.log(`\nwritten to ${json}`);
}

/** One run on a fresh database; the processes' logs in bench/out/logs/<name>. */
async function measure(serverUrl: string, files: string[], workers: number, name: string): Promise<WorkersRun> {
  console.error(`[bench] ${workers} worker process(es), ${CONCURRENCY} job(s) at once each`);
  const url = await freshDatabase(serverUrl, 'rostersync_bench_workers');
  const keys = [];
  for (const workspace of WORKSPACES) keys.push(await createKey(url, workspace));
  const logDir = path.join(OUT, 'logs', name);
  await fs.mkdir(logDir, { recursive: true });
  const env = { ...BENCH_WORKER_ENV, ROSTERSYNC_PREVIEW_CONCURRENCY: CONCURRENCY, ROSTERSYNC_APPLY_CONCURRENCY: CONCURRENCY };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const processes = await startRostersync(url, PORT, env, { workers, logDir });
    let run: Awaited<ReturnType<typeof runImports>>;
    try {
      run = await runImports(client, processes, keys, files);
    } finally {
      await processes.stop();
    }
    return await resultOf(client, workers, logDir, run);
  } finally {
    await client.end();
  }
}

/** Uploads every file (not timed), then asks for the imports, workspace by workspace and each's in file order. */
async function runImports(client: pg.Client, processes: Processes, keys: string[], files: string[]): Promise<{ uploadSeconds: number; cpu: CpuUsage }> {
  const uploadStarted = performance.now();
  const ids: string[][] = [];
  for (const key of keys) {
    await defineBenchFields(processes.baseUrl, key);
    const workspaceIds = [];
    for (const file of files) workspaceIds.push(await uploadFile(processes.baseUrl, key, file));
    ids.push(workspaceIds);
  }
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;
  const sampler = sampleCpu(processPids(processes), await postmasterPid(client));
  for (let w = 0; w < keys.length; w++) {
    for (const id of ids[w]) await requestState(processes.baseUrl, keys[w], id, 'IMPORT_PENDING');
  }
  await allFinished(client, keys.length * files.length);
  return { uploadSeconds, cpu: sampler.stop() };
}

/** Checks the run (order, counts, directories, every worker busy) and measures it from the database. */
async function resultOf(client: pg.Client, workers: number, logDir: string, run: { uploadSeconds: number; cpu: CpuUsage }): Promise<WorkersRun> {
  const byWorkspace = await appliedImports((sql, params) => client.query(sql, params).then((r) => r.rows));
  await verify(client, byWorkspace);
  const logs = await workerLogs(logDir, workers);
  const importsAppliedByWorker = logs.map((log) => importsAppliedInLog(log).length);
  if (workers > 1 && importsAppliedByWorker.some((n) => n === 0)) {
    throw new Error(`a worker applied no import: ${importsAppliedByWorker.join(', ')}`);
  }
  const all = [...byWorkspace.values()].flat();
  const seconds = await requestToLastCompleted(client);
  const rows = ROWS * all.length;
  return withCpuShares({
    workers,
    concurrencyPerWorker: Number(CONCURRENCY),
    imports: all.length,
    rows,
    seconds: round(seconds),
    rowsPerSecond: Math.round(rows / seconds),
    meanImportSeconds: round(all.reduce((sum, i) => sum + (i.completed!.getTime() - i.started!.getTime()) / 1000, 0) / all.length),
    meanPhaseSeconds: meanPhases(logs, all.length),
    importsAppliedByWorker,
    uploadSeconds: round(run.uploadSeconds),
    cpu: run.cpu,
  });
}

function processPids(processes: Processes): Record<string, number> {
  const pids: Record<string, number> = { api: processes.api.pid! };
  processes.workers.forEach((worker, n) => (pids[`worker ${n + 1}`] = worker.pid!));
  return pids;
}

/** The server's postmaster, as the parent of this connection's backend (null when the server is elsewhere). */
async function postmasterPid(client: pg.Client): Promise<number | null> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return parentPid(rows[0].pid);
}

/** Waits until every import requested has ended (COMPLETED, or FAILED/CANCELLED: verify says which). */
async function allFinished(client: pg.Client, expected: number): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM imports WHERE state IN ('COMPLETED', 'FAILED', 'CANCELLED')`,
    );
    if (rows[0].n >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** From the first IMPORT_PENDING request to the last COMPLETED, by the database's clock. */
async function requestToLastCompleted(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ seconds: number }>(
    `SELECT extract(epoch FROM max(at) FILTER (WHERE to_state = 'COMPLETED') - min(at) FILTER (WHERE to_state = 'IMPORT_PENDING'))::float8 AS seconds
       FROM import_events`,
  );
  return rows[0].seconds;
}

/** In request order, one at a time, each with the counts its file must give; the directories as the last file says. */
async function verify(client: pg.Client, byWorkspace: Map<string, AppliedImport[]>): Promise<void> {
  const problems: string[] = [];
  if (byWorkspace.size !== WORKSPACES.length) problems.push(`imports of ${byWorkspace.size} workspaces, not ${WORKSPACES.length}`);
  for (const [workspace, imports] of byWorkspace) {
    if (imports.length !== PLAN.length) problems.push(`${workspace}: ${imports.length} imports, not ${PLAN.length}`);
    problems.push(...orderProblems(workspace, imports));
    imports.forEach((applied, i) => {
      for (const [op, n] of Object.entries(PLAN[i]?.counts ?? {})) {
        if (applied.counts[op] !== n) problems.push(`${workspace}: import ${i + 1} counted ${op} ${applied.counts[op]}, not ${n}`);
      }
    });
  }
  const { rows } = await client.query<{ workspace: string; people: number; active: number; changed: number }>(
    `SELECT w.name AS workspace, count(*)::int AS people, count(*) FILTER (WHERE u.status = 'active')::int AS active,
            count(*) FILTER (WHERE u.title LIKE '% II')::int AS changed
       FROM users u JOIN workspaces w ON w.id = u.workspace_id GROUP BY w.name ORDER BY w.name`,
  );
  // Delta mode: the delta's new people stay, as it made them; the last file (the first load again)
  // undid its changes to everyone else.
  for (const row of rows) {
    if (row.people !== ROWS + ADDED || row.active !== ROWS + ADDED || row.changed !== ADDED_CHANGED) {
      problems.push(`${row.workspace}: directory of ${row.people} people, ${row.active} active, ${row.changed} with the delta's titles; expected ${ROWS + ADDED}, ${ROWS + ADDED}, ${ADDED_CHANGED}`);
    }
  }
  if (rows.length !== WORKSPACES.length) problems.push(`directories of ${rows.length} workspaces, not ${WORKSPACES.length}`);
  if (problems.length) throw new Error(`the imports did not apply as requested:\n${problems.join('\n')}`);
  console.error(`[bench] verified: ${WORKSPACES.length} workspaces × ${PLAN.length} imports applied one at a time in request order, counts and directories right`);
}

async function workerLogs(logDir: string, workers: number): Promise<string[]> {
  const logs = [];
  for (let n = 1; n <= workers; n++) logs.push(await fs.readFile(path.join(logDir, workerLogName(n, workers)), 'utf8'));
  return logs;
}

/** Mean seconds an import spent staging, binding its plan and applying, over all the workers' logs. */
function meanPhases(logs: string[], imports: number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const { msg, seconds } of logs.flatMap(milestonesInLog)) totals[msg] = (totals[msg] ?? 0) + seconds;
  return Object.fromEntries(Object.entries(totals).map(([msg, seconds]) => [msg, round(seconds / imports)]));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
