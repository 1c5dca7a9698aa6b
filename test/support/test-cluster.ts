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
