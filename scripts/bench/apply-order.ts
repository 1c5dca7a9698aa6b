/**
 * How each workspace's imports were applied, read back from their history (import_events): in the
 * order they were requested, one at a time? Shared by `npm run bench:workers` and the test with
 * two worker processes.
 */
export type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface AppliedImport {
  importId: string;
  state: string;
  counts: Record<string, number>;
  /** The seq of its IMPORT_PENDING event: the order in which its workspace asked for it. */
  requested: number;
  /** When it first went to IMPORTING (its apply job started) and when it went to COMPLETED. */
  started: Date | null;
  completed: Date | null;
}

/** Every import with an IMPORT_PENDING request, by workspace name, in request order. */
export async function appliedImports(query: Query): Promise<Map<string, AppliedImport[]>> {
  const rows = await query<AppliedImport & { workspace: string }>(
    `SELECT w.name AS workspace, i.id AS "importId", i.state, i.counts,
            min(e.seq) FILTER (WHERE e.to_state = 'IMPORT_PENDING')::float8 AS requested,
            min(e.at) FILTER (WHERE e.to_state = 'IMPORTING') AS started,
            max(e.at) FILTER (WHERE e.to_state = 'COMPLETED') AS completed
       FROM imports i
       JOIN workspaces w ON w.id = i.workspace_id
       JOIN import_events e ON e.workspace_id = i.workspace_id AND e.import_id = i.id
      GROUP BY w.name, i.id, i.state, i.counts
     HAVING bool_or(e.to_state = 'IMPORT_PENDING')
      ORDER BY w.name, requested`,
  );
  const byWorkspace = new Map<string, AppliedImport[]>();
  for (const { workspace, ...row } of rows) {
    byWorkspace.set(workspace, [...(byWorkspace.get(workspace) ?? []), row]);
  }
  return byWorkspace;
}

/**
 * What breaks "one at a time, in request order" in a workspace's imports (listed in request
 * order): one not COMPLETED, or one that started before the one requested before it completed.
 * Empty when all is well.
 */
export function orderProblems(workspace: string, imports: AppliedImport[]): string[] {
  const problems: string[] = [];
  imports.forEach((current, i) => {
    if (current.state !== 'COMPLETED' || !current.started || !current.completed) {
      problems.push(`${workspace}: import ${i + 1} (${current.importId}) is ${current.state}, not COMPLETED`);
      return;
    }
    const previous = imports[i - 1];
    if (previous?.completed && current.started < previous.completed) {
      problems.push(
        `${workspace}: import ${i + 1} started at ${current.started.toISOString()}, before import ${i} completed at ${previous.completed.toISOString()}`,
      );
    }
  });
  return problems;
}
