import pg from 'pg';
import { BENCH_WORKER_ENV, createKey, deltaFile, firstLoadFile, freshDatabase, openBenchServer, prepareOut, round, writeResults } from './bench-setup.js';
import { handWrittenSql } from './hand-sql.js';
import { defineBenchFields, importThroughApi, peakRssMb, startRostersync } from './rostersync-run.js';

/**
 * npm run bench: rostersync end to end (upload → preview → import, API and worker as separate
 * processes) against the hand-written SQL pipeline, on the same database, for a first load and
 * a 10%-changed delta. BENCH_SIZES=100000,1000000 by default.
 */
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const PORT = Number(process.env.BENCH_PORT ?? 3917);

interface Row {
  case: string;
  rows: number;
  rostersyncSeconds: number;
  sqlSeconds: number;
  ratio: number;
  /** The hand-written SQL writing into a copy of rostersync's directory table (its indexes too). */
  sqlSameTableSeconds: number;
  ratioSameTable: number;
  rowsPerSecond: number;
  workerPeakRssMb: number;
  longestTransactionSeconds: number;
  detail: Record<string, unknown>;
}

async function main(): Promise<void> {
  await prepareOut();
  const database = await openBenchServer();
  const url = await freshDatabase(database.url, 'rostersync_bench');
  const results: Row[] = [];
  try {
    const largest = Math.max(...SIZES);
    for (const size of SIZES) {
      const file = await firstLoadFile(size);
      const key = await createKey(url, `bench-${size}`);
      results.push(await measure(url, key, file, `first load`, size));
      if (size === largest) {
        const delta = await deltaFile(size);
        results.push(await measure(url, key, delta, 'delta 10% changed, 1% new, 1% absent', size));
      }
    }
  } finally {
    await database.stop();
  }
  print(results);
  const json = await writeResults('bench', { results });
  console.log(`\nwritten to ${json}`);
}

async function measure(url: string, key: string, file: string, label: string, size: number): Promise<Row> {
  await quiesce(url);
  console.error(`[bench] ${label}, ${size} rows: rostersync`);
  const processes = await startRostersync(url, PORT, BENCH_WORKER_ENV);
  const sampler = longestTransaction(url);
  let run;
  let rss;
  try {
    await defineBenchFields(processes.baseUrl, key);
    run = await importThroughApi(processes.baseUrl, key, file);
    rss = await peakRssMb(processes.worker.pid!);
  } finally {
    await processes.stop();
  }
  const longest = await sampler.stop();
  await quiesce(url);
  console.error(`[bench] ${label}, ${size} rows: hand-written SQL`);
  const sql = await handWrittenSql(url, 'plain', `hand_dir_${size}`, file);
  await quiesce(url);
  console.error(`[bench] ${label}, ${size} rows: hand-written SQL into a copy of the users table`);
  const sameTable = await handWrittenSql(url, 'users', `hand_users_${size}`, file);
  return {
    case: label,
    rows: size,
    rostersyncSeconds: round(run.total),
    sqlSeconds: round(sql.total),
    ratio: round(run.total / sql.total),
    sqlSameTableSeconds: round(sameTable.total),
    ratioSameTable: round(run.total / sameTable.total),
    rowsPerSecond: Math.round(size / run.total),
    workerPeakRssMb: Math.round(rss),
    longestTransactionSeconds: round(longest),
    detail: { rostersync: run, sql, sqlSameTable: sameTable },
  };
}

/** Samples pg_stat_activity for the oldest open transaction of a client (not autovacuum's) while an import runs. */
function longestTransaction(url: string): { stop(): Promise<number> } {
  const client = new pg.Client({ connectionString: url });
  let longest = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ age: number | null }>(
        `SELECT extract(epoch FROM max(now() - xact_start))::float AS age FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND backend_type = 'client backend'`,
      );
      longest = Math.max(longest, rows[0].age ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await client.end();
  })();
  return {
    async stop(): Promise<number> {
      running = false;
      await loop;
      return longest;
    },
  };
}

/**
 * Each side is measured on a quiet server: autovacuum done with what the previous step wrote (a
 * million rows inserted wake it for a minute or more, on the same two cores), and a checkpoint
 * taken. At most five minutes.
 */
async function quiesce(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'autovacuum worker'`,
      );
      if (!rows[0].n || performance.now() - started > 300_000) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await client.query('CHECKPOINT');
    const waited = (performance.now() - started) / 1000;
    if (waited > 1) console.error(`[bench] waited ${round(waited)} s for autovacuum and a checkpoint`);
  } finally {
    await client.end();
  }
}

function print(results: Row[]): void {
  console.log('\n| case | rows | rostersync s | hand-written SQL s | ratio | same, into a copy of `users` s | ratio | rows/s | worker peak RSS MB | longest transaction s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.case} | ${r.rows.toLocaleString('en')} | ${r.rostersyncSeconds} | ${r.sqlSeconds} | ${r.ratio}× | ${r.sqlSameTableSeconds} | ${r.ratioSameTable}× | ` +
        `${r.rowsPerSecond.toLocaleString('en')} | ${r.workerPeakRssMb} | ${r.longestTransactionSeconds} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
