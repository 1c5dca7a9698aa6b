/** What a worker process's log (pino JSON lines, LOG_LEVEL=info) says about the imports it ran. */
export interface Milestone {
  importId: string;
  /** staged, plan bound, applied (the pipeline's milestones), with the phase's duration. */
  msg: string;
  seconds: number;
}

export function milestonesInLog(log: string): Milestone[] {
  const milestones: Milestone[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"seconds"')) continue;
    const entry = JSON.parse(line) as Partial<Milestone> & { context?: string };
    if (entry.context === 'pipeline' && entry.importId && entry.msg && typeof entry.seconds === 'number') {
      milestones.push({ importId: entry.importId, msg: entry.msg, seconds: entry.seconds });
    }
  }
  return milestones;
}

/** The imports a worker process applied: those with its `applied` milestone. */
export function importsAppliedInLog(log: string): string[] {
  return [...new Set(milestonesInLog(log).filter((m) => m.msg === 'applied').map((m) => m.importId))];
}
