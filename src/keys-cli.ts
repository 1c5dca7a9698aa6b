import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { KEY_ROLES, type KeyRole } from './modules/auth/api-key.js';
import { ApiKeysRepository } from './modules/auth/api-keys.repository.js';
import { ApiKeysService } from './modules/auth/api-keys.service.js';
import { WorkspacesRepository } from './modules/auth/workspaces.repository.js';
import { loadEnv } from './modules/config/env.js';
import { dataSourceOptions } from './modules/database/data-source-options.js';
import { Database } from './modules/database/database.js';
import { asSystem } from './modules/database/db-scope.js';
import { openDatabase } from './modules/database/database-url.js';
import { migrate } from './modules/database/migrate.js';

const USAGE = 'usage: npm run keys -- create --workspace <name> --name <who> --role admin|viewer';

/** `npm run keys -- create …`: a new API key (and its workspace, when new), printed once. */
async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'admin' } },
  });
  if (positionals[0] !== 'create' || !values.workspace || !values.name) throw new Error(USAGE);
  if (!KEY_ROLES.includes(values.role as KeyRole)) throw new Error(`--role must be admin or viewer\n${USAGE}`);

  const env = loadEnv();
  const database = await openDatabase(env, (message) => process.stderr.write(`${message}\n`));
  const dataSource = new DataSource(dataSourceOptions(database.url, 2));
  try {
    await migrate(database.url);
    await dataSource.initialize();
    const db = new Database(dataSource);
    const service = new ApiKeysService(db, new ApiKeysRepository(db), new WorkspacesRepository());
    const created = await asSystem(() => service.create(values.workspace!, values.name!, values.role as KeyRole));
    process.stdout.write(
      `${created.workspaceCreated ? `Workspace "${created.workspace}" created.\n` : ''}` +
        `API key "${created.name}" (${created.role}) for workspace "${created.workspace}", shown only this once:\n\n  ${created.key}\n\n`,
    );
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
