import path from 'node:path';
import type { Env } from '../config/env.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded PostgreSQL kept in the data folder. */
export async function openDatabase(env: Env, log: (message: string) => void): Promise<DatabaseHandle> {
  if (env.databaseUrl) return { url: env.databaseUrl, embedded: false, stop: async () => undefined };
  const cluster = await startEmbeddedPostgres({ dataDir: path.resolve(env.dataDir), log });
  return { url: cluster.url, embedded: true, stop: () => cluster.stop() };
}
