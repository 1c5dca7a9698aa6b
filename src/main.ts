import 'reflect-metadata';
import pino from 'pino';
import { createApp } from './create-app.js';
import { ApiKeysService } from './modules/auth/api-keys.service.js';
import { loadEnv } from './modules/config/env.js';
import { openDatabase } from './modules/database/database-url.js';
import { migrate } from './modules/database/migrate.js';

/** Boots rostersync: database (embedded unless DATABASE_URL), migrations, then API and/or worker. */
async function main(): Promise<void> {
  const env = loadEnv();
  const boot = pino({ level: env.logLevel, name: 'boot' });
  const database = await openDatabase(env, (message) => boot.info(message));
  const applied = await migrate(database.url);
  if (applied.length) boot.info({ migrations: applied }, 'migrations applied');

  const app = await createApp(env, database.url);

  const created = await app.get(ApiKeysService).bootstrap(env.bootstrapKey);
  if (created && !env.bootstrapKey) {
    // Shown once: only the hash is stored.
    process.stdout.write(
      `\n  Workspace "default" created. Its admin API key (shown only this once):\n\n    ${created.key}\n\n` +
        '  Use it as:  curl -H "x-api-key: <key>" ...\n\n',
    );
  } else if (created) {
    boot.info('workspace "default" created with the key from ROSTERSYNC_BOOTSTRAP_KEY');
  }

  if (env.role === 'worker') {
    await app.init();
    boot.info({ role: env.role }, 'rostersync worker started');
  } else {
    await app.listen(env.port, env.host);
    const url = await app.getUrl();
    boot.info({ role: env.role, url, database: database.embedded ? 'embedded' : 'DATABASE_URL' }, `rostersync listening on ${url}`);
  }

  let closing = false;
  const close = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    boot.info({ signal }, 'shutting down');
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`rostersync failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
