import { Injectable } from '@nestjs/common';
import { Database, type Session, type Tx } from '../database/database.js';
import type { ImportConfig, MappedColumn } from '../imports/import-config.js';
import { ZERO_COUNTS, type ImportRef, type OpCounts } from '../imports/import-record.js';
import { candidates, fileChanges, fileCreates, missingPeople } from './plan-changes.js';
import { displayNames, managers, otherIdentifier, repeatedKeys, unknownPeople } from './plan-checks.js';
import { groupChanges } from './plan-groups.js';
import { literal } from './mapped-fields.js';

export interface PlanInput {
  config: ImportConfig;
  mapping: MappedColumn[];
  /** The position already applied: a plan made again keeps what was applied up to it. */
  appliedSeq?: number;
}

/**
 * Runs one statement of the plan with the parameters it uses. CREATE TABLE … AS takes no
 * parameters, so there they are written in as literals (ids the database made).
 */
async function run(tx: Tx, sql: string, params: (string | number)[]): Promise<void> {
  const used = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
  if (/^\s*CREATE/.test(sql)) {
    await tx.query(sql.replace(/\$(\d+)/g, (_, n: string) => literal(String(params[Number(n) - 1]))));
  } else {
    await tx.query(sql, params.slice(0, used));
  }
}

/** Per plan (two run at most per worker by default): enough for the key hashes of 1M lines. */
const PLAN_WORK_MEM = '128MB';

/** The plan's working tables: they live in its session, from one step to the next. */
const WORKING_TABLES = ['plan_dup_keys', 'plan_repeats', 'plan_candidates', 'plan_edges', 'plan_members'];

/** What the caller does in the plan's transactions: fence each on the attempt that owns the import, and act on the result. */
export interface PlanHooks {
  /** Runs first in every step's transaction; throws when this attempt no longer owns the import. */
  fence(tx: Tx): Promise<void>;
  /** Runs in the transaction that records the plan (with its counts). */
  planned?(tx: Tx, counts: OpCounts): Promise<void>;
}

/**
 * Plan: a set-based diff of the staged rows against the directory. Lines that cannot apply become
 * errors; people the import creates, changes, deactivates or deletes go to import_changes with
 * each changed field as {from, to} (and their id, given now to the people it creates); group
 * changes go to import_group_changes. The directory is never loaded into memory.
 *
 * Each step is its own transaction (a few seconds at 1M lines), so no transaction stays open for
 * the whole plan; the import has no plan (planned_at is null) from the first step until the last
 * records it. A plan cut short is made again from the start. The directory version is read at the start: if another import
 * changes the directory while the plan is made, the plan is stale and is made again before it
 * applies.
 */
@Injectable()
export class PlannerRepository {
  constructor(private readonly db: Database) {}

  /**
   * Before a plan, outside its transaction: fresh statistics after staging (and after the last
   * import's writes), or the joins get nested-loop plans that take minutes instead of seconds; and
   * the freshly written rows' hint bits set once here, instead of by the plan's first scans.
   */
  async settle(): Promise<void> {
    await this.db.maintain('VACUUM (ANALYZE) staged_rows, users');
  }

  async plan(ref: ImportRef, input: PlanInput, hooks: PlanHooks): Promise<OpCounts> {
    return this.db.session(async (session) => {
      try {
        return await this.steps(session, ref, input, hooks);
      } finally {
        await session.transaction((tx) => dropWorkingTables(tx)).catch(() => undefined);
      }
    });
  }

  private async steps(session: Session, ref: ImportRef, input: PlanInput, hooks: PlanHooks): Promise<OpCounts> {
    const applied = input.appliedSeq ?? 0;
    const params: (string | number)[] = [ref.workspaceId, ref.importId];
    const step = <T>(work: (tx: Tx) => Promise<T>): Promise<T> =>
      session.transaction(async (tx) => {
        await hooks.fence(tx);
        // Hash aggregates over a million keys fit in memory instead of spilling to disk; parallel
        // workers would each build the same hash table again (measured: 9 s → 2 s per check at 1M).
        await tx.query(`SET LOCAL work_mem = '${PLAN_WORK_MEM}'`);
        await tx.query('SET LOCAL max_parallel_workers_per_gather = 0');
        // The directory and the staged lines are read from memory, not from a spinning disk: a
        // few hundred thousand changed lines are looked up by index instead of reading all of it.
        await tx.query('SET LOCAL random_page_cost = 1.1');
        return work(tx);
      }, 'REPEATABLE READ');
    const runAll = (sqls: string[], values = params) => step(async (tx) => { for (const sql of sqls) await run(tx, sql, values); });

    const { version, planned } = await step(async (tx) => {
      await dropWorkingTables(tx);
      // A plan made before (or one cut short) may have marked repeated lines: the new one forgets them.
      const [row] = await tx.query<{ planned: boolean; version: string }>(
        `SELECT i.planned_at IS NOT NULL OR i.phase = 'planning' AS planned, w.directory_version AS version
           FROM imports i JOIN workspaces w ON w.id = i.workspace_id WHERE i.workspace_id = $1 AND i.id = $2`,
        params,
      );
      // Until its last step, the import has no plan: nothing applies, shows or is approved half-made.
      await tx.query(`UPDATE imports SET phase = 'planning', planned_at = NULL, planned_version = NULL, updated_at = now() WHERE workspace_id = $1 AND id = $2`, params);
      await tx.query(`DELETE FROM import_errors WHERE workspace_id = $1 AND import_id = $2 AND source = 'plan'`, params);
      await tx.query(`DELETE FROM import_changes WHERE workspace_id = $1 AND import_id = $2 AND seq > $3`, [...params, applied]);
      await tx.query(`DELETE FROM import_group_changes WHERE workspace_id = $1 AND import_id = $2`, params);
      return { version: Number(row.version), planned: row.planned };
    });
    // An empty file has no columns to map, and nothing to compare.
    const comparing = input.mapping.some((m) => m.field === input.config.key);
    if (comparing) {
      const checks = { config: input.config, mapping: input.mapping };
      const [{ sequence }] = await this.db.query<{ sequence: string }>(`SELECT pg_get_serial_sequence('users', 'id') AS sequence`);
      const changes = { ...checks, idSequence: literal(sequence) };
      await runAll(repeatedKeys(checks, planned));
      await runAll([candidates(changes), 'ANALYZE plan_candidates'], [...params, applied]);
      for (const sqls of [otherIdentifier(checks), unknownPeople(checks), displayNames(checks), managers(checks)]) {
        if (sqls.length) await runAll(sqls);
      }
      await runAll([fileCreates(changes), fileChanges(changes)], [...params, applied]);
      const missing = missingPeople(changes);
      if (missing) await runAll([missing], [...params, applied]);
      if (input.mapping.some((m) => m.field === 'group')) await runAll(groupChanges(input.config.key));
    }
    return step(async (tx) => {
      if (comparing) await tx.asOwner(() => tx.query('ANALYZE import_changes'));
      const counts = await this.count(tx, ref, comparing);
      await tx.query(
        `UPDATE imports
            SET counts = $3, planned_at = now(), phase = 'waiting', updated_at = now(), linked_seq = 0, grouped_seq = 0, planned_version = $4
          WHERE workspace_id = $1 AND id = $2`,
        [...params, counts, version],
      );
      await hooks.planned?.(tx, counts);
      return counts;
    });
  }

  /** People are counted once however many lines (groups) they are on. */
  private async count(tx: Tx, ref: ImportRef, compared: boolean): Promise<OpCounts> {
    const [row] = await tx.query<Record<'staged' | 'creates' | 'updates' | 'deactivates' | 'deletes' | 'from_file' | 'blocked' | 'error_lines', string>>(
      `SELECT i.staged_count AS staged, c.creates, c.updates, c.deactivates, c.deletes, c.from_file,
              (SELECT count(DISTINCT line) FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2 AND e.source = 'plan' AND e.blocking) AS blocked,
              (SELECT count(DISTINCT line) FROM import_errors e WHERE e.workspace_id = $1 AND e.import_id = $2) AS error_lines
         FROM imports i,
              LATERAL (SELECT count(*) FILTER (WHERE op = 'create') AS creates, count(*) FILTER (WHERE op = 'update') AS updates,
                              count(*) FILTER (WHERE op = 'deactivate') AS deactivates, count(*) FILTER (WHERE op = 'delete') AS deletes,
                              count(*) FILTER (WHERE line IS NOT NULL) AS from_file
                         FROM import_changes c WHERE c.workspace_id = $1 AND c.import_id = $2) c
        WHERE i.workspace_id = $1 AND i.id = $2`,
      [ref.workspaceId, ref.importId],
    );
    const repeats = compared ? Number((await tx.query<{ n: string }>('SELECT count(*) AS n FROM plan_repeats'))[0].n) : 0;
    return {
      ...ZERO_COUNTS,
      create: Number(row.creates),
      update: Number(row.updates),
      deactivate: Number(row.deactivates),
      delete: Number(row.deletes),
      unchanged: Number(row.staged) - Number(row.from_file) - Number(row.blocked) - repeats,
      error: Number(row.error_lines),
    };
  }
}

async function dropWorkingTables(tx: Tx): Promise<void> {
  await tx.query(`DROP TABLE IF EXISTS ${WORKING_TABLES.join(', ')}`);
}
