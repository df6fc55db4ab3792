/**
 * What the gateway serves of the graph map and the explorer, without a browser:
 * the routes and their switch, the page's escaping, and the explorer's tabs.
 * (test/browser/explorer.test.ts runs both pages in Chromium.)
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../gateway/src/server.js';
import { graphMapHtml } from '../gateway/src/graphMapPage.js';
import { exampleOperations, explorerHtml } from '../gateway/src/explorer.js';
import { AREAS, type GraphMap } from '../gateway/src/graphMap.js';
import { repoRoot } from '../lib/subgraphSchemas.js';

const SECRET = 'graph-map-test-secret-0123456789abcdef01234';
const OPERATIONS_DIR = resolve(repoRoot, 'schema/operations');
const started: RunningGateway[] = [];

async function gateway(env: Record<string, string> = {}): Promise<string> {
  // The pages need no subgraph: the gateway serves them from files.
  const running = await startGateway(loadGatewayConfig({ INTERNAL_SHARED_SECRET: SECRET, GATEWAY_PORT: '0', ...env }));
  started.push(running);
  return running.url.replace(/\/graphql$/, '');
}

afterAll(async () => {
  await Promise.all(started.map((g) => g.stop()));
});

describe('the graph map routes', () => {
  it('serve the page and the committed JSON where the explorer is on', async () => {
    const base = await gateway();
    const page = await fetch(`${base}/graph-map`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('data-field="Customer.creditLimit"');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
    const json = await fetch(`${base}/graph-map.json`);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(await json.text()).toBe(readFileSync(resolve(repoRoot, 'schema/graph-map.json'), 'utf8'));
  });

  it('serve nothing where the explorer is off (production)', async () => {
    const base = await gateway({ GATEWAY_EXPLORER: 'false' });
    for (const path of ['/graph-map', '/graph-map.json']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      await response.text();
    }
  });

  it('say how to generate the map when the supergraph has none beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-map-'));
    copyFileSync(resolve(repoRoot, 'schema/supergraph.graphql'), join(dir, 'supergraph.graphql'));
    const base = await gateway({ SUPERGRAPH_PATH: join(dir, 'supergraph.graphql') });
    const response = await fetch(`${base}/graph-map`);
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/Expected a graph map at .*graph-map\.json, beside the supergraph, but there is none; run `npm run compose`/);
  });
});

describe('the graph map page', () => {
  it('escapes what the schemas say and shows each source', () => {
    const map: GraphMap = {
      generatedBy: 'test',
      subgraphs: [{ name: 'erp', schemaFiles: ['x.graphql'] }],
      areas: AREAS.map((a) => ({ id: a.id, number: a.number, title: a.title })),
      entities: [],
      types: [
        {
          name: 'Thing',
          kind: 'object',
          description: 'A <b>bold</b> "thing" & more',
          area: 'customers',
          areas: ['customers'],
          subgraphs: ['erp'],
          backedBy: [{ subgraph: 'erp', system: 'odoo', name: 'res.partner' }],
          keys: [],
          values: [],
          fields: [
            {
              name: 'limit',
              type: 'Money',
              args: [],
              description: '<script>alert(1)</script>',
              area: 'customers',
              key: false,
              external: [],
              owners: [
                { subgraph: 'erp', declaredIn: 'x.graphql', sources: [{ system: 'odoo', model: 'res.partner', fields: ['credit_limit'], kind: 'field' }] },
              ],
            },
          ],
        },
      ],
    };
    const html = graphMapHtml(map);
    expect(html).toContain('A &lt;b&gt;bold&lt;/b&gt; &quot;thing&quot; &amp; more');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toMatch(/<tr class="field" id="Thing\.limit" data-field="Thing\.limit" data-systems="odoo"/);
    expect(html).toContain('<span class="system">Odoo</span> <code>res.partner</code> · <code>credit_limit</code>');
  });
});

describe('the explorer', () => {
  it('opens every example operation of schema/operations, area by area, with its variables', () => {
    const operations = exampleOperations(OPERATIONS_DIR);
    expect(operations.map((o) => `${o.name}.graphql`).sort()).toEqual(
      readdirSync(OPERATIONS_DIR)
        .filter((f) => f.endsWith('.graphql'))
        .sort(),
    );
    const names = operations.map((o) => o.name);
    expect(names.indexOf('customers-erp')).toBeLessThan(names.indexOf('products-erp'));
    expect(names.indexOf('products-erp')).toBeLessThan(names.indexOf('workflow'));
    expect(names.indexOf('orders-crm')).toBeLessThan(names.indexOf('decisions-crm'));
    const customers = operations.find((o) => o.name === 'customers-erp')!;
    expect(JSON.parse(customers.variables)).toEqual(JSON.parse(readFileSync(join(OPERATIONS_DIR, 'customers-erp.variables.json'), 'utf8')));
  });

  it('puts each operation in a tab, with the given headers, and links to the graph map', async () => {
    const html = await explorerHtml('/graphql', { Authorization: 'Bearer dev-token' }, OPERATIONS_DIR);
    expect(html).toContain('<title>ERP + CRM graph</title>');
    const options = JSON.parse(/renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),\s*\);/s.exec(html)![1]!);
    expect(options.defaultTabs).toHaveLength(exampleOperations(OPERATIONS_DIR).length + 1);
    expect(options.defaultTabs[0].query).toContain('query CustomerAcrossSystems');
    for (const tab of options.defaultTabs) expect(JSON.parse(tab.headers)).toEqual({ Authorization: 'Bearer dev-token' });
    expect(options.title).toContain('<a href="/graph-map" id="graph-map-link"');
  });
});
