import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1763800000000 } from '../../../migrations/1763800000000-initial-schema.js';
import { DirectorySemantics1763900000000 } from '../../../migrations/1763900000000-directory-semantics.js';
import { Profiles1764000000000 } from '../../../migrations/1764000000000-profiles.js';
import { SourcesAndSchedules1764100000000 } from '../../../migrations/1764100000000-sources-and-schedules.js';
import { ApprovalsAndEvents1764200000000 } from '../../../migrations/1764200000000-approvals-and-events.js';
import { Webhooks1764300000000 } from '../../../migrations/1764300000000-webhooks.js';
import { Notifications1764400000000 } from '../../../migrations/1764400000000-notifications.js';
import { RecoveryCodesReady1764500000000 } from '../../../migrations/1764500000000-recovery-codes-ready.js';
import { AuditAndIsolation1764600000000 } from '../../../migrations/1764600000000-audit-and-isolation.js';
import { ApiKeyRates1764700000000 } from '../../../migrations/1764700000000-api-key-rates.js';
import { BulkTables1764800000000 } from '../../../migrations/1764800000000-bulk-tables.js';
import { DirectoryLookups1764900000000 } from '../../../migrations/1764900000000-directory-lookups.js';
import { AuditRecoveryCodes1765000000000 } from '../../../migrations/1765000000000-audit-recovery-codes.js';
import { Retention1765100000000 } from '../../../migrations/1765100000000-retention.js';

/** Migrations in the order they run; each is reviewable SQL in migrations/. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  DirectorySemantics1763900000000,
  Profiles1764000000000,
  SourcesAndSchedules1764100000000,
  ApprovalsAndEvents1764200000000,
  Webhooks1764300000000,
  Notifications1764400000000,
  RecoveryCodesReady1764500000000,
  AuditAndIsolation1764600000000,
  ApiKeyRates1764700000000,
  BulkTables1764800000000,
  DirectoryLookups1764900000000,
  AuditRecoveryCodes1765000000000,
  Retention1765100000000,
];

export function dataSourceOptions(url: string, poolSize = 20, idleTransactionSeconds = 60): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize,
    extra: {
      application_name: 'rostersync',
      // A worker frozen mid-transaction (SIGSTOP, a stalled VM) must not hold an import's lock forever.
      options: `-c idle_in_transaction_session_timeout=${idleTransactionSeconds * 1000}`,
    },
  };
}
