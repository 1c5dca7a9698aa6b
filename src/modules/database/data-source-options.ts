import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1763800000000 } from '../../../migrations/1763800000000-initial-schema.js';

/** Migrations in the order they run; each is reviewable SQL in migrations/. */
export const MIGRATIONS = [InitialSchema1763800000000];

export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize,
    extra: { application_name: 'rostersync' },
  };
}
