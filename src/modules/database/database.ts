import { Injectable } from '@nestjs/common';
import type { Db as IDatabase } from 'pg-boss';
import type { PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';

/** One open transaction: SQL, the raw client for COPY, and an adapter for pg-boss's `db` option. */
export interface Tx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Rows affected by an UPDATE/DELETE/INSERT. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  client(): Promise<PoolClient>;
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

  /** Rows of a SELECT, or of an INSERT/UPDATE/DELETE … RETURNING (DataSource.query would return [rows, count] for those). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return (await runner.query(sql, params, true)).records as T[];
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

async function inTransaction<T>(runner: QueryRunner, work: (tx: Tx) => Promise<T>, isolation?: Isolation): Promise<T> {
  await runner.startTransaction(isolation);
  try {
    const result = await work(wrap(runner));
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  }
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
    boss: {
      async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
        return { rows: (await runner.query(text, values ?? [], true)).records };
      },
    },
  };
}
