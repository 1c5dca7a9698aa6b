/** Connection facts of the test run's PostgreSQL, shared from the global setup with every test file. */
export const TEST_ADMIN_URL = 'ROSTERSYNC_TEST_ADMIN_URL';
export const TEMPLATE_DATABASE = 'rostersync_test_template';
export const TEST_DATA_DIR = 'ROSTERSYNC_TEST_DATA_DIR';

export function adminUrl(): string {
  const url = process.env[TEST_ADMIN_URL];
  if (!url) throw new Error('the test PostgreSQL is not running: run the tests with npm test');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The installation (as /usr/lib/postgresql/15) of the server TEST_DATABASE_URL names, for a test
 * that needs a cluster of its own: it starts one from these binaries. Unset: the embedded ones.
 */
export function testPostgresInstallation(): string | undefined {
  const installation = process.env.TEST_POSTGRES_INSTALLATION || undefined;
  if (process.env.TEST_DATABASE_URL && !installation) {
    console.warn('TEST_DATABASE_URL is set without TEST_POSTGRES_INSTALLATION: a test that needs a cluster of its own runs it on the embedded PostgreSQL, not on that server\'s version');
  }
  return installation;
}
