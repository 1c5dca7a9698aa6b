import 'reflect-metadata';
import pino from 'pino';
import { createApp } from './create-app.js';
import { ApiKeysService } from './modules/auth/api-keys.service.js';
import { loadEnv } from './modules/config/env.js';
import { asSystem } from './modules/database/db-scope.js';
import { openDatabase } from './modules/database/database-url.js';
import { migrate } from './modules/database/migrate.js';

/** SIGTERM to exit, at most. */
const SHUTDOWN_SECONDS = 10;

/** Boots rostersync: database (embedded unless DATABASE_URL), migrations, then API and/or worker. */
async function main(): Promise<void> {
  const env = loadEnv();
  const boot = pino({ level: env.logLevel, name: 'boot' });
  const database = await openDatabase(env, (message) => boot.info(message));
  const applied = await migrate(database.url);
  if (applied.length) boot.info({ migrations: applied }, 'migrations applied');

  const app = await createApp(env, database.url);

  const created = await asSystem(() => app.get(ApiKeysService).bootstrap(env.bootstrapKey));
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
    // A worker serves no API; with METRICS_PORT it serves /health/* and /metrics there.
    if (env.metricsPort === undefined) await app.init();
    else await app.listen(env.metricsPort, env.host);
    boot.info({ role: env.role, ...(env.metricsPort === undefined ? {} : { metrics: `${await app.getUrl()}/metrics` }) }, 'rostersync worker started');
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
    // Jobs stop at their next batch or plan step, pg-boss gives them 8 s, then fails what is left so
    // another worker retries it at once: a process that still has not closed by now is cut short.
    setTimeout(() => {
      boot.warn({ seconds: SHUTDOWN_SECONDS }, 'not closed in time: exiting anyway (running jobs resume from their checkpoints)');
      process.exit(1);
    }, SHUTDOWN_SECONDS * 1000).unref();
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
