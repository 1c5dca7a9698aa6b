import { round } from './bench-setup.js';
import type { CpuUsage } from './cpu-usage.js';

/** One run of `npm run bench:workers`. */
export interface WorkersRun {
  workers: number;
  concurrencyPerWorker: number;
  imports: number;
  rows: number;
  /** From the first IMPORT_PENDING to the last COMPLETED, by the database's clock. */
  seconds: number;
  rowsPerSecond: number;
  /** Mean time of one import from IMPORTING to COMPLETED, and of its phases (the workers' milestones). */
  meanImportSeconds: number;
  meanPhaseSeconds: Record<string, number>;
  importsAppliedByWorker: number[];
  uploadSeconds: number;
  cpu: CpuUsage;
  /** CPU seconds of rostersync's processes and PostgreSQL, and of everything else on the machine. */
  rostersyncCpuSeconds: number;
  otherCpuSeconds: number;
}

export interface WorkersSummary {
  workers: number;
  runs: number;
  medianSeconds: number;
  rowsPerSecond: number;
  speedUp: number;
  /** Each round's speed-up (its run with the first number of workers against its run with this one). */
  speedUpPerRound: number[];
}

export function withCpuShares(run: Omit<WorkersRun, 'rostersyncCpuSeconds' | 'otherCpuSeconds'>): WorkersRun {
  const ours = Object.values(run.cpu.processes).reduce((a, b) => a + b, 0) + (run.cpu.postgres ?? 0);
  return { ...run, rostersyncCpuSeconds: round(ours), otherCpuSeconds: round(run.cpu.machineBusy - ours) };
}

/** Median time per number of workers, and its speed-up over the first number measured (runs alternate, round by round). */
export function summarise(runs: WorkersRun[]): WorkersSummary[] {
  const counts = [...new Set(runs.map((r) => r.workers))];
  const seconds = counts.map((workers) => runs.filter((r) => r.workers === workers).map((r) => r.seconds));
  const medians = seconds.map(median);
  return counts.map((workers, i) => ({
    workers,
    runs: seconds[i].length,
    medianSeconds: round(medians[i]),
    rowsPerSecond: Math.round(runs[0].rows / medians[i]),
    speedUp: round(medians[0] / medians[i]),
    speedUpPerRound: seconds[i].map((s, r) => round(seconds[0][r] / s)),
  }));
}

export function printRuns(runs: WorkersRun[], summary: WorkersSummary[]): void {
  console.log('\n| worker processes | jobs at once each | seconds | rows/s | mean import s (staged + plan + applied) | imports by worker | load (1 min) mean / max | CPU s: workers / API / PostgreSQL | rostersync cores | other processes\' CPU s | machine busy |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const workerCpu = Object.entries(r.cpu.processes).filter(([name]) => name.startsWith('worker')).map(([, s]) => s).join(' + ');
    const capacity = r.cpu.seconds * r.cpu.cores;
    console.log(
      `| ${r.workers} | ${r.concurrencyPerWorker} | ${r.seconds} | ${r.rowsPerSecond.toLocaleString('en')} | ${r.meanImportSeconds} (${Object.values(r.meanPhaseSeconds).join(' + ')}) | ${r.importsAppliedByWorker.join(' / ')} | ${r.cpu.load.mean} / ${r.cpu.load.max} | ${workerCpu} / ${r.cpu.processes.api} / ${r.cpu.postgres ?? '–'} | ${round(r.rostersyncCpuSeconds / r.cpu.seconds)} | ${r.otherCpuSeconds} | ${Math.round((100 * r.cpu.machineBusy) / capacity)}% of ${r.cpu.cores} cores |`,
    );
  }
  console.log(`\n| worker processes | runs | imports × rows | median seconds | rows/s | speed-up | speed-up per round |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const s of summary) {
    const rows = (runs[0].rows / runs[0].imports).toLocaleString('en');
    console.log(`| ${s.workers} | ${s.runs} | ${runs[0].imports} × ${rows} | ${s.medianSeconds} | ${s.rowsPerSecond.toLocaleString('en')} | ${s.speedUp}× | ${s.speedUpPerRound.map((x) => `${x}×`).join(', ')} |`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
