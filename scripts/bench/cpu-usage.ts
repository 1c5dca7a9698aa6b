import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { round } from './bench-setup.js';

/** Linux's USER_HZ: /proc counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

export interface CpuUsage {
  /** CPU seconds each named process (all its threads) used during the sample. */
  processes: Record<string, number>;
  /** CPU seconds of the PostgreSQL server: the postmaster and every backend, those that ended included. */
  postgres: number | null;
  /** CPU seconds the whole machine spent busy (every process, other users' too), and its cores. */
  machineBusy: number;
  cores: number;
  seconds: number;
  /** The 1-minute load average, sampled every 5 s. */
  load: { start: number; mean: number; max: number; end: number };
}

/**
 * Samples CPU time from /proc while a run goes on: the processes named, the PostgreSQL server
 * whose postmaster is `postmasterPid` (when it runs on this machine), and the machine as a whole.
 */
export function sampleCpu(named: Record<string, number>, postmasterPid: number | null): { stop(): CpuUsage } {
  const started = performance.now();
  const before = { processes: mapValues(named, processTicks), postgres: postgresTicks(postmasterPid), machine: machineTicks() };
  const loads = [os.loadavg()[0]];
  const timer = setInterval(() => loads.push(os.loadavg()[0]), 5000);
  return {
    stop(): CpuUsage {
      clearInterval(timer);
      loads.push(os.loadavg()[0]);
      const after = { processes: mapValues(named, processTicks), postgres: postgresTicks(postmasterPid), machine: machineTicks() };
      return {
        processes: mapValues(named, (_pid, name) => seconds(after.processes[name] - before.processes[name])),
        postgres: before.postgres === null || after.postgres === null ? null : seconds(after.postgres - before.postgres),
        machineBusy: seconds(after.machine - before.machine),
        cores: os.cpus().length,
        seconds: (performance.now() - started) / 1000,
        load: { start: loads[0], mean: round(loads.reduce((a, b) => a + b, 0) / loads.length), max: Math.max(...loads), end: loads[loads.length - 1] },
      };
    },
  };
}

/** The parent of a process (to find the postmaster from a backend's pid), or null when it is not here. */
export function parentPid(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : null;
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …]; utime is [11], stime [12]. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function processTicks(pid: number): number {
  const fields = statFields(pid);
  return fields ? Number(fields[11]) + Number(fields[12]) : 0;
}

/** The postmaster's own time, its reaped children's (backends that ended), and its live children's. */
function postgresTicks(postmaster: number | null): number | null {
  const fields = postmaster === null ? null : statFields(postmaster);
  if (!fields) return null;
  let ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = statFields(Number(entry));
    if (child && Number(child[1]) === postmaster) ticks += Number(child[11]) + Number(child[12]);
  }
  return ticks;
}

/** Busy ticks of all CPUs: everything in /proc/stat's cpu line but idle and iowait. */
function machineTicks(): number {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return user + nice + system + irq + softirq + steal;
}

function mapValues(record: Record<string, number>, f: (pid: number, name: string) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([name, pid]) => [name, f(pid, name)]));
}

function seconds(ticks: number): number {
  return round(ticks / TICKS_PER_SECOND);
}
