import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { Api } from './support/api-client.js';
import { accessibilityProblems, screenshot, startBrowser, type ConsoleBrowser } from './support/browser.js';
import { employeesCsv } from './support/employee-csv.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The admin console in a real browser (Debian's Chromium through playwright-core), over the public API. */
describe('admin console', () => {
  let app: TestApp;
  let chromium: ConsoleBrowser;

  beforeAll(async () => {
    app = await startTestApp();
    chromium = await startBrowser();
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
  });

  async function signedIn(key: string): Promise<Page> {
    const page = await (await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Imports' }).waitFor();
    return page;
  }
  const accessible = async (page: Page) => expect(await accessibilityProblems(page)).toEqual([]);

  it('upload, fix a mapping, preview with a field diff and an error line, import, and watch it complete', async () => {
    const key = await app.createKey('console', 'alice');
    const api = new Api(app.baseUrl, key);
    await api.post('/v1/fields', { key: 'costCenter', label: 'Cost center', type: 'string' });
    const seed = await api.upload('externalId,email,department\nC1,ada@example.com,Research\nC2,bob@example.com,Sales\n');
    await api.request(seed.body.id, 'IMPORT_PENDING');
    await api.waitForState(seed.body.id, 'COMPLETED');

    const page = await (await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${app.baseUrl}/`);
    await accessible(page);
    await screenshot(page, 'sign-in');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Imports' }).waitFor();
    expect(await page.locator('#workspace').textContent()).toBe('console');
    expect(await page.locator('#role').textContent()).toBe('admin');
    await page.getByRole('cell', { name: 'Completed' }).first().waitFor();
    await accessible(page);
    await screenshot(page, 'imports');

    await page.getByRole('link', { name: 'New import' }).first().click();
    await page.getByLabel('Choose a CSV file').setInputFiles({
      name: 'staff.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Staff No;Mail;Department\nC1;ada@example.com;Marketing\nC3;cy@example.com;Research\nC4;not-an-email;Research\n'),
    });
    await page.getByText('Delimiter: semicolon').waitFor();
    // "Staff No" is no common name for the key: map it by hand.
    await page.getByLabel('Staff No').selectOption('externalId');
    expect(await page.getByLabel('Mail').inputValue()).toBe('email');
    // Custom fields are offered too.
    expect(await page.getByLabel('Department').locator('option', { hasText: 'Cost center (custom)' }).count()).toBe(1);
    await accessible(page);
    await screenshot(page, 'new-import');
    await page.getByRole('button', { name: 'Create preview' }).click();

    await page.locator('#status', { hasText: 'Preview Ready' }).waitFor();
    await page.getByRole('tab', { name: 'Update' }).click();
    const diff = page.locator('li.diff', { hasText: 'department' });
    await diff.waitFor();
    expect(await diff.locator('del').textContent()).toBe('Research');
    expect(await diff.locator('ins').textContent()).toBe('Marketing');
    await page.getByRole('tab', { name: 'Errors' }).click();
    await page.getByRole('cell', { name: 'INVALID_EMAIL' }).or(page.getByText('INVALID_EMAIL')).first().waitFor();
    expect(await page.locator('td.raw').first().textContent()).toBe('C4;not-an-email;Research');
    await accessible(page);
    await screenshot(page, 'preview');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('#status', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('progress').getAttribute('value')).toBe('100');
    expect((await api.get('/v1/users/C1')).body).toMatchObject({ department: 'Marketing' });
  });

  it('a gate-held import is rejected with a comment and shows "Rejected by"; a viewer cannot approve', async () => {
    const key = await app.createKey('console-gates', 'bob');
    const viewerKey = await app.createKey('console-gates', 'vera', 'viewer');
    const api = new Api(app.baseUrl, key);
    const held = await api.upload('externalId,email\nG1,g1@example.com\nG2,g2@example.com\n', { config: { approval: { maxCreates: 1 } } });
    await api.request(held.body.id, 'PREVIEW_PENDING');
    await api.waitFor(held.body.id, (b) => b.state === 'PREVIEW_READY');

    const viewer = await signedIn(viewerKey);
    expect(await viewer.getByRole('link', { name: 'New import' }).count()).toBe(0);
    await viewer.goto(`${app.baseUrl}/#/imports/${held.body.id}`);
    await viewer.locator('#status', { hasText: 'Waiting for Approval' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Reject' }).count()).toBe(0);

    const page = await signedIn(key);
    await page.goto(`${app.baseUrl}/#/imports/${held.body.id}`);
    await page.getByText('2 people would be created: more than the maxCreates limit of 1.').waitFor();
    await accessible(page);
    await screenshot(page, 'waiting-for-approval');
    await page.getByLabel('Comment (optional)').fill('Not these two');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#status', { hasText: 'Rejected by bob' }).waitFor();
    await page.getByText('Rejected by bob').nth(1).waitFor();
    expect((await api.getImport(held.body.id)).body).toMatchObject({ state: 'CANCELLED', decision: { kind: 'rejected', comment: 'Not these two' } });
  });

  it('a running import is cancelled from its page', async () => {
    const key = await app.createKey('console-cancel', 'carol');
    const api = new Api(app.baseUrl, key);
    const big = await api.upload(employeesCsv(200_000));
    await api.request(big.body.id, 'IMPORT_PENDING');
    const page = await signedIn(key);
    await page.goto(`${app.baseUrl}/#/imports/${big.body.id}`);
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await page.locator('#status', { hasText: 'Cancelled' }).waitFor({ timeout: 60_000 });
    expect((await api.getImport(big.body.id)).body.state).toBe('CANCELLED');
  });
});
