import { Injectable } from '@nestjs/common';
import type { Db as IDatabase } from 'pg-boss';
import type { PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../../migrations/1764600000000-audit-and-isolation.js';
import { currentScope, NoDbScopeError, type DbScope } from './db-scope.js';

/** One open transaction: SQL, the raw client for COPY, and an adapter for pg-boss's `db` option. */
export interface Tx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Rows affected by an UPDATE/DELETE/INSERT. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  client(): Promise<PoolClient>;
  /**
   * Work as the tables' owner, then back to the application's role: for what PostgreSQL does not
   * allow under row-level security or to a non-owner (COPY FROM, ANALYZE).
   */
  asOwner<T>(work: () => Promise<T>): Promise<T>;
  readonly boss: IDatabase;
}

/**
 * For a transaction that writes a batch together with the checkpoint it reaches: the commit does
 * not wait for the WAL flush. A server crash may lose the last such commits, but always a batch
 * with its checkpoint, so the import resumes from an earlier, consistent point; the next
 * ordinary commit (a state change) flushes everything before it.
 */
export const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

/** The seam to PostgreSQL: every repository reaches the database through this. */
@Injectable()
export class Database {
  constructor(readonly dataSource: DataSource) {}

  /** Rows of a SELECT, or of an INSERT/UPDATE/DELETE … RETURNING (in a transaction of its own, in the current scope). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.transaction((tx) => tx.query<T>(sql, params));
  }

  /**
   * Maintenance the tables' owner runs (VACUUM, ANALYZE), outside any scope: it reads no rows
   * for anyone.
   */
  async maintain(sql: string): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.query(sql);
    } finally {
      await runner.release();
    }
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>, isolation?: Isolation): Promise<T> {
    return this.session((session) => session.transaction(work, isolation));
  }

  /**
   * One connection for several transactions: what a session keeps (temporary tables) lives from
   * one transaction to the next, and no transaction has to stay open for the whole of the work.
   */
  async session<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      return await work({ transaction: (inner, isolation) => inTransaction(runner, inner, isolation) });
    } finally {
      await runner.release();
    }
  }
}

export type Isolation = 'REPEATABLE READ' | 'SERIALIZABLE';

/** A connection held for a while: transactions on it run one after the other. */
export interface Session {
  transaction<T>(work: (tx: Tx) => Promise<T>, isolation?: Isolation): Promise<T>;
}

/**
 * BEGIN and the scope go as one message (TypeORM's startTransaction would send BEGIN, and SET
 * TRANSACTION for an isolation level, each a round trip of its own).
 */
async function inTransaction<T>(runner: QueryRunner, work: (tx: Tx) => Promise<T>, isolation?: Isolation): Promise<T> {
  const scope = currentScope();
  if (!scope) throw new NoDbScopeError();
  try {
    await runner.query(`BEGIN${isolation ? ` ISOLATION LEVEL ${isolation}` : ''}; ${scopeStatements(scope)}`);
    const result = await work(wrap(runner));
    await runner.query('COMMIT');
    return result;
  } catch (error) {
    // Outside a transaction (BEGIN failed) PostgreSQL only warns.
    await runner.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The application's role (row-level security applies to it, the audit log is append-only for it),
 * the workspace its rows must belong to, and the actor the audit log records. SET, not
 * `SELECT set_config(…)`: a SELECT would take a REPEATABLE READ transaction's snapshot before its
 * work begins, and a fence that finds its import taken over meanwhile would fail as a
 * serialization error instead of seeing the new owner.
 */
function scopeStatements(scope: DbScope): string {
  return [
    `SET LOCAL ROLE ${APP_ROLE}`,
    `SET LOCAL rostersync.workspace = ${quoted(scope.workspaceId ?? '')}`,
    `SET LOCAL rostersync.system = ${scope.system ? "'on'" : "'off'"}`,
    `SET LOCAL rostersync.actor = ${quoted(scope.actor ?? '')}`,
    `SET LOCAL rostersync.actor_key = ${quoted(scope.actorKeyId ?? '')}`,
  ].join('; ');
}

/** A string literal that means the same whatever standard_conforming_strings says. */
function quoted(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function wrap(runner: QueryRunner): Tx {
  return {
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await runner.query(sql, params, true)).records as T[];
    },
    async execute(sql: string, params: unknown[] = []): Promise<number> {
      return (await runner.query(sql, params, true)).affected ?? 0;
    },
    async client(): Promise<PoolClient> {
      return (await runner.connect()) as PoolClient;
    },
    async asOwner<T>(work: () => Promise<T>): Promise<T> {
      const back = `SET LOCAL ROLE ${APP_ROLE}`;
      await runner.query('SET LOCAL ROLE NONE');
      let result: T;
      try {
        result = await work();
      } catch (error) {
        // A caller that catches goes on in this transaction as the application, never as the owner
        // (an aborted transaction refuses the SET, and every other statement too).
        await runner.query(back).catch(() => undefined);
        throw error;
      }
      await runner.query(back);
      return result;
    },
    boss: {
      async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
        return { rows: (await runner.query(text, values ?? [], true)).records };
      },
    },
  };
}
