import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
/** Without these Chromium stalls on the machines' closed network (see the machine notes). */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Screenshots of the main pages: test artifacts, not committed. */
export const ARTIFACTS = path.resolve('test-artifacts', 'console');

/** Debian's Chromium, installed on first use (under a lock: two test workers may ask at once). */
async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  await run('flock', ['/tmp/rostersync-chromium.lock', 'sh', '-c',
    `[ -x ${CHROMIUM} ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)`], { maxBuffer: 64 * 1024 * 1024 });
}

export interface ConsoleBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** A headless Chromium; playwright-core gives every launch a new, empty profile (user data dir). */
export async function startBrowser(): Promise<ConsoleBrowser> {
  await ensureChromium();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  return { browser, close: () => browser.close() };
}

/** Serious and critical accessibility violations axe-core finds on the page (an empty list passes). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  // A string, run in the page: this project's own types have no DOM.
  const violations = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
