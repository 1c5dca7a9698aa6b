import type { TestDatabase } from './test-database.js';

/** A fingerprint of a workspace's whole directory: equal digests, equal people. */
export async function directoryDigest(db: TestDatabase, workspace: string): Promise<{ digest: string; people: number; distinct: number }> {
  const [row] = await db.query<{ digest: string; people: string; distinct: string }>(
    `SELECT md5(coalesce(string_agg(concat_ws('|', external_id, email, first_name, last_name, display_name, title, department,
                                              location, phone, status, custom::text), E'\\n' ORDER BY external_id), '')) AS digest,
            count(*) AS people, count(DISTINCT external_id) AS distinct
       FROM users WHERE workspace_id = (SELECT id FROM workspaces WHERE name = $1)`,
    [workspace],
  );
  return { digest: row.digest, people: Number(row.people), distinct: Number(row.distinct) };
}

export interface Progress {
  state: string;
  staged_lines: number;
  staged_at: Date | null;
  applied_line: number;
  attempt: string | null;
}

export async function progressOf(db: TestDatabase, id: string): Promise<Progress> {
  const [row] = await db.query<Progress>('SELECT state, staged_lines, staged_at, applied_line, attempt FROM imports WHERE id = $1', [id]);
  return row;
}

/** Polls the import row until `done` holds (never a fixed sleep). */
export async function waitForProgress(db: TestDatabase, id: string, done: (row: Progress) => boolean, timeoutMs = 90_000): Promise<Progress> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const row = await progressOf(db, id);
    if (done(row)) return row;
    if (row.state === 'FAILED' || row.state === 'CANCELLED') throw new Error(`import ended ${row.state}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`import ${id} did not reach the expected point`);
}

/** A small seeded generator, so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
