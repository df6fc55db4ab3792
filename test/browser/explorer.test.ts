/**
 * The explorer and the graph map in a real headless browser (Debian's Chromium,
 * playwright-core), against the whole stack on ephemeral ports, with every
 * request off this machine refused: the explorer loads offline from the
 * gateway alone, opens with the example operations as tabs and the development
 * token in their headers, runs a cross-system query and shows the result; the
 * graph map renders and lists a known field with its native source.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { launchChromium, offlineContext, screenshot, type OfflineContext } from './browser.js';

const OPERATIONS = readdirSync(resolve(repoRoot, 'schema/operations')).filter((f) => f.endsWith('.graphql'));

let stack: TestStack;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  // Authentication on, with the public development secret: the explorer then carries the development token.
  [stack, browser] = await Promise.all([startTestStack({ env: { AUTH_MODE: 'hs256' } }), launchChromium()]);
  origin = new URL(stack.gateway.url).origin;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function openPage(path: string): Promise<{ page: Page } & OfflineContext> {
  const offline = await offlineContext(browser);
  const page = await offline.context.newPage();
  await page.goto(`${origin}${path}`, { waitUntil: 'load' });
  return { page, ...offline };
}

describe('the explorer at /', () => {
  it('loads offline, opens with every example operation, and runs a cross-system query with the development token', async () => {
    const { page, context, offMachine } = await openPage('/');
    try {
      // GraphiQL has rendered and loaded the schema (its first introspection answered).
      await page.waitForSelector('.graphiql-execute-button', { timeout: 60_000 });
      expect(await page.title()).toBe('ERP + CRM graph');
      await expect.poll(() => page.locator('.graphiql-tab').count(), { timeout: 30_000 }).toBe(OPERATIONS.length + 1);
      await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toContain('CustomerAcrossSystems');

      // The query builder (GraphiQL's Explorer plugin) is there and opens.
      await page.click('button[aria-label="Show GraphiQL Explorer"]');
      await page.waitForSelector('.graphiql-explorer-root', { timeout: 30_000 });
      await screenshot(page, 'explorer-plugin');

      const answer = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('CustomerAcrossSystems'), {
        timeout: 60_000,
      });
      await page.click('.graphiql-execute-button');
      const response = await answer;
      // The prefilled Headers tab sent the development token, so the gateway (authentication on) answered.
      expect(response.request().headers().authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(response.status()).toBe(200);
      const body = (await response.json()) as { data?: { customers: { nodes: Record<string, any>[] } }; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      const first = body.data!.customers.nodes[0]!;
      // One answer from both systems: the ERP's credit limit next to the CRM's identity and account owner.
      expect(first.creditLimit.currencyCode).toMatch(/^[A-Z]{3}$/);
      expect(first.crmIdentity).toBe('MATCHED');
      expect(first.owner.email).toContain('@');

      // The result pane shows it.
      await page.waitForFunction(
        () => {
          const text = document.querySelector('.graphiql-response')?.textContent ?? '';
          return text.includes('crmIdentity') && text.includes('creditLimit');
        },
        undefined,
        { timeout: 30_000 },
      );
      const shown = ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\u00a0/g, ' ');
      expect(shown).toContain(`"legalName": ${JSON.stringify(first.legalName)}`);
      expect(shown).toContain('"crmIdentity": "MATCHED"');
      await screenshot(page, 'explorer-result');

      // Its link to the graph map is there.
      expect(await page.getAttribute('#graph-map-link', 'href')).toBe('/graph-map');
      expect(offMachine, `requests off this machine: ${offMachine.join(', ')}`).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});

describe('the graph map at /graph-map', () => {
  it('renders offline and lists Customer.creditLimit with its subgraph and Odoo source', async () => {
    const { page, context, offMachine } = await openPage('/graph-map');
    try {
      expect(await page.title()).toBe('Graph map · ERP + CRM graph');
      const sections = await page.locator('section.area h2').allInnerTexts();
      expect(sections.slice(0, 10)).toEqual([
        '1. Customers',
        '2. Products (BOM, configuration, quotation)',
        '3. Workflow',
        '4. Staff',
        '5. Marketing',
        '6. Sales',
        '7. Service and support',
        '8. Orders',
        '9. Information exchange',
        '10. Decision support',
      ]);

      const creditLimit = page.locator('tr[data-field="Customer.creditLimit"]');
      const text = await creditLimit.innerText();
      expect(text).toContain('erp');
      expect(text).toContain('Odoo');
      expect(text).toContain('res.partner');
      expect(text).toContain('credit_limit');
      // The entity keys that link the systems: Customer by res.partner.ref and Account.ERP_Customer_Number__c.
      const links = await page.locator('#links').innerText();
      expect(links).toContain('ERP_Customer_Number__c');
      expect(links).toContain('default_code');

      // The filter narrows the map to what matches.
      await page.fill('#q', 'credit_limit');
      await expect.poll(() => creditLimit.isVisible()).toBe(true);
      expect(await page.locator('tr[data-field="Account.name"]').isVisible()).toBe(false);
      await creditLimit.scrollIntoViewIfNeeded();
      await screenshot(page, 'graph-map-filtered');
      await page.fill('#q', '');
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'graph-map');

      const json = await page.evaluate(async () => (await fetch('/graph-map.json')).json());
      expect(json.types.find((t: { name: string }) => t.name === 'Customer')).toBeTruthy();
      expect(offMachine, `requests off this machine: ${offMachine.join(', ')}`).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
