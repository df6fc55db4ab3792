/**
 * Debian's Chromium driven by playwright-core, for the browser suites. The
 * browser reaches only loopback addresses: every other request is refused and
 * recorded, so a suite can show that a page works with no internet access.
 * Screenshots go to test/results/browser/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../../lib/subgraphSchemas.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const RESULTS_DIR = resolve(repoRoot, 'test/results/browser');

export async function launchChromium(): Promise<Browser> {
  // A missing browser is a broken machine, not a reason to skip: the suite fails and says what to install.
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Expected Debian's Chromium at ${CHROMIUM_PATH} for the browser tests, but it is not installed; run \`apt-get install -y chromium\` (.ci/run does).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface OfflineContext {
  context: BrowserContext;
  /** URLs of every request the browser tried to send off this machine (all of them refused). */
  offMachine: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function leavesMachine(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  // data: and blob: URLs (GraphiQL's editor workers) never touch the network.
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return false;
  return !LOOPBACK.has(hostname);
}

export async function offlineContext(browser: Browser): Promise<OfflineContext> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const offMachine: string[] = [];
  context.on('request', (request) => {
    if (leavesMachine(request.url())) offMachine.push(request.url());
  });
  await context.route('**/*', (route) => {
    if (!leavesMachine(route.request().url())) return route.continue();
    offMachine.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return { context, offMachine };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resolve(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
