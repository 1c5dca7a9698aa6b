import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { KeyRole } from '../../src/modules/auth/api-key.js';
import { ApiKeysService } from '../../src/modules/auth/api-keys.service.js';
import { loadEnv } from '../../src/modules/config/env.js';
import { asSystem } from '../../src/modules/database/db-scope.js';
import { createApp } from '../../src/create-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  baseUrl: string;
  app: INestApplication;
  db: TestDatabase;
  /** A new API key (and its workspace when new). */
  createKey(workspace: string, name?: string, role?: KeyRole): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  db?: TestDatabase;
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
}

/** The real application (API and worker unless ROLE says otherwise) on a fresh database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const env = loadEnv({ ...testEnv(db.url), ...options.env });
  const app = await createApp(env, db.url, { logger: false });
  if (env.role === 'worker') await app.init();
  else await app.listen(0, '127.0.0.1');
  const baseUrl = env.role === 'worker' ? '' : (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    baseUrl,
    app,
    db,
    async createKey(workspace: string, name = 'test-admin', role: KeyRole = 'admin'): Promise<string> {
      return (await asSystem(() => app.get(ApiKeysService).create(workspace, name, role))).key;
    },
    async close(): Promise<void> {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}

/** What every test process runs with: quick job polling and monitoring, quiet logs. */
export function testEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ROSTERSYNC_JOB_POLLING_SECONDS: '0.5',
    ROSTERSYNC_JOB_MONITOR_SECONDS: '2',
    ROSTERSYNC_JOB_HEARTBEAT_SECONDS: '10',
    ROSTERSYNC_IDLE_TRANSACTION_SECONDS: '10',
    // A fixed key for test databases only (they are dropped): every test process can open what another sealed.
    ROSTERSYNC_SECRET_KEY: createHash('sha256').update('rostersync test databases').digest('hex'),
    ROSTERSYNC_CRON_INTERVAL_SECONDS: '5',
    // Tests poll every 100 ms, faster than a client should; the limiter has its own test.
    ROSTERSYNC_RATE_LIMIT_PER_MINUTE: '0',
  };
}
