/**
 * The schema explorer at `/`: GraphiQL from a local npm package, with every
 * script and style inlined, so it works on a machine with no internet access
 * (Apollo's default landing page loads its explorer from a CDN). The package's
 * bundle carries GraphiQL's Explorer plugin (the query builder), which it always
 * turns on.
 *
 * It opens with one tab per example operation (schema/operations/, the same
 * files that form the trusted-documents allowlist), each with its variables and
 * the headers given (the development token under `npm start`), ready to run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const TITLE = 'ERP + CRM graph';
/** Shown beside the logo: GraphiQL renders the title as HTML there, so it can link to the graph map. */
const TITLE_WITH_LINK = `<span style="white-space:nowrap">${TITLE} · <a href="/graph-map" id="graph-map-link" style="color:inherit">graph map</a></span>`;

const FIRST_TAB = `# One graph over the ERP (Odoo) and the CRM (Salesforce); the other tabs hold
# every example operation of schema/operations/, area by area. The graph map
# (/graph-map) says where each field comes from.
#
# A CRM account, its ERP credit and orders, and each order's CRM opportunity:
query CustomerAcrossSystems {
  customers(first: 3) {
    nodes {
      number
      legalName
      creditLimit { amount currencyCode }
      balanceDue { amount currencyCode }
      crmIdentity
      owner { name email }
      openOpportunities { name stage amount { amount } }
      salesOrders(first: 2) {
        number
        state
        amountTotal { amount currencyCode }
        opportunity { name stage }
      }
    }
  }
}
`;

/** File-name prefixes in the order of the ten integration areas (README), so tabs read area by area. */
const AREA_ORDER = ['customers', 'products', 'workflow', 'staff', 'marketing', 'sales', 'service', 'orders', 'information', 'decisions', 'reports'];

export interface ExampleOperation {
  /** The file name without `.graphql`, e.g. `customers-erp`. */
  name: string;
  query: string;
  /** The JSON of its `.variables.json`, `{}` when it has none. */
  variables: string;
}

/** The `.graphql` files of `dir` with their variables, in area order (then by name). */
export function exampleOperations(dir: string): ExampleOperation[] {
  if (!existsSync(dir)) return [];
  const rank = (name: string) => {
    const i = AREA_ORDER.findIndex((area) => name === area || name.startsWith(`${area}-`));
    return i === -1 ? AREA_ORDER.length : i;
  };
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .map((file) => {
      const name = basename(file, '.graphql');
      const variablesFile = resolve(dir, `${name}.variables.json`);
      let variables = '{}';
      if (existsSync(variablesFile)) {
        const text = readFileSync(variablesFile, 'utf8');
        try {
          variables = JSON.stringify(JSON.parse(text), null, 2);
        } catch (error) {
          throw new Error(`Expected ${variablesFile} to hold the JSON variables of ${file}, but it could not be parsed: ${(error as Error).message}.`, {
            cause: error,
          });
        }
      }
      return { name, query: readFileSync(resolve(dir, file), 'utf8'), variables };
    })
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

const rendered = new Map<string, Promise<string>>();

// The GraphiQL bundle is 9 MB of inlined scripts; loaded into the gateway it would stay resident
// (some 80 MB of RSS) for a page most replicas never serve. It is rendered in a short-lived worker
// thread instead, whose memory goes when it exits; only the finished page is kept.
const RENDER_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { renderGraphiQL } = require(workerData.module);
parentPort.postMessage(renderGraphiQL(workerData.options));
`;

function renderInWorker(options: Parameters<typeof renderGraphiQL>[0]): Promise<string> {
  const module = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql');
  return new Promise((resolvePage, reject) => {
    const worker = new Worker(RENDER_IN_WORKER, { eval: true, workerData: { module, options } });
    worker.once('message', (html: string) => {
      resolvePage(html);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`Expected the explorer page from its render worker, but the worker exited with code ${code} first.`)));
  });
}

/**
 * The explorer page. `headers` fill every tab's Headers editor (the development
 * token under `npm start`); `operationsDir` holds the example operations that
 * open as tabs.
 */
export function explorerHtml(graphqlPath: string, headers: Record<string, string> = {}, operationsDir?: string): Promise<string> {
  const headersJson = JSON.stringify(headers, null, 2);
  const cacheKey = `${operationsDir ?? ''}\n${headersJson}`;
  let page = rendered.get(cacheKey);
  if (!page) {
    page = renderPage(graphqlPath, headersJson, operationsDir);
    rendered.set(cacheKey, page);
    // A failed render is not kept: the next request tries again.
    page.catch(() => rendered.delete(cacheKey));
  }
  return page;
}

async function renderPage(graphqlPath: string, headersJson: string, operationsDir: string | undefined): Promise<string> {
  const operations = operationsDir ? exampleOperations(operationsDir) : [];
  const html = await renderInWorker({
    endpoint: graphqlPath,
    title: TITLE_WITH_LINK,
    defaultQuery: FIRST_TAB,
    headers: headersJson,
    defaultHeaders: headersJson,
    defaultTabs: [
      { query: FIRST_TAB, variables: '{}', headers: headersJson },
      ...operations.map((op) => ({ query: op.query, variables: op.variables, headers: headersJson })),
    ],
  });
  // The same title is the page's <title>, where markup would show as text.
  const pageTitle = `<title>${TITLE_WITH_LINK}</title>`;
  if (!html.includes(pageTitle)) {
    throw new Error(`Expected the GraphiQL page of @graphql-yoga/render-graphiql to carry its title as ${pageTitle}, but it does not; its template changed.`);
  }
  return html.replace(pageTitle, `<title>${TITLE}</title>`);
}
